package io.mmsedge.cache;

import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.content.ContentInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
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
 *       a partial item keeps the packets that verify.</li>
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
    /** Largest metadata file read on open (a header is at most 16 MiB). */
    private static final long MAX_META_FILE = 40L << 20;
    /** Bytes read at once while verifying a data file on open. */
    private static final int SCAN_BLOCK = 1 << 20;

    private final CacheSettings settings;
    private final CacheMetrics metrics;
    private final MemoryTier memory;
    private final AtomicLong generations = new AtomicLong(1);
    private final AtomicLong accessSeqs = new AtomicLong(1);

    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<String, CacheItem> index = new HashMap<>();
    /** Out of the index, still pinned: their files go with the last pin. */
    private final Set<CacheItem> doomed = Collections.newSetFromMap(new IdentityHashMap<>());
    private long used;
    private boolean closed;

    /**
     * Where the fsyncs go: writes reach the page cache on the caller's thread (an event loop),
     * making them durable can take as long as the disk likes, so it happens here, in order.
     */
    private final java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mms-edge-cache-io");
        t.setDaemon(true);
        return t;
    });

    /**
     * Reads that would go to the disk (a chunk not in the memory tier) run here, so an event loop
     * serving many players never waits for a disk (see {@link CacheItem#prefetch}). Two threads:
     * the machines this runs on have few cores, and one slow read must not hold up every other.
     * The queue holds at most one read per reading player, plus its read-ahead.
     */
    private final java.util.concurrent.ExecutorService reads = java.util.concurrent.Executors.newFixedThreadPool(2,
            new java.util.concurrent.ThreadFactory() {
                private final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "mms-edge-cache-read-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });

    private CacheStore(CacheSettings settings, CacheMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.memory = new MemoryTier(settings.memoryBytes());
    }

    /** Runs {@code task} on the I/O thread; dropped once the store is closing (close saves every item itself). */
    void inBackground(Runnable task) {
        try {
            io.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            LOG.debug("cache: store closing, background task dropped");
        }
    }

    /**
     * Waits until every background task queued so far (fsyncs, metadata renames) has run: what is
     * on disk then matches the accounting, with no metadata temp file in between. For tests and
     * tools; serving never waits for the disk.
     */
    public void awaitBackgroundIo() throws InterruptedException {
        try {
            io.submit(() -> { }).get();
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed: close itself waited for the queue
        } catch (java.util.concurrent.ExecutionException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    /** Runs a disk read on the read threads; false once the store is closing. */
    boolean readInBackground(Runnable task) {
        try {
            reads.execute(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            return false;
        }
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
                retireLocked(old, retired);
                LOG.info("cache: {} replaced by new content ({})", url, fingerprint.fileId());
            }
            if (!makeRoom(null, metaBytes.length, retired, "room for " + url)) {
                LOG.info("cache: no room for {}: the disk quota is held by pinned items", url);
                retired(retired);
                return null;
            }
            used += metaBytes.length; // charged before the file exists
        }
        SlotFile data;
        try {
            data = SlotFile.create(files.data());
            try {
                files.writeMetaUnsynced(metaBytes); // the fsyncs follow on the I/O thread
            } catch (IOException e) {
                data.close();
                throw e;
            }
        } catch (IOException e) {
            LOG.warn("cache: could not create the files of {} ({}): {}", url, files.base(), e.toString());
            try {
                files.deleteAll();
            } catch (IOException ignored) {
                // Reported above; open() removes what is left.
            }
            synchronized (lock) {
                used -= metaBytes.length;
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
                deleteLocked(item);
                return null;
            }
            CacheItem other = index.put(url, item);
            if (other != null) {
                retireLocked(other, retired); // a concurrent create of the same URL: the newest wins
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

    /** Drops {@code url}'s item (deleted now, or when its last pin closes). */
    public void invalidate(String url) {
        List<CacheItem> retired = new ArrayList<>();
        synchronized (lock) {
            CacheItem item = index.get(url);
            if (item == null) {
                return;
            }
            retireLocked(item, retired);
            LOG.info("cache: invalidated {}", url);
        }
        retired(retired);
    }

    /** The items in the index, most recently used first. */
    /** How many items the index holds (no copy, no sort: for gauges and status). */
    public int itemCount() {
        synchronized (lock) {
            return index.size();
        }
    }

    public List<CacheItem> items() {
        List<CacheItem> snapshot;
        synchronized (lock) {
            snapshot = new ArrayList<>(index.values());
        }
        return newestFirst(snapshot);
    }

    /** Bytes the disk tier holds (items in the index plus deleted-when-unpinned ones not yet gone). */
    public long diskBytes() {
        synchronized (lock) {
            return used;
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
            live = new ArrayList<>(index.values());
            dead = new ArrayList<>(doomed);
            index.clear();
        }
        reads.shutdown(); // what is queued still runs, and fails once the files are closed
        io.shutdown(); // what is queued still runs; items are saved below in any case
        try {
            if (!io.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("cache: the disk did not finish its queued fsyncs within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CacheItem item : live) {
            item.shutDown(); // takes the item's write lock: not under the store lock
        }
        synchronized (lock) {
            for (CacheItem item : dead) {
                deleteLocked(item); // evicted or replaced: no use for them after a restart
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
            return "CacheStore[" + settings.dir() + ", " + index.size() + " items, " + used + "/"
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
            boolean ok = makeRoom(item, bytes, evicted, "room for " + item.url());
            if (ok) {
                used += bytes;
                item.accountedBytes += bytes;
            }
            return new Reservation(ok, evicted);
        }
    }

    /** Gives back a reservation whose write did not happen. */
    void release(CacheItem item, long bytes) {
        synchronized (lock) {
            if (!item.accountingClosed) {
                used -= bytes;
                item.accountedBytes -= bytes;
            }
        }
    }

    /** A pin closed. */
    void unpin(CacheItem item) {
        synchronized (lock) {
            if (item.unpinned()) {
                deleteLocked(item);
                LOG.debug("cache: deleted the files of {} ({}) with its last pin", item.url(), item.id());
            }
        }
    }

    /** The item's bytes are corrupt: it leaves the index (its files go now or with its last pin). */
    void discard(CacheItem item, String reason) {
        List<CacheItem> retired = new ArrayList<>();
        synchronized (lock) {
            if (retireLocked(item, retired) == ItemLifecycle.Retirement.ALREADY_INVALID) {
                return;
            }
            LOG.warn("cache: discarded {}: {} ({})", item.url(), reason, item.files().data().getFileName());
            metrics.discarded();
        }
        retired(retired);
    }

    /** After items left the index, with no lock held: drop their chunks and tell their listeners. */
    void retired(List<CacheItem> items) {
        for (CacheItem item : items) {
            memory.invalidateItem(item.id(), item.chunks());
            item.announceInvalid();
        }
    }

    // ---- index and quota, under lock --------------------------------------------------------

    private ItemLifecycle.Retirement retireLocked(CacheItem item, List<CacheItem> retired) {
        index.remove(item.url(), item);
        ItemLifecycle.Retirement r = item.retire();
        switch (r) {
            case DELETE_NOW -> deleteLocked(item);
            case WHEN_UNPINNED -> doomed.add(item);
            case ALREADY_INVALID -> {
                return r;
            }
        }
        retired.add(item);
        return r;
    }

    private void deleteLocked(CacheItem item) {
        item.deleteFiles();
        doomed.remove(item);
        if (!item.accountingClosed) {
            used -= item.accountedBytes;
            item.accountedBytes = 0;
            item.accountingClosed = true;
        }
    }

    /**
     * Evicts unpinned items other than {@code self}, complete ones first, each group least
     * recently used first, until {@code bytes} more fit the quota. True when they fit.
     */
    private boolean makeRoom(CacheItem self, long bytes, List<CacheItem> evicted, String reason) {
        long quota = settings.diskQuotaBytes();
        if (used + bytes <= quota) {
            return true;
        }
        record Candidate(CacheItem item, boolean complete, long seq) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (CacheItem i : index.values()) {
            if (i != self && i.unpinnedNow()) {
                candidates.add(new Candidate(i, i.complete(), i.accessSeq()));
            }
        }
        candidates.sort(Comparator.comparing((Candidate c) -> !c.complete()).thenComparingLong(Candidate::seq));
        for (Candidate c : candidates) {
            if (used + bytes <= quota) {
                break;
            }
            long freed = c.item().accountedBytes;
            ItemLifecycle.Retirement r = retireLocked(c.item(), evicted);
            if (r == ItemLifecycle.Retirement.ALREADY_INVALID) {
                continue;
            }
            metrics.evicted(freed);
            LOG.info("cache: evicted {} ({} bytes, {}, least recently used): {}{}", c.item().url(), freed,
                    c.complete() ? "complete" : "partial", reason,
                    r == ItemLifecycle.Retirement.WHEN_UNPINNED ? "; pinned meanwhile, its files go with the last pin" : "");
        }
        return used + bytes <= quota;
    }

    private static List<CacheItem> newestFirst(List<CacheItem> items) {
        record Entry(CacheItem item, long seq) {
        }
        List<Entry> entries = new ArrayList<>(items.size());
        for (CacheItem i : items) {
            entries.add(new Entry(i, i.accessSeq()));
        }
        entries.sort(Comparator.comparingLong(Entry::seq).reversed());
        List<CacheItem> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(e.item());
        }
        return out;
    }

    // ---- re-index on open -------------------------------------------------------------------

    private void reindex() throws IOException {
        Map<String, ItemFiles> bases = new TreeMap<>();
        Set<String> withMeta = new HashSet<>();
        long maxGeneration = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(settings.dir())) {
            for (Path p : dir) {
                ItemFiles f = ItemFiles.parse(p);
                if (f == null || !Files.isRegularFile(p)) {
                    LOG.debug("cache: ignoring {} (not a cache file)", p);
                    continue;
                }
                maxGeneration = Math.max(maxGeneration, f.generation());
                if (ItemFiles.isTemp(p)) {
                    Files.deleteIfExists(p);
                    LOG.info("cache: removed leftover temporary file {}", p.getFileName());
                    continue;
                }
                bases.putIfAbsent(f.base(), f);
                if (p.equals(f.meta())) {
                    withMeta.add(f.base());
                }
            }
        }
        generations.set(maxGeneration + 1);

        List<CacheItem> loaded = new ArrayList<>();
        for (ItemFiles f : bases.values()) {
            if (!withMeta.contains(f.base())) {
                Files.deleteIfExists(f.data());
                LOG.info("cache: removed {} (no metadata: its creation never finished)", f.data().getFileName());
                continue;
            }
            CacheItem item = load(f);
            if (item != null) {
                loaded.add(item);
            }
        }

        // One item per URL: the newest generation wins (an older one was being replaced).
        loaded.sort(Comparator.comparingLong((CacheItem i) -> i.files().generation()));
        Map<String, CacheItem> byUrl = new HashMap<>();
        for (CacheItem item : loaded) {
            CacheItem older = byUrl.put(item.url(), item);
            if (older != null) {
                older.deleteFiles();
                LOG.info("cache: removed {} ({}), superseded by {}", older.url(), older.id(), item.id());
            }
        }
        long maxSeq = 0;
        List<CacheItem> evicted = new ArrayList<>();
        synchronized (lock) {
            for (CacheItem item : byUrl.values()) {
                index.put(item.url(), item);
                used += item.accountedBytes;
                maxSeq = Math.max(maxSeq, item.accessSeq());
            }
            accessSeqs.set(maxSeq + 1);
            if (used > settings.diskQuotaBytes()) {
                makeRoom(null, 0, evicted, "the disk tier is over its quota of " + settings.diskQuotaBytes());
            }
        }
        retired(evicted);
        LOG.info("cache: {} items, {} bytes in {}", byUrl.size() - evicted.size(), diskBytes(), settings.dir());
    }

    /** Loads one item's metadata and verifies its data; null when it was unusable (files deleted). */
    private CacheItem load(ItemFiles f) throws IOException {
        byte[] bytes;
        ItemMeta meta;
        ContentInfo info;
        try {
            long size = Files.size(f.meta());
            if (size > MAX_META_FILE) {
                throw new ItemMeta.BadMetadataException(size + " bytes, larger than any metadata");
            }
            bytes = Files.readAllBytes(f.meta());
            meta = ItemMeta.decode(bytes);
            info = meta.contentInfo();
        } catch (ItemMeta.BadMetadataException | IOException | RuntimeException e) {
            String reason = e instanceof ItemMeta.BadMetadataException ? e.getMessage()
                    : e instanceof IOException ? "unreadable: " + e
                    : "stored header does not parse: " + e.getMessage();
            LOG.warn("cache: removed item {} with bad metadata file {}: {}", f.base(), f.meta().getFileName(), reason);
            f.deleteAll();
            return null;
        }
        if (meta.complete() && !Files.exists(f.data())) {
            return discardOnOpen(f, meta, "its data file is missing");
        }
        SlotFile data = SlotFile.open(f.data());
        try {
            Scan scan = scan(data, meta);
            if (meta.complete() && scan.problem() != null) {
                data.close();
                return discardOnOpen(f, meta, scan.problem());
            }
            boolean complete = scan.coverage().count() == meta.packetCount();
            CacheItem item = new CacheItem(this, f, meta, info, bytes.length, data, scan.coverage(), scan.sendTimes(),
                    scan.keyFrames(), complete && meta.complete());
            item.accountedBytes = scan.coverage().count() * meta.slotSize() + bytes.length;
            if (complete && !meta.complete()) {
                item.markComplete(); // every packet was there; the last run stopped before recording it
            }
            return item;
        } catch (IOException e) {
            data.close();
            return discardOnOpen(f, meta, "its data file cannot be read: " + e);
        }
    }

    private CacheItem discardOnOpen(ItemFiles f, ItemMeta meta, String reason) throws IOException {
        LOG.warn("cache: discarded {} on open: {} ({})", meta.url(), reason, f.data().getFileName());
        metrics.discarded();
        f.deleteAll();
        return null;
    }

    /**
     * A data file's verified slots.
     *
     * @param problem why a complete item cannot be served (truncated, missing or corrupt slot), or null
     */
    private record Scan(RangeSet coverage, long[] sendTimes, BitSet keyFrames, String problem) {
    }

    private static Scan scan(SlotFile data, ItemMeta meta) throws IOException {
        long count = meta.packetCount();
        int slot = meta.slotSize();
        RangeSet coverage = new RangeSet();
        long[] sendTimes = new long[(int) count];
        BitSet keyFrames = new BitSet();
        long fileSize = data.size();
        long expected = count * slot;
        String problem = fileSize < expected
                ? "data file truncated to " + fileSize + " of " + expected + " bytes" : null;
        if (problem != null && meta.complete()) {
            return new Scan(coverage, sendTimes, keyFrames, problem);
        }
        int perBlock = Math.max(1, SCAN_BLOCK / slot);
        byte[] buf = new byte[perBlock * slot];
        for (long first = 0; first < count && first * slot < fileSize; first += perBlock) {
            int slots = (int) Math.min(perBlock, count - first);
            int read = data.read(ByteBuffer.wrap(buf, 0, slots * slot), first * slot);
            for (int i = 0; i < slots; i++) {
                long n = first + i;
                int off = i * slot;
                int length = SlotFormat.verify(buf, off, Math.min(slot, read - off), meta.packetSize());
                if (length > 0) {
                    coverage.add(n);
                    sendTimes[(int) n] = SlotFormat.sendTimeMs(buf, off);
                    keyFrames.set((int) n, SlotFormat.keyFrame(buf, off));
                } else if (problem == null) {
                    problem = length == SlotFormat.EMPTY ? "packet " + n + " is not stored"
                            : "packet " + n + " fails its checksum";
                    if (meta.complete()) {
                        return new Scan(coverage, sendTimes, keyFrames, problem);
                    }
                }
            }
        }
        return new Scan(coverage, sendTimes, keyFrames, problem);
    }
}
