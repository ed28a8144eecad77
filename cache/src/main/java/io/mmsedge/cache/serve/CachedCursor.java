package io.mmsedge.cache.serve;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheReadException;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.PacketCursor;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a cached item for one play request. Stored packets come from the cache and are paced
 * by the session like a file's; at a packet not stored yet it asks {@link ItemFills} for it and
 * waits (returns null) until a fill writes it. At striding rates (§2.2.4.26) only packets that
 * begin a video key frame are returned; backwards, packets not stored are skipped.
 *
 * <p>A packet whose chunk is only on disk is not read on the caller's thread (the session's
 * event loop, shared with many other players): the cursor has the store read it on its read
 * threads, returns null meanwhile and wakes the session when it is in memory.
 */
final class CachedCursor implements PacketCursor, ItemFills.Reader {

    private final CachedMedia media;
    private final CacheItem item;
    private final ItemFills fills;
    private final int step;
    private final boolean keyFramesOnly;
    private volatile CompletableFuture<Long> pendingStart;
    private volatile long next;
    private volatile boolean closed;
    private final AutoCloseable readerHandle;
    private AutoCloseable itemListener;
    private AutoCloseable fillListener;
    private volatile Runnable wake;
    /** True from the start of a poll until it returns a packet (see {@link #onAvailable}). */
    private volatile boolean waiting = true;
    /** Packet {@link #pendingReadOf} being read on the store's read threads (null when none). */
    private CompletableFuture<CacheItem.StoredPacket> pendingRead;
    private long pendingReadOf = -1;
    /**
     * What was stored when this play request began ({start, endExclusive} ranges): a packet in
     * it counts as served from the cache, any other as from the origin (a fill fetched it while
     * this player played). So each byte a player is sent is counted once, under its source; the
     * fill's own count of what it stored is {@link io.mmsedge.cache.CacheMetrics#bytesFilled}.
     */
    private final List<long[]> storedAtStart;

    CachedCursor(CachedMedia media, ItemFills fills, long startPacket, double rate, CompletableFuture<Long> pendingStart) {
        this.media = media;
        this.fills = fills;
        this.item = fills.item();
        this.step = rate < 0 ? -1 : 1;
        this.keyFramesOnly = rate != 1.0 && fills.videoStream() > 0;
        this.pendingStart = pendingStart;
        this.storedAtStart = item.coverage();
        long count = item.packetCount();
        this.next = count == 0 ? -1 : Math.max(0, Math.min(startPacket, count - 1));
        this.readerHandle = fills.addReader(this);
    }

    /**
     * Where this player reads, for the packets fills relay uncached: while a seek waits for its
     * fill's first packet, it needs whatever comes (0 holds them all).
     */
    @Override
    public long position() {
        if (closed) {
            return Long.MAX_VALUE;
        }
        if (pendingStart != null) {
            return 0;
        }
        long n = next;
        return n < 0 || n >= item.packetCount() ? Long.MAX_VALUE : n;
    }

    @Override
    public void packetRelayed() {
        Runnable w = wake;
        if (waiting && w != null) {
            w.run();
        }
    }

    @Override
    public MediaPacket poll() {
        // Set before anything is looked at, so a packet stored right after a check still wakes it.
        waiting = true;
        if (closed) {
            return null;
        }
        if (!checkPassed()) {
            return null; // the freshness check runs; onAvailable's listener wakes the session when it ends
        }
        if (pendingStart != null) {
            if (!pendingStart.isDone()) {
                return null; // the fill the seek started has not delivered its first packet yet
            }
            try {
                next = pendingStart.join();
            } catch (RuntimeException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                throw new MediaReadException(Hresults.NS_E_CANNOTCONNECT, "seek beyond the cached range failed: "
                        + c.getMessage());
            } finally {
                pendingStart = null;
            }
        }
        if (pendingRead != null && !pendingRead.isDone()) {
            return null; // the store's read threads are bringing the packet off the disk
        }
        long count = item.packetCount();
        while (next >= 0 && next < count) {
            long n = next;
            if (!item.has(n)) {
                if (step < 0) {
                    next += step; // backwards striding shows what is stored
                    continue;
                }
                UncachedWindow.Packet u = fills.uncached(n);
                if (u != null) {
                    // Not stored (the disk tier failing): relayed by a fill, from memory.
                    next += step;
                    if (keyFramesOnly && !u.keyFrame()) {
                        continue;
                    }
                    waiting = false;
                    fills.metrics().bytesFromOrigin(u.bytes().length);
                    fills.readerMoved();
                    return u.media();
                }
                ItemFills.Need need = fills.need(n, media.spare());
                if (need.spareUsed()) {
                    media.spareTaken();
                }
                if (need.failed()) {
                    throw new MediaReadException(need.failedHr(), need.failure());
                }
                return null; // the item listener wakes the session when a fill stores it
            }
            if (keyFramesOnly && !item.keyFrame(n)) {
                next += step;
                continue;
            }
            MediaPacket p;
            try {
                p = read(n);
            } catch (DroppedPacket e) {
                continue; // failed its checksum: no longer stored, a fill fetches it again
            }
            if (p == null) {
                return null; // being read from disk, off this thread; the wake-up follows
            }
            next += step;
            waiting = false; // the session paces itself to the next poll: fill writes need not wake it
            return p;
        }
        return null;
    }

