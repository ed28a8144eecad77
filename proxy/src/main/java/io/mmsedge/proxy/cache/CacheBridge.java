package io.mmsedge.proxy.cache;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.Fingerprint;
import io.mmsedge.cache.serve.CacheService;
import io.mmsedge.cache.serve.FillSource;
import io.mmsedge.cache.serve.Filler;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.origin.OriginOpener;
import io.mmsedge.proxy.origin.OriginOutcome;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the edge's opens meet its on-demand cache (MS-MSSOD §1.1: the origin serves one
 * transfer, the edge serves every player): a trusted copy served without asking the origin, a
 * copy served after the origin's freshness check (the upstream open), a stale copy when no
 * origin answers, and the upstream fill sessions that write new content through.
 */
public final class CacheBridge {

    private static final Logger log = LoggerFactory.getLogger(CacheBridge.class);

    private final CacheService cache;
    private final OriginOpener opener;
    private final ProxyMetrics metrics;
    private final AtomicInteger upstreamSessions;

    /**
     * @param opener           opens further fill sessions
     * @param upstreamSessions the edge's count of upstream sessions, which fill sessions are part of
     */
    public CacheBridge(CacheService cache, OriginOpener opener, ProxyMetrics metrics, AtomicInteger upstreamSessions) {
        this.cache = cache;
        this.opener = opener;
        this.metrics = metrics;
        this.upstreamSessions = upstreamSessions;
    }

    public CacheService service() {
        return cache;
    }

    /** The cache key of a route: its first candidate's URL, so failover to a second origin still hits. */
    public static String key(Hop first) {
        return "mms://" + first.key();
    }

    /**
     * The stored copy, when the origin confirmed it within the trust window; else null.
     *
     * @param route the route's origins, in order: fills open at the first that is up
     */
    public OpenResult trusted(OpenRequest request, List<Hop> route, EventLoopGroup group) {
        Hop first = route.get(0);
        CacheItem cached = cache.store().lookup(key(first));
        if (cached == null || !cache.trusted(cached)) {
            return null;
        }
        // Confirmed by the origin within the trust window: no freshness check this time.
        log.info("peer={} path={} served from the cache without a freshness check (trusted for {} s)",
                request.peer(), request.path(), cache.policy().trustMillis() / 1000);
        return new OpenResult.Opened(cache.media(cached, first.displayName(), null,
                filler(request, route, cached, group)));
    }

    /**
     * With {@link io.mmsedge.cache.serve.CachePolicy#overlapCheck}: a complete, unprotected copy
     * is served at once while the freshness check (the upstream open) runs beside the player's own
     * commands (ReadBlock of the header, StreamSwitch, StartPlaying); only the first Data packet
     * waits for it. Null when the copy does not qualify: the caller checks first, as before.
     *
     * <p>The check confirms the copy when the origin still describes the same content (its
     * fingerprint), or when no origin answers and the policy serves stale copies. Anything else
     * fails the player's session with an error, because its ReportOpenFile and header came from
     * the old copy: content changed at the origin (which then fills the new copy for the players
     * after it, with the check's session), gone, refused, redirected or now protected.
     */
    public OpenResult overlapped(OpenRequest request, List<Hop> route, EventLoopGroup group) {
        if (!cache.policy().overlapCheck() || request.credentials() != null) {
            return null; // credentials mean a challenge was answered: protected content checks first
        }
        Hop first = route.get(0);
        String key = key(first);
        CacheItem cached = cache.store().lookup(key);
        if (cached == null || !cached.complete() || cached.protectedContent()) {
            return null;
        }
        CompletableFuture<Void> confirmed = opener.open(request, route, group)
                .thenApply(outcome -> {
                    checked(request, route, key, cached, outcome, group);
                    return (Void) null;
                });
        log.info("peer={} path={} cache hit for {}, served while the freshness check runs", request.peer(),
                request.path(), key);
        return new OpenResult.Opened(cache.mediaWhileChecking(cached, first.displayName(),
                filler(request, route, cached, group), confirmed));
    }

