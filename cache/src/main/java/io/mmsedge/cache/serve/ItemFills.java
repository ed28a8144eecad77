package io.mmsedge.cache.serve;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream fills of one cached item, so that any number of players wanting the same
 * uncached packets cost the origin one data session (coalescing). A player that needs packet
 * {@code n} follows a running fill that will reach {@code n} soon; only a player far from every
 * fill (a seek beyond the cached range) starts another. Each fill runs until the item is
 * complete, moving its session to the next gap no other fill is heading for, so what one
 * player started finishes as one transfer even after that player left.
 */
final class ItemFills {

    private static final Logger log = LoggerFactory.getLogger(ItemFills.class);
    /** A failed fill is not retried for this long: the waiting players get its error instead. */
    private static final long RETRY_AFTER_NANOS = 2_000_000_000L;

    /** Outcome of {@link #need}. */
    record Need(boolean spareUsed, int failedHr, String failure) {
        static final Need FOLLOWING = new Need(false, 0, null);

        boolean failed() {
            return failure != null;
        }
    }

    private final CacheItem item;
    private final CacheMetrics metrics;
    private final int videoStream;
    /** How far ahead of a fill a player may wait for it instead of starting its own. */
    private final long followWindow;
    private final List<Fill> active = new ArrayList<>();
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();
    /** The players reading this item: what fills relay uncached is kept until they pass it. */
    private final Set<Reader> readers = ConcurrentHashMap.newKeySet();
    /** Packets fills could not store (the disk tier failing), for {@link #readers}. */
    private final UncachedWindow uncached;
    /** Packets a fill starts before the one it is for, so the origin's streams sync before it. */
    private final long baseLeadIn;
    /** The packet last started for, and how far before it: doubled each time it is started for again. */
    private long lastLeadInFor = -1;
    private long lastLeadIn;
    private Filler filler;
    private long failedAtNanos;
    private int failedHr;
    private String failure;
    private long fillsStarted;

    ItemFills(CacheItem item, CacheMetrics metrics) {
        this.item = item;
        this.metrics = metrics;
        ContentInfo info = item.info();
        this.videoStream = info.firstVideoStream();
        // Ten seconds of content (at least 64 packets): a player this close behind a fill's
        // position gets its packets within seconds, at the origin's pace.
        long packetsPerSecond = info.packetSize() <= 0 ? 0 : info.bitRate() / 8 / info.packetSize();
        this.followWindow = Math.max(64, 10 * packetsPerSecond);
        // Four seconds of content: past one key-frame interval of most encodings.
        this.baseLeadIn = Math.max(16, 4 * packetsPerSecond);
        // The follow window (at most 8 MiB of packets, at least 32): how far a fill relaying
        // uncached runs ahead of the slowest player behind it before it pauses its upstream.
        long maxPackets = info.packetSize() <= 0 ? 32 : (8L << 20) / info.packetSize();
        this.uncached = new UncachedWindow((int) Math.max(32, Math.min(followWindow, maxPackets)));
    }

    /** A player reading the item (a cursor): where it is, and how to wake it. */
    interface Reader {
        /** The next packet it needs; {@link Long#MAX_VALUE} when it needs none. */
        long position();

        /** A packet was relayed uncached: wake the player if it waits for one. */
        void packetRelayed();
    }

    /**
     * Where a fill for packet {@code n} starts: far enough before it that the origin's streams
     * sync on packets already stored or not needed (see {@link Fill}); twice as far each time
     * the same packet is asked for again (a key-frame interval longer than the lead-in), and
     * at the start of the content at most, where nothing is dropped unseen.
     */
    synchronized long leadIn(long n) {
        if (n <= 0) {
            return 0;
        }
        long lead = n == lastLeadInFor ? Math.min(n, lastLeadIn * 2) : Math.min(n, baseLeadIn);
        lastLeadInFor = n;
        lastLeadIn = Math.max(1, lead);
        return n - lead;
    }

    CacheItem item() {
        return item;
    }

    int videoStream() {
        return videoStream;
    }

