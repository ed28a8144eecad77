package io.mmsedge.cache.serve;

/**
 * How the edge trusts its cache.
 *
 * @param trustMillis  a complete item confirmed by the origin less than this long ago is served
 *                     without a freshness check (0 = always check); never applies to protected content
 * @param serveStale   serve a complete item when the origin is unreachable (unprotected content only)
 * @param fillSpeed    fills ask the origin for this many times the content's bit rate (1 = its
 *                     own pace); players behind a fill are paced by their own sessions
 * @param overlapCheck a complete, unprotected item is served at once while its freshness check
 *                     runs; the player's first Data packet waits for the check, and a check that
 *                     finds the content changed (or gone) ends the session with an error instead
 *                     of serving the origin's new copy
 */
public record CachePolicy(long trustMillis, boolean serveStale, double fillSpeed, boolean overlapCheck) {

    /** Four times real time: a fill stays ahead of its viewers without flooding the origin's link. */
    public static final double DEFAULT_FILL_SPEED = 4;

    /** Without overlapped checks: a player's open waits for its freshness check. */
    public CachePolicy(long trustMillis, boolean serveStale, double fillSpeed) {
        this(trustMillis, serveStale, fillSpeed, false);
    }

    public CachePolicy {
        if (!(fillSpeed >= 1 && fillSpeed <= 1000)) {
            throw new IllegalArgumentException("fillSpeed must be between 1 and 1000, got " + fillSpeed);
        }
    }
}
