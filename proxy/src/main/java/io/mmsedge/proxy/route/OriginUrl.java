package io.mmsedge.proxy.route;

import io.mmsedge.protocol.mms.MmsConstants;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An MMS URL: {@code mms://host[:port][/path]} (also mmst, mmsu). No port means 1755 (§2.2.4.9).
 */
public record OriginUrl(String scheme, String host, int port, String path) {

    public static final int DEFAULT_PORT = MmsConstants.DEFAULT_PORT;

    public static OriginUrl parse(String text) {
        URI u;
        try {
            u = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + text);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("mms") && !scheme.equals("mmst") && !scheme.equals("mmsu")) {
            throw new IllegalArgumentException("not an mms:// URL: " + text);
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new IllegalArgumentException("no host in " + text);
        }
        int port = u.getPort() < 0 ? DEFAULT_PORT : u.getPort();
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return new OriginUrl(scheme, u.getHost(), port, path);
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
