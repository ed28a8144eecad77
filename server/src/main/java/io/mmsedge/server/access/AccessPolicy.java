package io.mmsedge.server.access;

import io.mmsedge.server.media.ContentPaths;
import java.util.Comparator;
import java.util.List;

/**
 * A listener's whole access policy, immutable: the rules of the listener, and those of its
 * scopes (publishing points on an origin, reverse prefixes on an edge), each matched by path
 * prefix. A player must pass both the listener's rules and those of the longest scope prefix its
 * path matches. {@link AccessControl} holds the current one in a single reference, so a reload
 * can swap it whole; sessions admitted under the old policy keep what they were given.
 *
 * @param listener the rules of every session on the listener
 * @param scopes   the per-prefix scopes, in any order (a scope without rules still claims its
 *                 prefix, so that a shorter scope's rules don't apply to its paths)
 */
public record AccessPolicy(AccessRules listener, List<Scope> scopes) {

    /** No rules anywhere. */
    public static final AccessPolicy OPEN = new AccessPolicy(AccessRules.NONE, List.of());

    /**
     * One scope.
     *
     * @param name   its name for logs, metrics and its counters ("" = the default publishing point)
     * @param prefix the player paths it covers (OpenFile's path, no leading '/'): the path itself
     *               or the path followed by '/'; "" = every path
     */
    public record Scope(String name, String prefix, AccessRules rules) {
        public Scope {
            prefix = strip(prefix);
            rules = rules == null ? AccessRules.NONE : rules;
        }

        boolean covers(String path) {
            return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
        }
    }

    public AccessPolicy {
        listener = listener == null ? AccessRules.NONE : listener;
        // Longest prefix first: the first covering scope is the most specific.
        scopes = scopes == null ? List.of()
                : scopes.stream().sorted(Comparator.comparingInt((Scope s) -> s.prefix().length()).reversed()).toList();
    }

    /**
     * The most specific scope covering {@code path}, or null if none does. The path is normalised
     * as the catalogs do ({@link ContentPaths#normalize}: '\\' as '/', no query), so that a player
     * can't spell its way past a scope to the content the scope guards.
     */
    public Scope scopeFor(String path) {
        String p = ContentPaths.normalize(path == null ? "" : path);
        for (Scope s : scopes) {
            if (s.covers(p)) {
                return s;
            }
        }
        return null;
    }

    private static String strip(String path) {
        String p = path == null ? "" : path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }
}
