package io.mmsedge.proxy.route;

import java.util.List;

/**
 * Reverse proxy (CDN edge) rule: player paths starting with {@code prefix} (a publishing point
 * or folder; empty = everything) are fetched from {@code origins}, tried in order on failure.
 * {@code cacheProtected}: content the origin protects with a SecurityChallenge may be cached
 * too (each player is still authorized by the origin before any cached packet is served).
 */
public record ReverseRule(String prefix, List<OriginUrl> origins, boolean cacheProtected) {

    public ReverseRule {
        prefix = prefix == null ? "" : prefix;
        origins = List.copyOf(origins);
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("reverse rule '" + prefix + "' has no origin");
        }
    }

    public boolean matches(String path) {
        if (prefix.isEmpty()) {
            return true;
        }
        return path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
    }

    /** The player's path below the prefix. */
    public String strip(String path) {
        if (prefix.isEmpty()) {
            return path;
        }
        String rest = path.substring(Math.min(path.length(), prefix.length()));
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        return rest;
    }
}
