package io.mmsedge.proxy.route;

import java.net.InetSocketAddress;

/**
 * One upstream attempt: connect to {@code connectTo} (the origin, or an MMS proxy in front of
 * it), asking for {@code origin}'s {@code path}. The address stays unresolved here: names are
 * looked up when the hop is opened, off the event loop.
 *
 * <p>{@code playerNamed}: a player named this origin (forward mode), so everything it leads to
 * stays under the allow rules: the address its name resolves to, and the redirects it sends.
 */
public record Hop(InetSocketAddress connectTo, OriginUrl origin, String path, boolean playerNamed) {

    /** A hop an operator configured (reverse rules, upstream proxy). */
    public Hop(InetSocketAddress connectTo, OriginUrl origin, String path) {
        this(connectTo, origin, path, false);
    }

    /** This hop, named by a player: see the class comment. */
    public Hop namedByPlayer() {
        return new Hop(connectTo, origin, path, true);
    }

    /** True when this hop connects to its origin itself, not to a proxy in front of it. */
    public boolean direct() {
        return connectTo.getHostString().equalsIgnoreCase(origin.host()) && connectTo.getPort() == origin.port();
    }

    /** Straight to the origin. */
    public static Hop direct(OriginUrl origin, String path) {
        return new Hop(InetSocketAddress.createUnresolved(origin.host(), origin.port()), origin, path);
    }

    /** Through the MMS proxy {@code proxy} to the origin. */
    public static Hop through(OriginUrl proxy, OriginUrl origin, String path) {
        return new Hop(InetSocketAddress.createUnresolved(proxy.host(), proxy.port()), origin, path);
    }

    /** The first hop to an origin: through {@code upstreamProxy} if there is one (null = direct). */
    public static Hop first(OriginUrl upstreamProxy, OriginUrl origin, String path) {
        return upstreamProxy == null ? direct(origin, path) : through(upstreamProxy, origin, path);
    }

    /** "host:port/path" of what is asked for: split key, open queue, redirect-loop memory. */
    public String key() {
        return origin.hostPort() + "/" + path;
    }

    /** How the players' sessions name the upstream in logs and statistics. */
    public String displayName() {
        return "upstream:" + origin.hostPort();
    }
}
