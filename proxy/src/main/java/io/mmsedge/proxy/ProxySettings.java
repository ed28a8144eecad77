package io.mmsedge.proxy;

import io.mmsedge.proxy.route.AllowRule;
import io.mmsedge.proxy.route.RedirectRule;
import io.mmsedge.proxy.route.ReverseRule;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How the edge relays.
 *
 * @param reverse           reverse-proxy rules, first match wins
 * @param forward           forward-proxy mode: players name the origin in subscriberName
 * @param allow             forward-proxy allow rules; nothing else is relayed
 * @param localNames        host names (lower case) that mean this edge itself, besides its own
 *                          listener addresses: a host-param naming them is not a forward request
 * @param followRedirects   follow upstream type-1 redirects here (true) or pass them to the player
 * @param maxRedirectHops   bound on followed redirects per open
 * @param playerRedirects   redirect policies toward players (type 1 and 2)
 * @param maxSessions       upstream sessions this edge will hold (0 = unlimited)
 * @param via               this instance's VIA token
 * @param connectTimeout    upstream connect and reply timeout
 * @param upstreamProxy     an MMS proxy to reach origins through (null = connect directly); an
 *                          origin's type-2 redirect may change or drop it (§2.2.4.9)
 * @param firstDataTimeout  the longest wait for the first Data packet after a play request
 * @param stallTimeout      the longest gap between two Data packets taken while streaming; bytes
 *                          that arrive but are not taken (Pings, dropped packets) do not count
 */
public record ProxySettings(
        List<ReverseRule> reverse,
        boolean forward,
        List<AllowRule> allow,
        Set<String> localNames,
        boolean followRedirects,
        int maxRedirectHops,
        List<RedirectRule> playerRedirects,
        int maxSessions,
        ViaToken via,
        Duration connectTimeout,
        io.mmsedge.proxy.route.OriginUrl upstreamProxy,
        Duration firstDataTimeout,
        Duration stallTimeout) {

    /** The default of {@link #firstDataTimeout} and {@link #stallTimeout}: a few seconds, so a stalled origin ends its players' sessions. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(5);

    public ProxySettings {
        if (firstDataTimeout.isNegative() || firstDataTimeout.isZero() || stallTimeout.isNegative()
                || stallTimeout.isZero()) {
            throw new IllegalArgumentException("firstDataTimeout and stallTimeout must be positive");
        }
        reverse = List.copyOf(reverse);
        allow = List.copyOf(allow);
        localNames = Set.copyOf(localNames);
        playerRedirects = List.copyOf(playerRedirects);
        if (maxRedirectHops < 0 || maxRedirectHops > 20) {
            throw new IllegalArgumentException("maxRedirectHops must be 0..20");
        }
    }

    /** Settings with the default stall timeouts. */
    public ProxySettings(List<ReverseRule> reverse, boolean forward, List<AllowRule> allow, Set<String> localNames,
                         boolean followRedirects, int maxRedirectHops, List<RedirectRule> playerRedirects,
                         int maxSessions, ViaToken via, Duration connectTimeout,
                         io.mmsedge.proxy.route.OriginUrl upstreamProxy) {
        this(reverse, forward, allow, localNames, followRedirects, maxRedirectHops, playerRedirects, maxSessions, via,
                connectTimeout, upstreamProxy, DEFAULT_STALL_TIMEOUT, DEFAULT_STALL_TIMEOUT);
    }

    public static ProxySettings reverseTo(List<ReverseRule> rules, ViaToken via) {
        return new ProxySettings(rules, false, List.of(), Set.of(), true, 5, List.of(), 0, via, Duration.ofSeconds(5), null);
    }

    public ProxySettings withForward(List<AllowRule> allowRules) {
        return new ProxySettings(reverse, true, allowRules, localNames, followRedirects, maxRedirectHops,
                playerRedirects, maxSessions, via, connectTimeout, upstreamProxy, firstDataTimeout, stallTimeout);
    }

    public ProxySettings withPlayerRedirects(List<RedirectRule> rules, int maxSessions) {
        return new ProxySettings(reverse, forward, allow, localNames, followRedirects, maxRedirectHops, rules,
                maxSessions, via, connectTimeout, upstreamProxy, firstDataTimeout, stallTimeout);
    }

    public ProxySettings withFollowRedirects(boolean follow) {
        return new ProxySettings(reverse, forward, allow, localNames, follow, maxRedirectHops, playerRedirects,
                maxSessions, via, connectTimeout, upstreamProxy, firstDataTimeout, stallTimeout);
    }

    public ProxySettings withConnectTimeout(Duration d) {
        return new ProxySettings(reverse, forward, allow, localNames, followRedirects, maxRedirectHops,
                playerRedirects, maxSessions, via, d, upstreamProxy, firstDataTimeout, stallTimeout);
    }

    public ProxySettings withStallTimeouts(Duration firstData, Duration stall) {
        return new ProxySettings(reverse, forward, allow, localNames, followRedirects, maxRedirectHops,
                playerRedirects, maxSessions, via, connectTimeout, upstreamProxy, firstData, stall);
    }
}
