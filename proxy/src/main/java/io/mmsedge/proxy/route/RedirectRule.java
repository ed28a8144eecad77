package io.mmsedge.proxy.route;

import java.util.Locale;

/**
 * A policy that answers a player's OpenFile with LinkMacToViewerReportRedirect (§2.2.4.9)
 * instead of serving it, after which the session closes (§3.2.5.6).
 *
 * @param pathPrefix    applies to player paths with this prefix (null = any path)
 * @param originPattern applies to forward requests for origins matching this host pattern,
 *                      e.g. "*.intranet.example" (null = any origin)
 * @param type          1: go to {@code location} (a URL); 2: use another proxy, {@code location}
 *                      empty = connect directly to the origin, bypassing any proxy
 * @param location      the URL (type 1) or proxy URL (type 2), or "" (type 2, direct)
 * @param whenBusy      applies only while this edge is at its session limit (a sibling edge)
 */
public record RedirectRule(String pathPrefix, String originPattern, int type, String location, boolean whenBusy) {

    public RedirectRule {
        if (type != 1 && type != 2) {
            throw new IllegalArgumentException("redirect type must be 1 (URL) or 2 (proxy), got " + type);
        }
        location = location == null ? "" : location;
        if (type == 1 && location.isEmpty()) {
            throw new IllegalArgumentException("a type 1 redirect needs a location URL");
        }
        if (!location.isEmpty()) {
            OriginUrl.parse(location); // validates
        }
    }

    public boolean matches(String path, String originHost, boolean busy) {
        if (whenBusy && !busy) {
            return false;
        }
        if (pathPrefix != null && !path.startsWith(pathPrefix)) {
            return false;
        }
        if (originPattern != null) {
            if (originHost == null) {
                return false;
            }
            return AllowRule.parse(originPattern).allows(originHost.toLowerCase(Locale.ROOT), -1)
                    || AllowRule.parse(originPattern).allows(originHost, OriginUrl.DEFAULT_PORT);
        }
        return true;
    }
}
