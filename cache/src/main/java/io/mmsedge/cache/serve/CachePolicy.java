package io.mmsedge.cache.serve;

/**
 * How the edge trusts its cache.
 *
 * @param trustMillis  a complete item confirmed by the origin less than this long ago is served
 *                     without a freshness check (0 = always check); never applies to protected content
 * @param serveStale   serve a complete item when the origin is unreachable (unprotected content only)
 */
public record CachePolicy(long trustMillis, boolean serveStale) {

    public static final CachePolicy DEFAULT = new CachePolicy(0, true);
}
