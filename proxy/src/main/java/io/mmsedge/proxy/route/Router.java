package io.mmsedge.proxy.route;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.proxy.ProxySettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The edge's routing rules, from a player's request to the origins to try: reverse rules (first
 * match wins), forward mode (the player names the origin in its subscriberName, §2.2.4.17, and
 * only allow rules let it through: never an open relay), proxy-loop detection over VIA, and the
 * redirect policies toward players (§2.2.4.9). A player using the edge as its HTTP proxy
 * (MMSH, an absolute URI) is a forward request too, under the same allow rules. Pure: no sockets, no DNS.
 */
public final class Router {

    private final ProxySettings settings;
    private final Supplier<InetSocketAddress> listenAddress;

    /**
     * @param listenAddress this edge's own MMS listener, once bound (null before): a host-param
     *                      naming it is not taken for a forward request
     */
    public Router(ProxySettings settings, Supplier<InetSocketAddress> listenAddress) {
        this.settings = settings;
        this.listenAddress = listenAddress;
    }

    /** The same edge's routing under new rules (a configuration reload). */
    public Router withSettings(ProxySettings next) {
        return new Router(next, listenAddress);
    }

    /**
     * A forward request's host-info (§2.2.4.17): a DNS name, an IPv4 literal or a bracketed IPv6
     * literal with an optional port in 1..65535, or a bare IPv6 literal.
     */
    private static final java.util.regex.Pattern WELL_FORMED_HOST = java.util.regex.Pattern.compile(
            "(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\\.?|\\[[0-9A-Fa-f:.]{2,45}\\])"
                    + "(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
                    // A bare IPv6 literal (no port): players' host-param may carry one (§2.2.4.17).
                    + "|(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}");

    /** Where a player's OpenFile of {@code path} goes; {@code sub} is its subscriberName, or null. */
    public Route route(String path, SubscriberName sub) {
        if (sub != null && sub.viaContains(settings.via().value())) {
            // Our own instance token in VIA: the request went round a chain of proxies back to us.
            return new Route.Denied(Hresults.NS_E_PROTOCOL_MISMATCH,
                    "proxy loop: " + settings.via() + " already in VIA " + sub.via(), "loop");
        }
        if (settings.forward() && sub != null) {
            String named = sub.hostString() != null ? sub.hostString() : sub.hostParam();
            // An MMSH player using this edge as its HTTP proxy named "http://origin:port" (the
            // front end's HOST string for an absolute URI): the origin is reached over MMSH.
            boolean http = named != null && named.regionMatches(true, 0, "http://", 0, 7);
            if (http) {
                named = named.substring(7);
            }
            if (named != null && !named.isBlank() && !WELL_FORMED_HOST.matcher(named.trim()).matches()) {
                // Invalid ports (":0", ":99999", ":+17560", ":17560/evil") used to become 1755 silently.
                return new Route.Denied(Hresults.E_ACCESS_DENIED, "malformed host token '" + named
                        + "' (expected host[:port], port 1-65535)", "bad_host");
            }
            if (named != null && !named.isBlank()) {
                SubscriberName.HostPort hp = SubscriberName.parseHostInfo(named,
                        http ? OriginUrl.DEFAULT_HTTP_PORT : OriginUrl.DEFAULT_PORT);
                if (hp != null && !isSelf(hp, sub.hostString() != null || named.contains(":"))) {
                    return forward(hp.host(), hp.port(), path, http);
                }
            }
        }
        for (ReverseRule rule : settings.reverse()) {
            if (rule.matches(path)) {
                List<Hop> hops = new ArrayList<>();
                for (OriginUrl o : rule.origins()) {
                    hops.add(Hop.first(settings.upstreamProxy(), o, o.resolve(rule.strip(path))));
                }
                return new Route.Upstream(hops, null, rule.cacheProtected());
            }
        }
        return new Route.Denied(Hresults.E_ACCESS_DENIED, "no reverse rule serves '" + path + "'"
                + (settings.forward() ? " and the player named no other server" : ""), "no_route");
    }

    /**
     * A forward request for {@code path} on {@code host:port}: upstream if an allow rule lets it
     * through. Names are matched as given, never resolved (no DNS on the decision path).
     */
    public Route forward(String host, int port, String path) {
        return forward(host, port, path, false);
    }

    /** As {@link #forward(String, int, String)}, over MMSH ({@code http}) or MMS/TCP. */
    public Route forward(String host, int port, String path, boolean http) {
        if (AllowRule.anyAllows(settings.allow(), host, port, http)) {
            OriginUrl origin = new OriginUrl(http ? "http" : "mmst", host, port, "");
            return new Route.Upstream(List.of(Hop.first(settings.upstreamProxy(), origin, path).namedByPlayer()),
                    host, false);
        }
        return new Route.Denied(Hresults.E_ACCESS_DENIED, "forward request to " + host + ":" + port
                + " is not allowed by any allow rule (not an open relay)", "forward_not_allowed");
    }

    /**
     * The first redirect policy for a player's request, or null to serve it.
     *
     * @param forwardHost the origin the player named (forward mode), or null
     * @param busy        whether this edge is at its session limit
     */
    public RedirectRule playerRedirect(String path, String forwardHost, boolean busy) {
        for (RedirectRule rule : settings.playerRedirects()) {
            if (rule.matches(path, forwardHost, busy)) {
                return rule;
            }
        }
        return null;
    }

    /**
     * True when a host-param names this edge. Players put the URL's host there, without its
     * port (notes/clients.md), so a reverse-proxied request names us; a port is only trusted
     * when the player gave one explicitly.
     */
    private boolean isSelf(SubscriberName.HostPort hp, boolean explicitPort) {
        String host = hp.host().toLowerCase(Locale.ROOT);
        InetSocketAddress us = listenAddress.get();
        boolean ourName = settings.localNames().contains(host) || host.equals("localhost");
        if (us != null) {
            String ourHost = us.getAddress() != null ? us.getAddress().getHostAddress() : us.getHostString();
            ourName |= host.equals(ourHost) || (us.getAddress() != null && us.getAddress().isAnyLocalAddress());
            ourName |= host.equals("127.0.0.1") && us.getAddress() != null && us.getAddress().isLoopbackAddress();
            if (ourName && explicitPort) {
                return hp.port() == us.getPort();
            }
        }
        return ourName;
    }
}