    CacheMetrics metrics() {
        return metrics;
    }

    /** Fills started for this item so far (status and tests). */
    synchronized long fillsStarted() {
        return fillsStarted;
    }

    synchronized int activeFills() {
        return active.size();
    }

    /** The newest way to open upstream sessions for this item (players' requests carry it). */
    synchronized void offerFiller(Filler f) {
        if (f != null) {
            filler = f;
        }
    }

    /** The newest way to open upstream sessions for this item, or null. */
    synchronized Filler filler() {
        return filler;
    }

    /** Registers a player reading the item; closing the handle removes it. */
    AutoCloseable addReader(Reader r) {
        readers.add(r);
        return () -> {
            readers.remove(r);
            readerMoved();
        };
    }

    /** Packet {@code n} as a fill relayed it uncached (the disk tier did not store it), or null. */
    UncachedWindow.Packet uncached(long n) {
        return uncached.isEmpty() ? null : uncached.get(n);
    }

    /**
     * A fill received packet {@code p} and the disk tier did not store it: kept for the players
     * behind the fill, who are woken. The fill pauses its upstream reads when it is a window
     * ahead of the slowest of them. False when no player is behind it: the fill stops.
     */
    boolean relay(Fill f, UncachedWindow.Packet p) {
        synchronized (this) {
            long slowest = slowestBehind(p.number());
            if (slowest == Long.MAX_VALUE) {
                return false;
            }
            uncached.put(p, slowestBehind(Long.MAX_VALUE - 1));
            if (p.number() - slowest >= uncached.capacity()) {
                f.pause();
            }
        }
        metrics.bytesUncached(p.bytes().length);
        for (Reader r : readers) {
            r.packetRelayed();
        }
        return true;
    }

    /**
     * A player moved on (or left): drops relayed packets nobody needs any more, resumes paused
     * fills the slowest player behind is within half a window of, and stops those nobody is
     * behind.
     */
    void readerMoved() {
        if (uncached.isEmpty()) {
            return;
        }
        List<Fill> resume = new ArrayList<>();
        List<Fill> stop = new ArrayList<>();
        synchronized (this) {
            uncached.trim(slowestBehind(Long.MAX_VALUE - 1));
            for (Fill f : active) {
                if (!f.paused()) {
                    continue;
                }
                long slowest = slowestBehind(f.position());
                if (slowest == Long.MAX_VALUE) {
                    stop.add(f);
                } else if (f.position() - slowest < uncached.capacity() / 2) {
                    resume.add(f);
                }
            }
        }
        resume.forEach(Fill::resume);
        stop.forEach(f -> f.stopUncached("no player is behind it any more"));
    }

    /** The lowest position of the readers at or before {@code n}; {@link Long#MAX_VALUE} when none is. */
    private long slowestBehind(long n) {
        long min = Long.MAX_VALUE;
        for (Reader r : readers) {
            long pos = r.position();
            if (pos <= n && pos < min) {
                min = pos;
            }
        }
        return min;
    }

    /** Called when something a waiting player cares about happened (fill failed, item gone). */
    AutoCloseable addWaiter(Runnable r) {
        waiters.add(r);
        return () -> waiters.remove(r);
    }

    /**
     * A player needs packet {@code n}, which is not stored. Follows a fill that will reach it,
     * or starts one at {@code n} — with {@code spare} (an upstream session already open for this
     * player) when given, otherwise a new one.
     */
    synchronized Need need(long n, FillSource spare) {
        if (!item.valid()) {
            return new Need(false, Hresults.E_FAIL, "the cached item was replaced or evicted while playing");
        }
        long window = Math.max(followWindow, lastLeadIn);
        for (Fill f : active) {
            long pos = f.position();
            if (pos < 0 || (pos <= n && n - pos <= window)) {
                return Need.FOLLOWING; // pos < 0: a fill still opening; it will reach n or a player asks again
            }
        }
        if (failure != null && System.nanoTime() - failedAtNanos < RETRY_AFTER_NANOS) {
            return new Need(false, failedHr, failure);
        }
        boolean useSpare = spare != null;
        if (!useSpare && filler == null) {
            return new Need(false, Hresults.NS_E_CANNOTCONNECT, "no upstream to fill the cache from");
        }
        start(leadIn(n), n, Double.NaN, useSpare ? spare : null);
        return useSpare ? new Need(true, 0, null) : Need.FOLLOWING;
    }

