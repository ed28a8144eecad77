package io.mmsedge.cache;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Locks, always taken in this order (any may be skipped): the item's write lock (one fill
 * writes at a time: checks coverage, reserves quota, writes the slot), the store lock (index and
 * quota), the item's file lock (metadata rewrites and file deletion), the item's state monitor
 * (coverage, pins, validity; held only for memory operations). Disk reads take no lock; listeners
 * run with no lock held.
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
        REFUSED
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
    private final int chunkPackets;
    private final SlotFile data;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object fileLock = new Object();
    private final Object state = new Object();

    // Guarded by state.
    private final RangeSet coverage;
    private final long[] sendTimes;
    private final BitSet keyFrames;
    private boolean complete;
    private boolean valid = true;
    private int pins;
    /** The files are deleted or about to be (under the store lock): nothing may use them any more. */
    private boolean deleting;
    /** The store closed: the files stay for the next start. */
    private boolean shutDown;

    // Guarded by fileLock.
    private boolean filesGone;

    /** Quota bytes charged to this item (metadata + stored and reserved slots). Guarded by the store lock. */
    long accountedBytes;
    /** The files are deleted and {@link #accountedBytes} given back. Guarded by the store lock. */
    boolean accountingClosed;

    private volatile long lastAccessMillis;
    private volatile long accessSeq;
    private volatile long validatedAtMillis;

    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean invalidAnnounced = new AtomicBoolean();

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
        this.chunkPackets = store.settings().chunkPackets();
        this.data = data;
        this.coverage = coverage;
        this.sendTimes = sendTimes;
        this.keyFrames = keyFrames;
        this.complete = complete;
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

    /** Every packet is stored. */
    public boolean complete() {
        synchronized (state) {
            return complete;
        }
    }

    /** False once the item was evicted, replaced by newer content or discarded: readers stop using it. */
    public boolean valid() {
        synchronized (state) {
            return valid;
        }
    }

    /** True when packet {@code n} is stored. */
    public boolean has(long n) {
        synchronized (state) {
            return coverage.contains(n);
        }
    }

    /** The first packet number at or after {@code n} that is not stored ({@link #packetCount()} if none). */
    public long coveredUntil(long n) {
        if (n >= packetCount) {
            return packetCount;
        }
        synchronized (state) {
            return Math.min(packetCount, coverage.nextMissing(Math.max(0, n)));
        }
    }

    /** Number of stored packets. */
    public long coveredPackets() {
        synchronized (state) {
            return coverage.count();
        }
    }

    /** Stored ranges as {start, endExclusive} pairs, ascending, merged. A snapshot. */
    public List<long[]> coverage() {
        synchronized (state) {
            return coverage.ranges();
        }
    }

    /** Send time (ms) of a stored packet; -1 when {@code n} is not stored. */
    public long sendTimeMs(long n) {
        synchronized (state) {
            return coverage.contains(n) ? sendTimes[(int) n] : -1;
        }
    }

    /** True when stored packet {@code n} begins a video key frame (false when not stored). */
    public boolean keyFrame(long n) {
        synchronized (state) {
            return coverage.contains(n) && keyFrames.get((int) n);
        }
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
        return read(n, false, false).content();
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
        return read(n, true, false);
    }

    /**
     * Packet {@code n} as {@link #readPacket} when it can be had without touching the disk (its
     * chunk is in the memory tier), else null: then {@link #prefetch} it and read it once that
     * completes. Same errors as {@link #read(long)}.
     */
    public StoredPacket readPacketFromMemory(long n) {
        return read(n, true, true);
    }

    /**
     * Reads packet {@code n} on the store's read threads, as {@link #readPacket} would (its whole
     * chunk goes into the memory tier once stored), and completes with it: the caller owns the
     * packet and releases it. Completes exceptionally with the read's {@link CacheReadException}.
     */
    public CompletableFuture<StoredPacket> prefetch(long n) {
        CompletableFuture<StoredPacket> f = new CompletableFuture<>();
        boolean queued = store.readInBackground(() -> {
            try {
                f.complete(read(n, true, false));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        if (!queued) {
            f.completeExceptionally(new CacheReadException(url() + ": the cache is closing"));
        }
        return f;
    }

    /**
     * Called by a reader at packet {@code n}: when {@code n} begins a chunk, the next chunk, if
     * stored and not in the memory tier, starts loading, so a player reading on finds it there.
     *
     * @return the load, or null when there is nothing to load
     */
    public CompletableFuture<Void> readAhead(long n) {
        if (n % chunkPackets != 0) {
            return null;
        }
        long start = n + chunkPackets;
        MemoryTier memory = store.memory();
        if (start >= packetCount || !memory.enabled() || memory.contains(id(), start / chunkPackets)) {
            return null;
        }
        synchronized (state) {
            if (!coverage.containsAll(start, Math.min(start + chunkPackets, packetCount))) {
                return null;
            }
        }
        return prefetch(start).thenAccept(p -> p.content().release());
    }

    private StoredPacket read(long n, boolean withPayloads, boolean memoryOnly) {
        if (n < 0 || n >= packetCount) {
            throw new CacheReadException(url() + ": packet " + n + " outside [0, " + packetCount + ")");
        }
        long chunk = n / chunkPackets;
        long chunkStart = chunk * chunkPackets;
        long chunkEnd = Math.min(chunkStart + chunkPackets, packetCount);
        boolean chunkStored;
        boolean inIndex;
        synchronized (state) {
            if (deleting) {
                throw new CacheReadException(url() + ": the item is gone (evicted, replaced or discarded)");
            }
            if (!coverage.contains(n)) {
                throw new CacheReadException(url() + ": packet " + n + " is not stored");
            }
            chunkStored = coverage.containsAll(chunkStart, chunkEnd);
            inIndex = valid;
        }
        touch();
        MemoryTier memory = store.memory();
        if (memory.enabled() && inIndex) {
            MemoryTier.Chunk c = memory.get(id(), chunk);
            if (c == null && memoryOnly) {
                return null;
            }
            if (c == null && chunkStored) {
                c = loadChunk(chunkStart, chunkEnd);
                memory.put(id(), chunk, c);
                if (!valid()) {
                    memory.invalidate(id(), chunk); // left the index meanwhile: don't keep it
                }
            }
            if (c != null) {
                int i = (int) (n - chunkStart);
                return new StoredPacket(c.packet(i), c.payloads(i));
            }
        }
        if (memoryOnly) {
            return null;
        }
        ByteBuf slot = readSlot(n);
        if (!withPayloads) {
            return new StoredPacket(slot, List.of());
        }
        try {
            return new StoredPacket(slot, List.copyOf(AsfPacket.parse(slot, packetSize).payloads()));
        } catch (AsfFormatException e) {
            slot.release();
            throw new CacheReadException(url() + ": packet " + n + " is not a valid ASF packet: " + e.getMessage(), e);
        }
    }

    /**
     * Stores packet {@code n} (its readable bytes; the buffer is not released). The disk write
     * happens before the packet counts as covered, and listeners are told after.
     */
    public WriteResult write(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame) {
        Objects.requireNonNull(packet, "packet");
        int length = packet.readableBytes();
        if (n < 0 || n >= packetCount || length == 0 || length > packetSize) {
            return WriteResult.REFUSED;
        }
        CacheStore.Reservation reservation = null;
        WriteResult result;
        writeLock.lock();
        try {
            result = resultWithoutWriting(n);
            if (result == null) {
                reservation = store.reserve(this, slotSize);
                result = reservation.granted() ? storeSlot(n, packet, sendTimeMs, keyFrame) : WriteResult.REFUSED;
            }
        } finally {
            writeLock.unlock();
        }
        if (reservation != null) {
            store.retired(reservation.evicted());
        }
        if (result == WriteResult.WRITTEN) {
            fireWritten();
        }
        return result;
    }

    /** The result when no disk write is needed (invalid, covered already); null to go on. Under the write lock. */
    private WriteResult resultWithoutWriting(long n) {
        synchronized (state) {
            if (!valid) {
                return WriteResult.REFUSED;
            }
            if (coverage.contains(n)) {
                return WriteResult.ALREADY_COVERED;
            }
        }
        return null;
    }

    /** Writes the slot for which quota is reserved, then covers it. Under the write lock. */
    private WriteResult storeSlot(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame) {
        ByteBuffer slot = SlotFormat.encode(slotSize, packet, sendTimeMs, keyFrame);
        try {
            data.write(slot, n * slotSize);
        } catch (IOException e) {
            store.release(this, slotSize);
            if (valid()) {
                LOG.warn("cache write of {} packet {} failed: {}", url(), n, e.toString());
            }
            return WriteResult.REFUSED;
        }
        boolean nowComplete;
        boolean covered;
        synchronized (state) {
            covered = valid;
            if (!valid) {
                nowComplete = false;
            } else {
                coverage.add(n);
                sendTimes[(int) n] = sendTimeMs;
                keyFrames.set((int) n, keyFrame);
                nowComplete = coverage.count() == packetCount;
            }
        }
        if (!covered) {
            // Left the index during the write: nothing is covered, give the room back.
            store.release(this, slotSize);
            return WriteResult.REFUSED;
        }
        if (nowComplete) {
            markComplete();
        }
        return WriteResult.WRITTEN;
    }

    /**
     * Every packet is stored: complete from now on. Recording it on disk waits for fsyncs, so it
     * runs on the store's I/O thread, never on the event loop that wrote the last packet: the
     * data is forced first, then the metadata says complete. Until then a restart re-verifies
     * the slots, and finds the item complete if they all verify.
     */
    void markComplete() {
        synchronized (state) {
            complete = true;
        }
        store.inBackground(this::recordComplete);
    }

    private void recordComplete() {
        try {
            data.force();
        } catch (IOException e) {
            if (valid()) {
                LOG.warn("cache: could not flush {} to disk; the next start verifies it again: {}", url(),
                        e.toString());
            }
            return;
        }
        try {
            writeMeta();
        } catch (IOException e) {
            if (valid()) {
                LOG.warn("cache: could not record {} as complete: {}", url(), e.toString());
            }
        }
    }

    /** Rewrites the metadata (complete flag, last access) unless the files are gone. */
    void writeMeta() throws IOException {
        synchronized (fileLock) {
            if (filesGone) {
                return;
            }
            files.writeMeta(meta.withState(complete(), lastAccessMillis, accessSeq).encode());
        }
    }

    /** Holds the item against deletion while a session reads or a fill writes it. */
    public Pin pin() {
        synchronized (state) {
            pins++;
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                store.unpin(this);
            }
        };
    }

    /** Current pins. */
    public int pins() {
        synchronized (state) {
            return pins;
        }
    }

    /**
     * Calls {@code listener} (on the writer's thread) after each write that covers a new packet,
     * and once when the item becomes invalid. Closing the returned handle removes it. Added to
     * an item that is invalid already, it is called once at once.
     */
    public AutoCloseable addListener(Runnable listener) {
        Listener l = new Listener(Objects.requireNonNull(listener, "listener"));
        listeners.add(l);
        if (invalidAnnounced.get()) {
            l.invalid();
        }
        return () -> listeners.remove(l);
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
        synchronized (state) {
            return deleting ? 0 : coverage.count() * slotSize + metaSize;
        }
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
        return (packetCount + chunkPackets - 1) / chunkPackets;
    }

    long accessSeq() {
        return accessSeq;
    }

    /** Counts as an access for the LRU order. */
    void touch() {
        lastAccessMillis = System.currentTimeMillis();
        accessSeq = store.nextAccessSeq();
    }

    /** What {@link #retire} did. */
    enum Retirement {
        /** Invalid now and nobody holds a pin: delete the files now. */
        DELETE_NOW,
        /** Invalid now; the last pin to close deletes the files. */
        WHEN_UNPINNED,
        /** It was invalid already. */
        ALREADY_INVALID
    }

    /** Leaves the index: invalid from now on. Under the store lock. */
    Retirement retire() {
        synchronized (state) {
            if (!valid) {
                return Retirement.ALREADY_INVALID;
            }
            valid = false;
            if (pins == 0) {
                deleting = true;
                return Retirement.DELETE_NOW;
            }
            return Retirement.WHEN_UNPINNED;
        }
    }

    /** Drops a pin; true when it was the last one of a retired item, whose files are now to go. Under the store lock. */
    boolean unpinned() {
        synchronized (state) {
            pins--;
            if (pins == 0 && !valid && !deleting && !shutDown) {
                deleting = true;
                return true;
            }
            return false;
        }
    }

    /** For eviction: not pinned (under the store lock; a pin may still come, {@link #retire} decides). */
    boolean unpinnedNow() {
        synchronized (state) {
            return pins == 0;
        }
    }

    /** Closes and deletes the files. Under the store lock. */
    void deleteFiles() {
        synchronized (state) {
            deleting = true;
        }
        synchronized (fileLock) {
            if (filesGone) {
                return;
            }
            filesGone = true;
            data.close();
            try {
                files.deleteAll();
            } catch (IOException e) {
                LOG.warn("cache: could not delete the files of {} ({}): {}", url(), files.base(), e.toString());
            }
        }
    }

    /** Store close: stop serving, flush, persist the last access, close. The files stay. */
    void shutDown() {
        writeLock.lock();
        try {
            synchronized (state) {
                valid = false;
                shutDown = true;
            }
            synchronized (fileLock) {
                if (filesGone) {
                    return;
                }
                try {
                    data.force();
                    writeMeta();
                } catch (IOException e) {
                    LOG.warn("cache: could not save {} on close: {}", url(), e.toString());
                }
                filesGone = true; // for this run: nothing may write them any more
                data.close();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Tells listeners the item is invalid, once. Called with no lock held. */
    void announceInvalid() {
        if (invalidAnnounced.compareAndSet(false, true)) {
            for (Listener l : listeners) {
                l.invalid();
            }
        }
    }

    private void fireWritten() {
        for (Listener l : listeners) {
            l.written();
        }
    }

    /**
     * Reads and verifies packets {@code [start, end)} (all stored) into one chunk. A slot that
     * fails its checksum discards the item.
     */
    private MemoryTier.Chunk loadChunk(long start, long end) {
        int packets = (int) (end - start);
        byte[] raw = new byte[packets * slotSize];
        int read = readRaw(raw, start * slotSize);
        int[] offsets = new int[packets + 1];
        int total = 0;
        int[] lengths = new int[packets];
        for (int i = 0; i < packets; i++) {
            int off = i * slotSize;
            int length = SlotFormat.verify(raw, off, Math.min(slotSize, read - off), packetSize);
            if (length <= 0) {
                throw corrupt(start + i);
            }
            lengths[i] = length;
            total += length;
        }
        byte[] bytes = new byte[total];
        int pos = 0;
        List<List<AsfPayload>> payloads = new java.util.ArrayList<>(packets);
        for (int i = 0; i < packets; i++) {
            offsets[i] = pos;
            System.arraycopy(raw, i * slotSize + SlotFormat.HEADER_SIZE, bytes, pos, lengths[i]);
            try {
                payloads.add(List.copyOf(AsfPacket.parse(Unpooled.wrappedBuffer(bytes, pos, lengths[i]), packetSize)
                        .payloads()));
            } catch (AsfFormatException e) {
                throw corrupt(start + i); // the fill parsed it before storing it: the bytes changed
            }
            pos += lengths[i];
        }
        offsets[packets] = pos;
        return new MemoryTier.Chunk(bytes, offsets, payloads);
    }

    private ByteBuf readSlot(long n) {
        byte[] raw = new byte[SlotFormat.HEADER_SIZE + packetSize];
        int read = readRaw(raw, n * slotSize);
        int length = SlotFormat.verify(raw, 0, read, packetSize);
        if (length <= 0) {
            throw corrupt(n);
        }
        return Unpooled.wrappedBuffer(raw, SlotFormat.HEADER_SIZE, length).asReadOnly();
    }

    private int readRaw(byte[] into, long position) {
        try {
            return data.read(ByteBuffer.wrap(into), position);
        } catch (ClosedChannelException e) {
            throw new CacheReadException(url() + ": the item is gone (evicted, replaced or discarded)", e);
        } catch (IOException e) {
            throw new CacheReadException(url() + ": reading the disk tier failed: " + e, e);
        }
    }

    private CacheReadException corrupt(long n) {
        synchronized (state) {
            if (deleting) {
                // Deleted while we read it: a short read of a closed file, not corruption.
                return new CacheReadException(url() + ": the item is gone (evicted, replaced or discarded)");
            }
        }
        String reason = "packet " + n + " fails its checksum on read";
        store.discard(this, reason);
        return new CacheReadException(url() + ": " + reason + "; item discarded");
    }

    /** A listener registration: {@link #invalid()} runs at most once. */
    private final class Listener {
        private final Runnable delegate;
        private final AtomicBoolean invalidCalled = new AtomicBoolean();

        Listener(Runnable delegate) {
            this.delegate = delegate;
        }

        void written() {
            call();
        }

        void invalid() {
            if (invalidCalled.compareAndSet(false, true)) {
                call();
            }
        }

        private void call() {
            try {
                delegate.run();
            } catch (RuntimeException e) {
                LOG.warn("cache listener of {} failed", url(), e);
            }
        }
    }
}
