package io.mmsedge.cache.serve;

/**
 * How the edge trusts its cache.
 *
 * @param trustMillis  a complete item confirmed by the origin less than this long ago is served
 *                     without a freshness check (0 = always check); never applies to protected content
 * @param serveStale   serve a complete item when the origin is unreachable (unprotected content only)
 * @param fillSpeed    fills ask the origin for this many times the content's bit rate (1 = its
 *                     own pace); players behind a fill are paced by their own sessions
 */
public record CachePolicy(long trustMillis, boolean serveStale, double fillSpeed) {

    /** Four times real time: a fill stays ahead of its viewers without flooding the origin's link. */
    public static final double DEFAULT_FILL_SPEED = 4;

    public CachePolicy {
        if (!(fillSpeed >= 1 && fillSpeed <= 1000)) {
            throw new IllegalArgumentException("fillSpeed must be between 1 and 1000, got " + fillSpeed);
        }
    }
}