    /** The verdict of an overlapped freshness check: returns when {@code cached} stands, else throws. */
    private void checked(OpenRequest request, List<Hop> route, String key, CacheItem cached, OriginOutcome outcome,
                         EventLoopGroup group) {
        if (outcome instanceof OriginOutcome.Unreachable u) {
            if (cache.stale(key) == cached) {
                servingStale(request, u.lastFailure(), key);
                return;
            }
            throw new MediaReadException(u.lastFailure().hr(), "freshness check: " + u.lastFailure().reason());
        }
        if (outcome instanceof OriginOutcome.Answered a) {
            int hr = a.result() instanceof OpenResult.Failed f ? f.hr() : Hresults.E_FAIL;
            String what = a.result() instanceof OpenResult.Failed f ? f.reason() : "the origin answered "
                    + a.result().getClass().getSimpleName();
            log.info("peer={} path={} freshness check of {} failed after the player was answered from the cache: {}",
                    request.peer(), request.path(), key, what);
            throw new MediaReadException(hr, "freshness check: " + what);
        }
        OriginOutcome.Opened opened = (OriginOutcome.Opened) outcome;
        UpstreamOpenResult.Opened o = opened.upstream();
        CacheItem now = o.session().challenged() ? null : itemFor(key, o, false);
        if (now == cached) {
            o.session().close(); // a hit holds no upstream session (the player's log opens its own)
            return;
        }
        if (now == null || !cache.prestuff(now, fillSource(o, opened.hop(), group), filler(request, route, now,
                group))) {
            o.session().close();
        }
        String what = o.session().challenged() ? "is protected now" : now == null ? "is no longer cacheable"
                : "changed";
        log.info("peer={} path={} {} {} at the origin while the player was answered from the cache: ending its "
                + "session", request.peer(), request.path(), key, what);
        throw new MediaReadException(Hresults.E_FAIL, "the content of " + key + " " + what + " at the origin");
    }

    /**
     * No origin could be reached: a complete, unprotected copy beats an error, if the policy
     * serves stale copies. Null when there is none.
     */
    public OpenResult stale(OpenRequest request, Hop first, OpenResult.Failed lastFailure) {
        String key = key(first);
        CacheItem stale = cache.stale(key);
        if (stale == null) {
            return null;
        }
        servingStale(request, lastFailure, key);
        return new OpenResult.Opened(cache.media(stale, first.displayName(), null,
                () -> CompletableFuture.failedFuture(new IllegalStateException("origin unreachable"))));
    }

    /** The log line and the count of a copy served because no origin answered (before an open, or during one). */
    private void servingStale(OpenRequest request, OpenResult.Failed lastFailure, String key) {
        log.warn("peer={} path={} origin unreachable ({}): serving the cached copy of {} without a freshness "
                + "check", request.peer(), request.path(), lastFailure.reason(), key);
        cache.metrics().servedStale();
    }

    /**
     * After the freshness check (the upstream open: Connect, Funnel, OpenFile, ReadBlock), serve
     * on-demand content from the cache: the stored item if its fingerprint still matches,
     * otherwise a new one filled write-through. The open session feeds the first fill, or is
     * closed at once on a complete hit. Null: not cacheable, relay as before.
     *
     * @param hop            where {@code o} was opened
     * @param route          the route's origins, in order: later fills, and a fill that lost its
     *                       origin, open at the first that is up
     * @param key            the cache key ({@link #key} of the route's first candidate)
     * @param cacheProtected whether the route caches content the origin protects
     */
    public OpenResult serve(OpenRequest request, Hop hop, List<Hop> route, UpstreamOpenResult.Opened o, String key,
                            boolean cacheProtected, EventLoopGroup group) {
        // Protected when the origin challenged this session, or when the player's credentials
        // went up with the OpenFile (the edge challenged the player on the origin's behalf first).
        boolean protectedContent = o.session().challenged() || request.credentials() != null;
        if (protectedContent && !cacheProtected) {
            return null; // protected content is cached only where a rule says so
        }
        CacheItem item = itemFor(key, o, protectedContent);
        if (item == null) {
            return null;
        }
        log.info("peer={} path={} cache {} for {} ({} of {} packets stored)", request.peer(), request.path(),
                item.complete() ? "hit" : item.coveredPackets() > 0 ? "partial hit" : "miss", key,
                item.coveredPackets(), item.packetCount());
        return new OpenResult.Opened(cache.media(item, hop.displayName(), fillSource(o, hop, group),
                filler(request, route, item, group)));
    }

    /**
     * After a freshness open: the item holding what the origin now serves (see
     * {@link CacheService#itemFor}), or null when the content is not cacheable or too large.
     */
    public CacheItem itemFor(String key, UpstreamOpenResult.Opened o, boolean protectedContent) {
        ContentInfo info = cacheableContent(o);
        return info == null ? null
                : cache.itemFor(key, info, Fingerprint.of(o.header(), info.packetCount()), protectedContent);
    }

    /** Whether an open describes content the cache takes (see {@link #cacheableContent}). */
    public static boolean cacheable(UpstreamOpenResult.Opened o) {
        return cacheableContent(o) != null;
    }

