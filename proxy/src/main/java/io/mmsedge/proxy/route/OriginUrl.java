package io.mmsedge.proxy.route;

import io.mmsedge.protocol.mms.MmsConstants;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An origin's URL: MMS ({@code mms://host[:port][/path]}, also mmst, mmsu; no port means 1755,
 * §2.2.4.9) or MMSH ({@code http://} or {@code mmsh://}; no port means 80, [MS-WMSP]). The scheme
 * decides how the edge talks to the origin ({@link #http()}).
 */
public record OriginUrl(String scheme, String host, int port, String path) {

    public static final int DEFAULT_PORT = MmsConstants.DEFAULT_PORT;
    /** The port of an MMSH origin named without one. */
    public static final int DEFAULT_HTTP_PORT = 80;

    public static OriginUrl parse(String text) {
        URI u;
        try {
            u = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + text);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        boolean http = scheme.equals("http") || scheme.equals("mmsh");
        if (!http && !scheme.equals("mms") && !scheme.equals("mmst") && !scheme.equals("mmsu")) {
            throw new IllegalArgumentException("not an mms://, mmsh:// or http:// URL: " + text);
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new IllegalArgumentException("no host in " + text);
        }
        int port = u.getPort() >= 0 ? u.getPort() : http ? DEFAULT_HTTP_PORT : DEFAULT_PORT;
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return new OriginUrl(scheme, u.getHost(), port, path);
    }

    /** True for an MMSH origin (http://, mmsh://): the edge reaches it over MMSH, not MMS/TCP. */
    public boolean http() {
        return scheme.equals("http") || scheme.equals("mmsh");
    }

    /** "host:port", as the host-param and HOST string want it. */
    public String hostPort() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    /** The upstream path for a player's path: this URL's path as a prefix. */
    public String resolve(String playerPath) {
        if (path.isEmpty()) {
            return playerPath;
        }
        if (playerPath.isEmpty()) {
            return path;
        }
        return path.endsWith("/") ? path + playerPath : path + "/" + playerPath;
    }

    @Override
    public String toString() {
        return scheme + "://" + hostPort() + "/" + path;
    }
}
