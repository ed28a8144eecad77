package io.mmsedge.cache;

import io.mmsedge.server.media.ContentInfo;
import java.io.IOException;
import java.util.List;

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
 */
public final class CacheStore implements AutoCloseable {

    /** Opens (creating if needed) and re-indexes the disk tier. */
    public static CacheStore open(CacheSettings settings, CacheMetrics metrics) throws IOException {
        throw new UnsupportedOperationException();
    }

    public CacheSettings settings() {
        throw new UnsupportedOperationException();
    }

    /** The item cached for {@code url}, or null. Counts as an access (LRU). */
    public CacheItem lookup(String url) {
        throw new UnsupportedOperationException();
    }

    /**
     * Starts caching {@code url} as new content, replacing (invalidating) any item it had.
     * Returns null when the content can never fit the disk quota, or has no packets.
     */
    public CacheItem create(String url, ContentInfo info, Fingerprint fingerprint, boolean protectedContent) {
        throw new UnsupportedOperationException();
    }

    /** Drops {@code url}'s item (deleted now, or when its last pin closes). */
    public void invalidate(String url) {
        throw new UnsupportedOperationException();
    }

    /** The items in the index, most recently used first. */
    public List<CacheItem> items() {
        throw new UnsupportedOperationException();
    }

    /** Bytes the disk tier holds (items in the index plus deleted-when-unpinned ones not yet gone). */
    public long diskBytes() {
        throw new UnsupportedOperationException();
    }

    /** Weight the memory tier holds now (never above {@link CacheSettings#memoryBytes()}). */
    public long memoryBytes() {
        throw new UnsupportedOperationException();
    }

    /** Flushes metadata and closes files. Items stay on disk for the next start. */
    @Override
    public void close() {
        throw new UnsupportedOperationException();
    }
}