    /**
     * Starts filling {@code item} ahead of demand with the open session {@code o}; false when it
     * is complete or already filling (the session is then closed by the cache).
     */
    public boolean prestuff(CacheItem item, OpenRequest request, Hop hop, List<Hop> route,
                            UpstreamOpenResult.Opened o, EventLoopGroup group) {
        return cache.prestuff(item, fillSource(o, hop, group), filler(request, route, item, group));
    }

    /**
     * The entry an open describes, if it may be cached: on-demand (not BROADCAST: broadcasts are
     * split), a single entry (playlists are relayed) with a known packet count. Else null.
     */
    private static ContentInfo cacheableContent(UpstreamOpenResult.Opened o) {
        ReportOpenFile of = o.openFile();
        int attributes = of.fileAttributes();
        long packets = of.filePacketCount();
        if ((attributes & (ContentInfo.ATTR_BROADCAST | ContentInfo.ATTR_PLAYLIST)) != 0 || packets <= 0
                || (attributes & ContentInfo.ATTR_CANSEEK) == 0) {
            return null;
        }
        try {
            return ContentInfo.fromHeader(o.header(), of.filePacketSize(), packets,
                    Integer.toUnsignedLong(of.fileBitRate()), of.fileDuration(), attributes);
        } catch (RuntimeException e) {
            return null; // the relay reports the bad header
        }
    }

    /**
     * A fill session over an open upstream session. Nobody watches a fill, only the players behind
     * it, who are paced by their own sessions: the origin is asked to send it {@code fillSpeed}
     * times faster than the content's bit rate (dwAccelBandwidth for the whole content), so the
     * cache is ahead of its viewers and a prestuff takes a fraction of the content's duration.
     */
    private UpstreamFillSource fillSource(UpstreamOpenResult.Opened o, Hop hop, EventLoopGroup group) {
        upstreamSessions.incrementAndGet();
        metrics.upstreamOpened();
        double speed = cache.policy().fillSpeed();
        // Never slower than real time: fileBitRate alone counts the video streams of an MBR file
        // whose header has no per-stream rates as 0, and asking for fillSpeed x the audio's rate
        // made the first play 4-5x slower than real time (issue 13).
        ContentInfo info = cacheableContent(o);
        long bitRate = info != null ? info.realTimeBitRate() : Integer.toUnsignedLong(o.openFile().fileBitRate());
        long accelBitRate = speed > 1 && bitRate > 0 ? (long) Math.min(bitRate * speed, 0xFFFF_FFFFL) : 0;
        // Some slack over the duration: send times run up to a preroll past it.
        double durationMs = o.openFile().fileDuration() * 1000;
        long accelMs = durationMs > 0 && durationMs < 0xFFFF_FFFFL - 60_000 ? (long) durationMs + 60_000 : 0xFFFF_FFFFL;
        return new UpstreamFillSource(o.session(), metrics, () -> {
            upstreamSessions.decrementAndGet();
            metrics.upstreamClosed();
        }, reason -> opener.lost(hop, reason, group), accelBitRate, accelMs);
    }

    /**
     * Opens further fill sessions for {@code item} with the player's own subscriberName and
     * credentials at the route's first origin that is up, refusing any whose content does not
     * match the item's fingerprint: a fill never mixes two versions of a file, or two origins'
     * different files of one name. A fill that lost its origin resumes only while some origin
     * of the route is up (the lost one was marked down): one origin alone is not retried.
     */
    private Filler filler(OpenRequest request, List<Hop> route, CacheItem item, EventLoopGroup group) {
        return new Filler() {
            @Override
            public CompletableFuture<FillSource> open() {
                return opener.open(request, route, group).thenApply(outcome -> fillSession(outcome, item, group));
            }

            @Override
            public CompletableFuture<FillSource> resume() {
                if (route.stream().allMatch(opener.health()::isDown)) {
                    return CompletableFuture.failedFuture(new IllegalStateException("no other origin is up"));
                }
                return open();
            }
        };
    }

    /** The fill session of an open across the route, if it opened the item's content. */
    private FillSource fillSession(OriginOutcome outcome, CacheItem item, EventLoopGroup group) {
        if (outcome instanceof OriginOutcome.Opened opened) {
            UpstreamOpenResult.Opened o = opened.upstream();
            Fingerprint now = Fingerprint.of(o.header(), o.openFile().filePacketCount());
            if (!now.equals(item.fingerprint())) {
                o.session().close();
                throw new IllegalStateException("the content of " + item.url() + " at origin "
                        + opened.hop().origin().hostPort() + " differs from the cached copy");
            }
            return fillSource(o, opened.hop(), group);
        }
        throw new IllegalStateException("no origin opened the fill session: " + (outcome instanceof
                OriginOutcome.Unreachable u ? u.lastFailure().reason() : outcome));
    }
}
