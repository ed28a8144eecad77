package io.mmsedge.cache;

import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cached on-demand entry: its header facts and fingerprint, and the data packets stored so
 * far. Coverage is a set of packet ranges that grow as fills write packets and merge; the item
 * is complete once every packet is present. Thread-safe: fills write on upstream event loops
 * while sessions read on theirs.
 *
 * <p>Packets are stored exactly as the origin sent them (padding already stripped, §2.2.2),
 * with their send time and whether they begin a video key frame, so that a session can seek
 * and stride in cached content without parsing the disk tier.
 *
 * <p>Locks, always taken in this order (any may be skipped): the item's write lock (in its
 * {@link ItemWriter}; one fill writes at a time: checks coverage, reserves quota, writes the
 * slot), the store lock (index and quota), the item's file lock (metadata rewrites and file
 * deletion), the item's state monitor (its {@link ItemLifecycle}: lifecycle state, pins and
 * coverage; held only for memory operations). Disk reads take no lock; listeners run with no
 * lock held.
 *
 * <p>Its life is one {@link ItemState} with an explicit table of moves: FILLING, COMPLETE, then
 * UNLINKED (out of the index), DELETED or CLOSED. The slot I/O is {@link ItemSlots}, reads go
 * through {@link ItemReader}, writes through {@link ItemWriter}, coverage is {@link ItemCoverage}.
 */
public final class CacheItem {

    private static final Logger LOG = LoggerFactory.getLogger(CacheItem.class);

    /** Outcome of {@link #write}. */
    public enum WriteResult {
        /** The packet is stored and covered from now on. */
        WRITTEN,
        /** Another fill stored it already: the writer has reached covered content. */
        ALREADY_COVERED,
        /**
         * Not stored: the item is invalid (evicted, replaced, discarded), the disk quota is full of
         * pinned items, the packet number is out of range, or it is larger than the packet size.
         */
        REFUSED,
        /**
         * Not stored: the disk tier could not take it (the file system is full even after evicting
         * what could be evicted, read-only or failing; see {@code DiskHealth}). The item stays in
         * the index, partial, never broken; a fill relays such packets to its players uncached.
         */
        UNSTORED
    }

    /** A hold against deletion; close it once, when the session or fill is done with the item. */
    public interface Pin extends AutoCloseable {
        @Override
        void close();
    }

    private final CacheStore store;
    private final ItemFiles files;
    private final ItemMeta meta; // the immutable part; complete flag and access times live below
    private final ContentInfo info;
    private final long packetCount;
    private final int packetSize;
    private final int slotSize;
    private final int metaSize;
    private final ItemSlots slots;
    private final ItemReader reader;
    private final ItemWriter writer;

    private final Object fileLock = new Object();
    /** The state monitor: lifecycle and pins, and the coverage that it guards. */
    private final ItemLifecycle state;
    private final ItemCoverage coverage;

    /** Quota bytes charged to this item (metadata + stored and reserved slots). Guarded by the store lock. */
    long accountedBytes;
    /** The files are deleted and {@link #accountedBytes} given back. Guarded by the store lock. */
    boolean accountingClosed;

    private volatile long lastAccessMillis;
    private volatile long accessSeq;
    private volatile long validatedAtMillis;

    CacheItem(CacheStore store, ItemFiles files, ItemMeta meta, ContentInfo info, int metaSize, SlotFile data,
            RangeSet coverage, long[] sendTimes, BitSet keyFrames, boolean complete) {
        this.store = store;
        this.files = files;
        this.meta = meta;
        this.info = info;
        this.packetCount = meta.packetCount();
        this.packetSize = meta.packetSize();
        this.slotSize = meta.slotSize();
        this.metaSize = metaSize;
        this.state = new ItemLifecycle(meta.url(), complete ? ItemState.COMPLETE : ItemState.FILLING);
        this.coverage = new ItemCoverage(meta.url(), packetCount, state, coverage, sendTimes, keyFrames);
        this.slots = new ItemSlots(meta.url(), data, packetSize, slotSize, this::corrupt);
        this.reader = new ItemReader(this, store, this.coverage, slots);
        this.writer = new ItemWriter(this, store, state, this.coverage, slots, packetSize, slotSize);
        this.lastAccessMillis = meta.lastAccessMillis();
        this.accessSeq = meta.accessSeq();
    }

    /** The origin URL this item caches (the cache key). */
    public String url() {
        return meta.url();
    }

    public Fingerprint fingerprint() {
        return meta.fingerprint();
    }

    /** Header facts as the origin reported them in ReportOpenFile (§2.2.4.7). */
    public ContentInfo info() {
        return info;
    }

    public long packetCount() {
        return packetCount;
    }

