package io.mmsedge.proxy.origin;

import io.mmsedge.proxy.route.Hop;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where a name a player gave may lead. Allow rules match names as written (no DNS on the
 * decision path), so a name an allow rule lets through is checked again once resolved: a name
 * that resolves to this machine (loopback, the wildcard address), to link-local addresses (among
 * them the cloud metadata service at 169.254.169.254) or to a multicast group is refused. Issue
 * #17: the forward proxy is never an open relay, whatever the name resolves to (wildcard DNS such
 * as {@code 127.0.0.1.nip.io}, or a name the player's owner controls). Private (site-local)
 * addresses stay allowed: an intranet origin behind a corporate proxy is the usual case, and an
 * operator who allows {@code *.example.com} chose those names. A literal address was matched by
 * its own rule (a CIDR block or the address itself) and is not second-guessed.
 */
final class ForwardTargets {

    private ForwardTargets() {
    }

    /** Why {@code hop}, resolved to {@code address}, must not be opened; null when it may. */
    static String refusal(Hop hop, InetSocketAddress address) {
        if (!hop.playerNamed() || !hop.direct() || address.isUnresolved() || literal(hop.connectTo().getHostString())) {
            return null;
        }
        InetAddress a = address.getAddress();
        String kind = a.isLoopbackAddress() ? "loopback" : a.isAnyLocalAddress() ? "wildcard"
                : a.isLinkLocalAddress() ? "link-local" : a.isMulticastAddress() ? "multicast" : null;
        return kind == null ? null : "forward target " + hop.connectTo().getHostString() + " resolves to " + kind
                + " address " + a.getHostAddress() + ", which a name never may (not an open relay)";
    }

    private static boolean literal(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }
}
