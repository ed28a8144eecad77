package io.mmsedge.cache;

import io.mmsedge.protocol.content.ContentInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-indexing the disk tier at start-up: what a previous run (perhaps one that crashed) left in
 * the cache directory, verified slot by slot, before the store serves any of it.
 *
 * <ul>
 *   <li>Leftover metadata temp files, and data files whose metadata was never written (their
 *       creation never finished), are removed.</li>
 *   <li>An item whose metadata is unreadable, too large or fails its checksum is removed with a
 *       WARN.</li>
 *   <li>An item whose metadata says complete but whose data is missing, truncated or has a slot
 *       that fails its checksum is discarded: removed with a WARN and {@link CacheMetrics#discarded()}.</li>
 *   <li>A partial item keeps the slots that verify; a torn or flipped slot is just not covered,
 *       and a fill can store it again.</li>
 *   <li>Of two items of one URL, the newest generation wins (the older one was being replaced).</li>
 * </ul>
 *
 * <p>Touches only the files: the caller builds the items and charges them to the quota.
 */
final class CacheRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(CacheRecovery.class);

    /** Largest metadata file read on open (a header is at most 16 MiB). */
    private static final long MAX_META_FILE = 40L << 20;
    /** Bytes read at once while verifying a data file. */
    private static final int SCAN_BLOCK = 1 << 20;

    /**
     * One item that survived: its metadata and its open data file with the slots that verify.
     *
     * @param allSlotsVerify every packet's slot verifies (the item is complete, whether or not
     *                       its metadata recorded it before the last run stopped)
     */
    record Recovered(ItemFiles files, ItemMeta meta, ContentInfo info, int metaSize, SlotFile data,
            RangeSet coverage, long[] sendTimes, BitSet keyFrames, boolean allSlotsVerify) {

        /** Quota bytes it holds: its metadata and one slot per verified packet. */
        long diskBytes() {
            return coverage.count() * meta.slotSize() + metaSize;
        }

        /** Complete, but the metadata does not say so yet: the last run stopped before recording it. */
        boolean completeUnrecorded() {
            return allSlotsVerify && !meta.complete();
        }
    }

    /**
     * What the directory held.
     *
     * @param items         one per URL, oldest generation first
     * @param maxGeneration highest generation of any cache file seen (0 when none): new items
     *                      start above it, so they never reuse a name
     */
    record Result(List<Recovered> items, long maxGeneration) {
    }

    private final Path dir;
    private final CacheMetrics metrics;

    CacheRecovery(Path dir, CacheMetrics metrics) {
        this.dir = dir;
        this.metrics = metrics == null ? CacheMetrics.NONE : metrics;
    }

    /** Scans the directory, removing what cannot be served; the caller owns the data files returned. */
    Result recover() throws IOException {
        Map<String, ItemFiles> bases = new TreeMap<>();
        Set<String> withMeta = new HashSet<>();
        long maxGeneration = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                ItemFiles f = ItemFiles.parse(p);
                if (f == null || !Files.isRegularFile(p)) {
                    LOG.debug("cache: ignoring {} (not a cache file)", p);
                    continue;
                }
                maxGeneration = Math.max(maxGeneration, f.generation());
                if (ItemFiles.isTemp(p)) {
                    if (remove(p)) {
                        LOG.info("cache: removed leftover temporary file {}", p.getFileName());
                    }
                    continue;
                }
                bases.putIfAbsent(f.base(), f);
                if (p.equals(f.meta())) {
                    withMeta.add(f.base());
                }
            }
        }
        List<Recovered> loaded = new ArrayList<>();
        for (ItemFiles f : bases.values()) {
            if (!withMeta.contains(f.base())) {
                if (remove(f.data())) {
                    LOG.info("cache: removed {} (no metadata: its creation never finished)", f.data().getFileName());
                }
                continue;
            }
            Recovered item = load(f);
            if (item != null) {
                loaded.add(item);
            }
        }
        return new Result(newestPerUrl(loaded), maxGeneration);
    }

    /** One item per URL: the newest generation wins (an older one was being replaced). */
    private static List<Recovered> newestPerUrl(List<Recovered> loaded) {
        loaded.sort(Comparator.comparingLong((Recovered r) -> r.files().generation()));
        Map<String, Recovered> byUrl = new LinkedHashMap<>();
        for (Recovered item : loaded) {
            Recovered older = byUrl.put(item.meta().url(), item);
            if (older != null) {
                older.data().close();
                try {
                    older.files().deleteAll();
                } catch (IOException e) {
                    LOG.warn("cache: could not delete the files of {} ({}): {}", older.meta().url(),
                            older.files().base(), e.toString());
                }
                LOG.info("cache: removed {} ({}), superseded by {}", older.meta().url(), older.files().base(),
                        item.files().base());
            }
        }
        List<Recovered> out = new ArrayList<>(byUrl.values());
        out.sort(Comparator.comparingLong((Recovered r) -> r.files().generation()));
        return out;
    }

    /** Loads one item's metadata and verifies its data; null when it was unusable (files deleted). */
    private Recovered load(ItemFiles f) throws IOException {
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
            removeAll(f);
            return null;
        }
        if (meta.complete() && !Files.exists(f.data())) {
            return discard(f, meta, "its data file is missing");
        }
        SlotFile data = SlotFile.open(f.data());
        try {
            Scan scan = scan(data, meta);
            if (meta.complete() && scan.problem() != null) {
                data.close();
                return discard(f, meta, scan.problem());
            }
            return new Recovered(f, meta, info, bytes.length, data, scan.coverage(), scan.sendTimes(),
                    scan.keyFrames(), scan.coverage().count() == meta.packetCount());
        } catch (IOException e) {
            data.close();
            return discard(f, meta, "its data file cannot be read: " + e);
        }
    }

    private Recovered discard(ItemFiles f, ItemMeta meta, String reason) {
        LOG.warn("cache: discarded {} on open: {} ({})", meta.url(), reason, f.data().getFileName());
        metrics.discarded();
        removeAll(f);
        return null;
    }

    /**
     * Deletes a file that cannot be served; false (logged) when the file system refuses (a
     * read-only disk tier: the store still starts, serves what verifies, and stores nothing).
     */
    private static boolean remove(Path p) {
        try {
            Files.deleteIfExists(p);
            return true;
        } catch (IOException e) {
            LOG.warn("cache: could not remove {}: {}", p.getFileName(), e.toString());
            return false;
        }
    }

    private static void removeAll(ItemFiles f) {
        try {
            f.deleteAll();
        } catch (IOException e) {
            LOG.warn("cache: could not remove the files of {}: {}", f.base(), e.toString());
        }
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
