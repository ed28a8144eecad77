package io.mmsedge.cache;

import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.content.ContentInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-tier store of on-demand content: a disk tier under {@link CacheSettings#dir()} bounded
 * by a byte quota, and a Caffeine memory tier of hot packet chunks bounded by weight. Items are
 * keyed by origin URL. Thread-safe.
 *
 * <ul>
 *   <li>Disk writes are crash-safe: metadata is written to a temporary file and renamed; each
 *       packet slot carries its own length and checksum, so a torn write is never served.</li>
 *   <li>{@link #open} re-indexes the directory: an item whose metadata says complete but whose
 *       data is truncated or fails a checksum is discarded (logged, {@link CacheMetrics#discarded()});
 *       a partial item keeps the packets that verify. A packet that fails its checksum when read
 *       later is dropped from its item ({@link CacheMetrics#packetDropped()}) and fetched again.</li>
 *   <li>A write the file system refuses (full, read-only, failing) first evicts what nobody
 *       reads, when it is full; then the packet is not stored, the item stays partial, and the
 *       store serves without caching for a while ({@link DiskHealth}).</li>
 *   <li>Room for new packets is made by evicting the least recently used items that nobody has
 *       pinned, complete items first. A pinned item is never deleted: evicted or replaced while
 *       pinned, it leaves the index at once and its files go when the last pin closes.</li>
 * </ul>
 *
 * <p>Quota accounting: every item is charged its metadata size plus one slot per stored packet;
 * a write reserves its slot (evicting first if needed) before it touches the disk, so the bytes
 * on disk never exceed the quota. Items evicted or replaced while pinned stay charged until their
 * files are deleted. Closing the store deletes those (their pins outlive the store) and keeps the
 * indexed items on disk for the next start.
 */
public final class CacheStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CacheStore.class);

    /** Most packets of one item (the in-memory send-time array is indexed by int). */
    static final long MAX_PACKETS = Integer.MAX_VALUE - 16;

    /** Volatile: {@link #resizeDisk} replaces it (its disk quota) while others read it. */
    private volatile CacheSettings settings;
    private final CacheMetrics metrics;
    private final MemoryTier memory;
    private final DiskHealth disk;
    private final CacheThreads threads = new CacheThreads();
    private final AtomicLong generations = new AtomicLong(1);
    private final AtomicLong accessSeqs = new AtomicLong(1);

    private final Object lock = new Object();
    // Guarded by lock.
    private final ItemIndex index;
    private boolean closed;

    private CacheStore(CacheSettings settings, CacheMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.memory = new MemoryTier(settings.memoryBytes());
        this.disk = new DiskHealth(settings.dir(), metrics);
        this.index = new ItemIndex(settings.diskQuotaBytes(), metrics);
    }

    /** Runs {@code task} on the I/O thread; dropped once the store is closing (close saves every item itself). */
    void inBackground(Runnable task) {
        threads.inBackground(task);
    }

    /**
     * Waits until every background task queued so far (fsyncs, metadata renames) has run: what is
     * on disk then matches the accounting, with no metadata temp file in between. For tests and
     * tools; serving never waits for the disk.
     */
    public void awaitBackgroundIo() throws InterruptedException {
        threads.awaitBackgroundIo();
    }

    /** Runs a disk read on the read threads; false once the store is closing. */
    boolean readInBackground(Runnable task) {
        return threads.readInBackground(task);
    }

    /** Opens (creating if needed) and re-indexes the disk tier. */
    public static CacheStore open(CacheSettings settings, CacheMetrics metrics) throws IOException {
        Objects.requireNonNull(settings, "settings");
        Files.createDirectories(settings.dir());
        CacheStore store = new CacheStore(settings, metrics == null ? CacheMetrics.NONE : metrics);
        store.reindex();
        return store;
    }

    public CacheSettings settings() {
        return settings;
    }

    /**
     * Changes the disk quota (a configuration reload). A smaller quota evicts unpinned items at
     * once, complete ones first, least recently used first, down to the new quota; items being
     * played or filled are pinned and stay (charged) until their last pin closes, and new writes
     * make room first as always. Returns how many items were evicted.
     */
    public int resizeDisk(long quotaBytes) {
        List<CacheItem> evicted = new ArrayList<>();
        synchronized (lock) {
            CacheSettings s = settings;
            settings = new CacheSettings(s.dir(), quotaBytes, s.memoryBytes(), s.chunkPackets());
            index.quota(quotaBytes);
            if (!closed) {
                index.makeRoom(null, 0, evicted, "the disk quota was lowered to " + quotaBytes + " bytes");
            }
        }
        retired(evicted);
        LOG.info("cache: disk quota now {} bytes, {} used, {} items evicted", quotaBytes, diskBytes(), evicted.size());
        return evicted.size();
    }

    /** The item cached for {@code url}, or null. Counts as an access (LRU). */
    public CacheItem lookup(String url) {
        CacheItem item;
        synchronized (lock) {
            item = closed ? null : index.get(url);
        }
        if (item != null) {
            item.touch();
        }
        return item;
    }

    /**
     * Starts caching {@code url} as new content, replacing (invalidating) any item it had.
     * Returns null when the content can never fit the disk quota, or has no packets.
     */
    public CacheItem create(String url, ContentInfo info, Fingerprint fingerprint, boolean protectedContent) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(fingerprint, "fingerprint");
        long count = info.packetCount();
        int packetSize = info.packetSize();
        if (count <= 0 || count > MAX_PACKETS || packetSize < 1 || packetSize > AsfHeader.MAX_PACKET_SIZE) {
            invalidate(url);
            LOG.debug("cache: not caching {}: {} packets of {} bytes", url, count, packetSize);
            return null;
        }
        ItemMeta meta = ItemMeta.of(url, info, fingerprint, protectedContent, System.currentTimeMillis(),
                nextAccessSeq());
        byte[] metaBytes = meta.encode();
        long full = count * meta.slotSize() + metaBytes.length;
        if (full > settings.diskQuotaBytes()) {
            invalidate(url);
            LOG.info("cache: not caching {}: {} bytes can never fit the disk quota of {}", url, full,
                    settings.diskQuotaBytes());
            return null;
        }
        ItemFiles files = ItemFiles.of(settings.dir(), url, generations.getAndIncrement());
        List<CacheItem> retired = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return null;
            }
            CacheItem old = index.get(url);
            if (old != null) {
                index.retire(old, retired);
                LOG.info("cache: {} replaced by new content ({})", url, fingerprint.fileId());
            }
            if (!index.makeRoom(null, metaBytes.length, retired, "room for " + url)) {
                LOG.info("cache: no room for {}: the disk quota is held by pinned items", url);
                retired(retired);
                return null;
            }
            index.charge(metaBytes.length); // charged before the file exists
        }
        SlotFile data = createFiles(url, files, metaBytes);
        if (data == null) {
            synchronized (lock) {
                index.charge(-metaBytes.length);
            }
            retired(retired);
            return null;
        }
        CacheItem item = new CacheItem(this, files, meta, info, metaBytes.length, data, new RangeSet(),
                new long[(int) count], new BitSet(), false);
        synchronized (lock) {
            item.accountedBytes = metaBytes.length; // the charge moves onto the item
            if (closed) {
                item.retire();
                index.delete(item);
                return null;
            }
            CacheItem other = index.put(item);
            if (other != null) {
                index.retire(other, retired); // a concurrent create of the same URL: the newest wins
            }
        }
        retired(retired);
        inBackground(() -> {
            try {
                files.syncMeta();
            } catch (IOException e) {
                LOG.warn("cache: could not make the metadata of {} durable: {}", url, e.toString());
            }
        });
        return item;
    }

    /**
     * Creates an item's data file and writes its metadata (unsynced: the fsync follows on the I/O
     * thread). A full file system first evicts what nobody uses, one item at a time; null when
     * the files could not be created (logged; a failing disk tier is not tried again at once).
     */
    private SlotFile createFiles(String url, ItemFiles files, byte[] metaBytes) {
        if (!disk.mayWrite()) {
            LOG.debug("cache: not caching {}: the disk tier takes no writes for now", url);
            return null;
        }
        List<CacheItem> evicted = new ArrayList<>();
        try {
            while (true) {
                try {
                    SlotFile data = SlotFile.create(files.data());
                    try {
                        files.writeMetaUnsynced(metaBytes);
                    } catch (IOException e) {
                        data.close();
                        throw e;
                    }
                    disk.succeeded();
                    return data;
                } catch (IOException e) {
                    try {
                        files.deleteAll();
                    } catch (IOException ignored) {
                        // open() removes what is left.
                    }
                    if (!DiskHealth.noSpace(e) || !evictForSpace(null, evicted)) {
                        disk.failed(url, -1, e, evicted.size());
                        LOG.info("cache: not caching {}: its files could not be created ({}): relayed", url,
                                e.toString());
                        return null;
                    }
                }
            }
        } finally {
            retired(evicted);
        }
    }

    /** Drops {@code url}'s item (deleted now, or when its last pin closes). */
    public void invalidate(String url) {
        List<CacheItem> retired = new ArrayList<>();
        synchronized (lock) {
            CacheItem item = index.get(url);
            if (item == null) {
                return;
            }
            index.retire(item, retired);
            LOG.info("cache: invalidated {}", url);
        }
        retired(retired);
    }

    /** How many items the index holds (no copy, no sort: for gauges and status). */
    public int itemCount() {
        synchronized (lock) {
            return index.size();
        }
    }

    /** The items in the index, most recently used first. */
    public List<CacheItem> items() {
        List<CacheItem> snapshot;
        synchronized (lock) {
            snapshot = new ArrayList<>(index.items());
        }
        return ItemIndex.newestFirst(snapshot);
    }

    /** Bytes the disk tier holds (items in the index plus deleted-when-unpinned ones not yet gone). */
    public long diskBytes() {
        synchronized (lock) {
            return index.used();
        }
    }

    /** Weight the memory tier holds now (never above {@link CacheSettings#memoryBytes()}). */
    public long memoryBytes() {
        return memory.weightedSize();
    }

    /** Flushes metadata and closes files. Items stay on disk for the next start. */
    @Override
    public void close() {
        List<CacheItem> live;
        List<CacheItem> dead;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            live = new ArrayList<>(index.items());
            dead = index.doomed();
            index.clear();
        }
        threads.shutdown(); // waits for the queued fsyncs; items are saved below in any case
        for (CacheItem item : live) {
            item.shutDown(); // takes the item's write lock: not under the store lock
        }
        synchronized (lock) {
            for (CacheItem item : dead) {
                index.delete(item); // evicted or replaced: no use for them after a restart
            }
        }
        memory.invalidateAll();
        for (CacheItem item : live) {
            item.announceInvalid();
        }
        for (CacheItem item : dead) {
            item.announceInvalid();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "CacheStore[" + settings.dir() + ", " + index.size() + " items, " + index.used() + "/"
                    + settings.diskQuotaBytes() + " bytes" + (closed ? ", closed" : "") + "]";
        }
    }

    // ---- item side --------------------------------------------------------------------------

    /** Outcome of {@link #reserve}: whether the bytes are charged, and the items evicted for them. */
    record Reservation(boolean granted, List<CacheItem> evicted) {
    }

    MemoryTier memory() {
        return memory;
    }

    long nextAccessSeq() {
        return accessSeqs.getAndIncrement();
    }

    /** True when packet {@code n}'s chunk is in the memory tier (tests). */
    boolean inMemory(CacheItem item, long n) {
        return memory.contains(item.id(), n / settings.chunkPackets());
    }

    /**
     * Charges {@code bytes} to {@code item} before it writes them, evicting other unpinned items
     * (least recently used, complete ones first) if the quota needs it. The caller passes the
     * evicted items to {@link #retired} once it holds no lock.
     */
    Reservation reserve(CacheItem item, long bytes) {
        List<CacheItem> evicted = new ArrayList<>();
        synchronized (lock) {
            if (closed || !item.valid()) {
                return new Reservation(false, evicted);
            }
            boolean ok = index.makeRoom(item, bytes, evicted, "room for " + item.url());
            if (ok) {
                index.charge(item, bytes);
            }
            return new Reservation(ok, evicted);
        }
    }

    /** Whether the disk tier takes writes now. */
    DiskHealth disk() {
        return disk;
    }

    CacheMetrics metrics() {
        return metrics;
    }

    /**
     * The file system is full: evicts the first unpinned item other than {@code self} that
     * eviction would pick anyway (its files go now). False when nothing can be evicted. The
     * caller passes {@code evicted} to {@link #retired} once it holds no lock.
     */
    boolean evictForSpace(CacheItem self, List<CacheItem> evicted) {
        synchronized (lock) {
            return !closed && index.evictOne(self, evicted, "the file system of the disk tier is full");
        }
    }

    /** Gives back a reservation whose write did not happen. */
    void release(CacheItem item, long bytes) {
        synchronized (lock) {
            index.release(item, bytes);
        }
    }

    /** A pin closed. */
    void unpin(CacheItem item) {
        synchronized (lock) {
            if (item.unpinned()) {
                index.delete(item);
                LOG.debug("cache: deleted the files of {} ({}) with its last pin", item.url(), item.id());
            }
        }
    }

    /** After items left the index, with no lock held: drop their chunks and tell their listeners. */
    void retired(List<CacheItem> items) {
        for (CacheItem item : items) {
            memory.invalidateItem(item.id(), item.chunks());
            item.announceInvalid();
        }
    }

    // ---- re-index on open -------------------------------------------------------------------

    /** Builds the items {@link CacheRecovery} found and verified, and charges them to the quota. */
    private void reindex() throws IOException {
        CacheRecovery.Result found = new CacheRecovery(settings.dir(), metrics).recover();
        generations.set(found.maxGeneration() + 1);
        long maxSeq = 0;
        List<CacheItem> evicted = new ArrayList<>();
        synchronized (lock) {
            for (CacheRecovery.Recovered r : found.items()) {
                CacheItem item = new CacheItem(this, r.files(), r.meta(), r.info(), r.metaSize(), r.data(),
                        r.coverage(), r.sendTimes(), r.keyFrames(), r.allSlotsVerify() && r.meta().complete());
                index.put(item);
                index.charge(item, r.diskBytes());
                maxSeq = Math.max(maxSeq, item.accessSeq());
                if (r.completeUnrecorded()) {
                    item.markComplete(); // every packet was there; the last run stopped before recording it
                }
            }
            accessSeqs.set(maxSeq + 1);
            if (index.used() > settings.diskQuotaBytes()) {
                index.makeRoom(null, 0, evicted, "the disk tier is over its quota of " + settings.diskQuotaBytes());
            }
        }
        retired(evicted);
        LOG.info("cache: {} items, {} bytes in {}", found.items().size() - evicted.size(), diskBytes(), settings.dir());
    }
}