    /**
     * Whether the freshness check overlapped with this player's open passed (true when there was
     * none). A check that failed fails the session: the player was told what the cache holds, and
     * the origin no longer serves it: the session ends with ReportEndOfStream carrying the error's
     * hr (MS-MMSP §2.2.4.5: any hr but 0 and 1 is an error, as MS-ERREF defines it).
     */
    private boolean checkPassed() {
        CompletableFuture<Void> c = media.confirmed();
        if (c == null) {
            return true;
        }
        if (!c.isDone()) {
            return false;
        }
        try {
            c.join(); // done: returns at once, or throws what the check failed with
            return true;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable why = e.getCause() != null ? e.getCause() : e;
            if (why instanceof MediaReadException m) {
                throw m;
            }
            throw new MediaReadException(Hresults.E_FAIL, "the freshness check of " + item.url() + " failed: "
                    + why.getMessage());
        }
    }

    /** Packet {@code n}, or null while the store's read threads bring it off the disk. */
    private MediaPacket read(long n) {
        CacheItem.StoredPacket p;
        try {
            p = takePendingRead(n);
            if (p == null) {
                p = item.readPacketFromMemory(n);
            }
            if (p == null) {
                CompletableFuture<CacheItem.StoredPacket> f = item.prefetch(n);
                pendingRead = f;
                pendingReadOf = n;
                f.whenComplete((v, e) -> {
                    Runnable w = wake;
                    if (w != null) {
                        w.run();
                    }
                });
                return null;
            }
            if (step > 0) {
                item.readAhead(n);
            }
        } catch (CacheReadException e) {
            if (e.dropped()) {
                throw new DroppedPacket();
            }
            throw new MediaReadException("cached packet " + n + " of " + item.url() + " cannot be read: "
                    + e.getMessage(), e);
        }
        if (storedAtStart(n)) {
            fills.metrics().bytesFromCache(p.content().readableBytes());
        } else {
            fills.metrics().bytesFromOrigin(p.content().readableBytes());
        }
        // The payloads come parsed (once per memory-tier chunk, shared by every player).
        return new MediaPacket(n, item.sendTimeMs(n), p.payloads(), p.content());
    }

    /** A packet dropped from the item as it was read (a checksum failure): fetch it as any packet not stored. */
    private static final class DroppedPacket extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DroppedPacket() {
            super(null, null, false, false);
        }
    }

    private boolean storedAtStart(long n) {
        int lo = 0;
        int hi = storedAtStart.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long[] r = storedAtStart.get(mid);
            if (n < r[0]) {
                hi = mid - 1;
            } else if (n >= r[1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The finished read of packet {@code n}, or null; a read of another packet is dropped. */
    private CacheItem.StoredPacket takePendingRead(long n) {
        CompletableFuture<CacheItem.StoredPacket> f = pendingRead;
        if (f == null) {
            return null;
        }
        pendingRead = null;
        CacheItem.StoredPacket p;
        try {
            p = f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof CacheReadException c) {
                throw c;
            }
            throw e;
        }
        if (pendingReadOf != n) {
            p.content().release();
            return null;
        }
        return p;
    }

    @Override
    public boolean finished() {
        return closed || (pendingStart == null && (next < 0 || next >= item.packetCount()));
    }

    @Override
    public void onAvailable(Runnable listener) {
        wake = listener;
        closeListeners();
        // Every packet a fill stores calls this: only a cursor that came up empty wakes its session
        // (one task on its loop), not every player reading stored packets behind the fill.
        itemListener = item.addListener(() -> {
            if (waiting) {
                listener.run();
            }
        });
        fillListener = fills.addWaiter(listener);
        CompletableFuture<Void> c = media.confirmed();
        if (c != null && !c.isDone()) {
            c.whenComplete((v, e) -> {
                Runnable w = wake;
                if (w != null) {
                    w.run();
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            readerHandle.close();
        } catch (Exception ignored) {
            // removing a reader cannot fail
        }
        if (pendingRead != null) {
            pendingRead.thenAccept(p -> p.content().release()); // nobody will take it now
            pendingRead = null;
        }
        wake = null;
        closeListeners();
    }

    private void closeListeners() {
        for (AutoCloseable c : new AutoCloseable[] {itemListener, fillListener}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // removing a listener cannot fail
                }
            }
        }
        itemListener = null;
        fillListener = null;
    }
}
