package io.mmsedge.server.access;

import java.net.InetAddress;
import java.util.List;

/**
 * The access rules of one scope (a listener, or a publishing point / reverse prefix on it).
 * Immutable; a value of 0 means "no limit".
 *
 * @param allow                   if not empty, only players whose address lies in one of these
 *                                blocks are served (WMS "IP address authorization", allow list)
 * @param deny                    players in one of these blocks are refused, even if allowed
 * @param maxPlayers              players playing at once (WMS "Limit player connections")
 * @param maxBandwidthBps         aggregate bandwidth of the players, in bits per second: a new
 *                                player whose content's bit rate would take the sum over it is
 *                                refused (WMS "Limit aggregate player bandwidth")
 * @param maxPlayerBandwidthBps   each player's bandwidth in bits per second: a player whose
 *                                content (or accelerated start) goes faster is slowed down, never
 *                                cut (WMS "Limit bandwidth per player")
 * @param connectionsPerSecond    new sessions a second from one IP address (bursts of as many)
 * @param redirect                at a limit (not at a deny), send the player a type 2 proxy
 *                                redirect (MS-MMSP §2.2.4.9) to this sibling edge instead of an
 *                                error; null = the error
 */
public record AccessRules(List<Cidr> allow, List<Cidr> deny, int maxPlayers, long maxBandwidthBps,
                          long maxPlayerBandwidthBps, int connectionsPerSecond, String redirect) {

    /** No rules: everyone, without limits. */
    public static final AccessRules NONE = new AccessRules(List.of(), List.of(), 0, 0, 0, 0, null);

    public AccessRules {
        allow = allow == null ? List.of() : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
        if (maxPlayers < 0 || maxBandwidthBps < 0 || maxPlayerBandwidthBps < 0 || connectionsPerSecond < 0) {
            throw new IllegalArgumentException("access limits must be >= 0 (0 = no limit)");
        }
        redirect = redirect == null || redirect.isBlank() ? null : redirect;
    }

    /** True if these rules let {@code address} in (the lists only, not the limits). */
    public boolean admits(InetAddress address) {
        for (Cidr c : deny) {
            if (c.contains(address)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Cidr c : allow) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The rule that refuses {@code address}, for the log: "deny 10.0.0.0/8" or "not in allow [...]". */
    String refusingRule(InetAddress address) {
        for (Cidr c : deny) {
            if (c.contains(address)) {
                return "deny " + c;
            }
        }
        return "not in allow " + allow;
    }

    /** True if any list or limit is set. */
    public boolean any() {
        return !allow.isEmpty() || !deny.isEmpty() || maxPlayers > 0 || maxBandwidthBps > 0
                || maxPlayerBandwidthBps > 0 || connectionsPerSecond > 0;
    }
}