    /** True when the origin challenged players for this content (§2.2.4.14). */
    public boolean protectedContent() {
        return meta.protectedContent();
    }

    /**
     * Every packet is stored. Out of the index the coverage no longer changes, and says it: an
     * item evicted after it was complete still reads complete (a fill's status shows it so).
     */
    public boolean complete() {
        return coverage.complete();
    }

    /** False once the item was evicted, replaced by newer content or discarded: readers stop using it. */
    public boolean valid() {
        return state.valid();
    }

    /** Where the item is in its life. */
    ItemState state() {
        return state.state();
    }

    /** True when packet {@code n} is stored. */
    public boolean has(long n) {
        return coverage.has(n);
    }

    /** The first packet number at or after {@code n} that is not stored ({@link #packetCount()} if none). */
    public long coveredUntil(long n) {
        return coverage.coveredUntil(n);
    }

    /** Number of stored packets. */
    public long coveredPackets() {
        return coverage.count();
    }

    /** Stored ranges as {start, endExclusive} pairs, ascending, merged. A snapshot. */
    public List<long[]> coverage() {
        return coverage.ranges();
    }

    /** Send time (ms) of a stored packet; -1 when {@code n} is not stored. */
    public long sendTimeMs(long n) {
        return coverage.sendTimeMs(n);
    }

    /** True when stored packet {@code n} begins a video key frame (false when not stored). */
    public boolean keyFrame(long n) {
        return coverage.keyFrame(n);
    }

    /**
     * Reads stored packet {@code n}: from the memory tier when its chunk is there, otherwise from
     * disk (verifying its checksum) and, once the whole chunk is stored, into the memory tier.
     * The buffer is backed by memory no other reader can change or free (a heap array), so the
     * caller releases it without affecting anyone else; it is never a pooled buffer shared with
     * a removal listener. The buffer is read-only (a chunk of the memory tier is shared by
     * every reader of it): copy it to modify the packet.
     *
     * @throws CacheReadException if the packet is not stored, the item is gone, or the bytes are
     *                            corrupt (the item is then discarded)
     */
    public ByteBuf read(long n) {
        return reader.read(n, false, false).content();
    }

    /**
     * A stored packet as a session sends it: the buffer of {@link #read(long)} and the packet's
     * parsed payloads. From the memory tier the payloads were parsed once, when the chunk was
     * loaded, and every reader shares them; from disk they are parsed for this read.
     *
     * @param content  read-only, released by the caller (see {@link #read(long)})
     * @param payloads unmodifiable, offsets relative to {@code content}'s reader index
     */
    public record StoredPacket(ByteBuf content, List<AsfPayload> payloads) {
    }

    /** Reads packet {@code n} with its payloads; see {@link #read(long)} for the buffer and the errors. */
    public StoredPacket readPacket(long n) {
        return reader.read(n, true, false);
    }

    /**
     * Packet {@code n} as {@link #readPacket} when it can be had without touching the disk (its
     * chunk is in the memory tier), else null: then {@link #prefetch} it and read it once that
     * completes. Same errors as {@link #read(long)}.
     */
    public StoredPacket readPacketFromMemory(long n) {
        return reader.read(n, true, true);
    }

    /**
     * Reads packet {@code n} on the store's read threads, as {@link #readPacket} would (its whole
     * chunk goes into the memory tier once stored), and completes with it: the caller owns the
     * packet and releases it. Completes exceptionally with the read's {@link CacheReadException}.
     */
    public CompletableFuture<StoredPacket> prefetch(long n) {
        return reader.prefetch(n);
    }

    /**
     * Called by a reader at packet {@code n}: when {@code n} begins a chunk, the next chunk, if
     * stored and not in the memory tier, starts loading, so a player reading on finds it there.
     *
     * @return the load, or null when there is nothing to load
     */
    public CompletableFuture<Void> readAhead(long n) {
        return reader.readAhead(n);
    }

    /**
     * Stores packet {@code n} (its readable bytes; the buffer is not released). The disk write
     * happens before the packet counts as covered, and listeners are told after.
     */
    public WriteResult write(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame) {
        return writer.write(n, packet, sendTimeMs, keyFrame);
    }

    /** Every packet is stored: complete from now on (see {@link ItemWriter#markComplete}). */
    void markComplete() {
        writer.markComplete();
    }

    /** Rewrites the metadata (complete flag, last access) unless the files are gone. */
    void writeMeta() throws IOException {
        synchronized (fileLock) {
            if (state.state().filesReleased()) {
                return;
            }
            writeMetaLocked();
        }
    }

    /** Under the file lock. */
    private void writeMetaLocked() throws IOException {
        files.writeMeta(meta.withState(complete(), lastAccessMillis, accessSeq).encode());
    }

