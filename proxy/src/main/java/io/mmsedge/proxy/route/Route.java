package io.mmsedge.proxy.route;

import java.util.List;

/** Where the {@link Router} sends a request. */
public sealed interface Route {

    /**
     * Upstream, trying {@code candidates} in order (failover); never empty, so the first one
     * names the content (cache key, split key).
     *
     * @param forwardHost    the host the player named, in forward mode; null for reverse rules
     * @param cacheProtected whether the rule lets content the origin protects be cached
     */
    record Upstream(List<Hop> candidates, String forwardHost, boolean cacheProtected) implements Route {
        public Upstream {
            candidates = List.copyOf(candidates);
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("a route upstream needs at least one origin");
            }
        }
    }

    /**
     * Refused before any upstream contact.
     *
     * @param hr     the HRESULT the player gets
     * @param reason for the player's error and the log
     * @param token  the metrics label: no_route, forward_not_allowed, loop
     */
    record Denied(int hr, String reason, String token) implements Route {
    }
}