    /**
     * Starts a fill at a time position (a seek into content that is not stored): the origin
     * picks the packet. Completes with the first packet number the fill delivers.
     */
    synchronized CompletableFuture<Long> fillAt(double positionSeconds, FillSource spare) {
        if (spare == null && filler == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no upstream to fill the cache from"));
        }
        return start(-1, -1, positionSeconds, spare).firstPacket();
    }

    /** Fills the whole item ahead of demand (prestuffing), unless fills already run. */
    synchronized boolean prestuff(FillSource spare) {
        if (!active.isEmpty() || item.complete()) {
            if (spare != null) {
                spare.close();
            }
            return false;
        }
        long gap = item.coveredUntil(0);
        start(leadIn(gap), gap, Double.NaN, spare);
        return true;
    }

    private Fill start(long packet, long target, double positionSeconds, FillSource spare) {
        Fill fill = new Fill(this, packet, target);
        active.add(fill);
        fillsStarted++;
        metrics.fillsInFlight(1);
        log.info("cache fill of {} starting at {}{}", item.url(),
                Double.isNaN(positionSeconds) ? "packet " + packet : positionSeconds + " s",
                spare != null ? " (on the player's session)" : "");
        if (spare != null) {
            fill.attach(spare, packet, positionSeconds);
        } else {
            Filler f = filler;
            f.open().whenComplete((source, err) -> {
                if (err != null) {
                    Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                            ? err.getCause() : err;
                    fill.failed(Hresults.NS_E_CANNOTCONNECT, "cannot open an upstream session for the fill: "
                            + (c.getMessage() != null ? c.getMessage() : c));
                } else {
                    fill.attach(source, packet, positionSeconds);
                }
            });
        }
        return fill;
    }

    /**
     * Where a fill that reached stored packets at {@code from} should go next: the first gap at
     * or after it (else from the start) that no other fill is about to fill; -1 when none.
     */
    synchronized long nextGapFor(Fill self, long from) {
        if (item.complete() || !item.valid()) {
            return -1;
        }
        long count = item.packetCount();
        long gap = from < count ? item.coveredUntil(from) : count;
        if (gap >= count) {
            gap = item.coveredUntil(0);
        }
        if (gap >= count) {
            return -1;
        }
        for (Fill f : active) {
            long pos = f.position();
            if (f != self && pos >= 0 && pos <= gap && gap - pos <= followWindow) {
                // Another fill will get there; take the gap after it, if any.
                long after = item.coveredUntil(Math.min(count, pos + followWindow + 1));
                return after >= count || after == gap ? -1 : after;
            }
        }
        return gap;
    }

    /** A fill is over: the item is complete, or it found nothing more to do. */
    synchronized void finished(Fill f) {
        if (active.remove(f)) {
            metrics.fillsInFlight(-1);
        }
        notifyWaiters();
    }

    /** A fill failed: players waiting for its packets get this error, and no fill is retried for a moment. */
    void failed(Fill f, int hr, String reason) {
        synchronized (this) {
            if (active.remove(f)) {
                metrics.fillsInFlight(-1);
            }
            failure = reason;
            failedHr = Hresults.failed(hr) ? hr : Hresults.E_FAIL;
            failedAtNanos = System.nanoTime();
        }
        log.warn("cache fill of {} failed: {}", item.url(), reason);
        notifyWaiters();
    }

    /** Stops every fill (the item is gone, or the service shuts down). */
    void closeAll() {
        List<Fill> all;
        synchronized (this) {
            all = new ArrayList<>(active);
        }
        for (Fill f : all) {
            f.stop();
        }
        uncached.clear();
    }

    private void notifyWaiters() {
        for (Runnable r : waiters) {
            r.run();
        }
    }
}