    /** Holds the item against deletion while a session reads or a fill writes it. */
    public Pin pin() {
        state.pin();
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                store.unpin(this);
            }
        };
    }

    /** Current pins. */
    public int pins() {
        return state.pins();
    }

    /**
     * Calls {@code listener} (on the writer's thread) after each write that covers a new packet,
     * and once when the item becomes invalid. Closing the returned handle removes it. Added to
     * an item that is invalid already, it is called once at once.
     */
    public AutoCloseable addListener(Runnable listener) {
        return state.addListener(listener);
    }

    /** When the origin last confirmed this fingerprint (epoch ms); 0 = never in this run. */
    public long validatedAtMillis() {
        return validatedAtMillis;
    }

    public void markValidated(long epochMillis) {
        validatedAtMillis = epochMillis;
    }

    /** Bytes this item holds on disk. */
    public long diskBytes() {
        return coverage.diskBytes(slotSize, metaSize);
    }

    /** Last time a session opened or read it (epoch ms): the LRU order. */
    public long lastAccessMillis() {
        return lastAccessMillis;
    }

    @Override
    public String toString() {
        return "CacheItem[" + url() + ", " + files.base() + ", " + coveredPackets() + "/" + packetCount
                + (complete() ? ", complete" : "") + (valid() ? "" : ", invalid") + "]";
    }

    // ---- store side -------------------------------------------------------------------------

    /** Unique id: the files' base name (never reused within a directory). */
    String id() {
        return files.base();
    }

    ItemFiles files() {
        return files;
    }

    int slotSize() {
        return slotSize;
    }

    int metaSize() {
        return metaSize;
    }

    long chunks() {
        return reader.chunks();
    }

    long accessSeq() {
        return accessSeq;
    }

    /** Counts as an access for the LRU order. */
    void touch() {
        lastAccessMillis = System.currentTimeMillis();
        accessSeq = store.nextAccessSeq();
    }

    /** Leaves the index: invalid from now on. Under the store lock. */
    ItemLifecycle.Retirement retire() {
        return state.unlink();
    }

    /** Drops a pin; true when it was the last one of a retired item, whose files are now to go. Under the store lock. */
    boolean unpinned() {
        return state.unpinned();
    }

    /** For eviction: not pinned (under the store lock; a pin may still come, {@link #retire} decides). */
    boolean unpinnedNow() {
        return state.unpinnedNow();
    }

    /** Closes and deletes the files of a retired item (once). Under the store lock. */
    void deleteFiles() {
        if (!state.beginDelete()) {
            return;
        }
        synchronized (fileLock) {
            slots.close();
            try {
                files.deleteAll();
            } catch (IOException e) {
                LOG.warn("cache: could not delete the files of {} ({}): {}", url(), files.base(), e.toString());
            }
        }
    }

    /** Store close: stop serving, flush, persist the last access, close. The files stay. */
    void shutDown() {
        writer.exclusive(() -> {
            synchronized (fileLock) {
                if (!state.close()) {
                    return; // discarded while the store closed: its files are gone
                }
                try {
                    slots.force();
                    writeMetaLocked();
                } catch (IOException e) {
                    LOG.warn("cache: could not save {} on close: {}", url(), e.toString());
                }
                slots.close(); // for this run: nothing may write them any more
            }
        });
    }

    /** Tells listeners the item is invalid, once. Called with no lock held. */
    void announceInvalid() {
        state.announceInvalid();
    }

    /**
     * A slot failed its checksum on read. In the index, only that packet is dropped (issue #17):
     * it is no longer covered nor charged, the metadata no longer says complete, and a fill
     * fetches it from the origin again for the player that found it. Out of the index the item
     * is on its way out; nothing changes.
     */
    private CacheReadException corrupt(long n) {
        if (state.state() == ItemState.DELETED) {
            // Deleted while we read it: a short read of a closed file, not corruption.
            return new CacheReadException(url() + ": the item is gone (evicted, replaced or discarded)");
        }
        String reason = "packet " + n + " fails its checksum on read";
        if (!coverage.drop(n)) {
            return new CacheReadException(url() + ": " + reason + (valid() ? "" : " (the item left the cache)"));
        }
        store.release(this, slotSize);
        store.metrics().packetDropped();
        LOG.warn("cache: {} of {} ({}): dropped from the cache, to be fetched from the origin again", reason, url(),
                files.data().getFileName());
        store.inBackground(() -> {
            try {
                writeMeta(); // no longer complete: a restart keeps the packets that verify
            } catch (IOException e) {
                LOG.warn("cache: could not record {} as incomplete: {}", url(), e.toString());
            }
        });
        return new CacheReadException(url() + ": " + reason + "; dropped, to be fetched again", true);
    }
}
