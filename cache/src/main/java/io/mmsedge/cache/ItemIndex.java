package io.mmsedge.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's index and its quota accounting: the item of each URL, the items out of the index
 * whose files wait for their last pin, the bytes charged, and eviction. Not thread-safe: every
 * method runs under the store lock (which comes before an item's file lock and state monitor).
 *
 * <p>Every item is charged its metadata size plus one slot per stored or reserved packet; items
 * unlinked while pinned stay charged until their files are deleted.
 */
final class ItemIndex {

    private static final Logger LOG = LoggerFactory.getLogger(CacheStore.class);

    private long quota;
    private final CacheMetrics metrics;
    private final Map<String, CacheItem> byUrl = new HashMap<>();
    /** Out of the index, still pinned: their files go with the last pin. */
    private final Set<CacheItem> doomed = Collections.newSetFromMap(new IdentityHashMap<>());
    private long used;

    ItemIndex(long quota, CacheMetrics metrics) {
        this.quota = quota;
        this.metrics = metrics;
    }

    /** A new quota (a configuration reload); the caller makes room for it. */
    void quota(long bytes) {
        this.quota = bytes;
    }

    CacheItem get(String url) {
        return byUrl.get(url);
    }

    /** Indexes {@code item}; returns the item it replaces in the index (the caller retires it), or null. */
    CacheItem put(CacheItem item) {
        return byUrl.put(item.url(), item);
    }

    int size() {
        return byUrl.size();
    }

    Collection<CacheItem> items() {
        return byUrl.values();
    }

    List<CacheItem> doomed() {
        return new ArrayList<>(doomed);
    }

    void clear() {
        byUrl.clear();
    }

    long used() {
        return used;
    }

    /** Charges {@code bytes} not yet on any item (a metadata file being created). */
    void charge(long bytes) {
        used += bytes;
    }

    /** Charges {@code bytes} to {@code item}. */
    void charge(CacheItem item, long bytes) {
        used += bytes;
        item.accountedBytes += bytes;
    }

    /** Gives back bytes charged to {@code item} whose write did not happen (nothing once its files are gone). */
    void release(CacheItem item, long bytes) {
        if (!item.accountingClosed) {
            used -= bytes;
            item.accountedBytes -= bytes;
        }
    }

    /**
     * Takes {@code item} out of the index: its files go now or with its last pin. Adds it to
     * {@code retired} (for {@code CacheStore.retired}) unless it was out already.
     */
    ItemLifecycle.Retirement retire(CacheItem item, List<CacheItem> retired) {
        byUrl.remove(item.url(), item);
        ItemLifecycle.Retirement r = item.retire();
        switch (r) {
            case DELETE_NOW -> delete(item);
            case WHEN_UNPINNED -> doomed.add(item);
            case ALREADY_INVALID -> {
                return r;
            }
        }
        retired.add(item);
        return r;
    }

    /** Deletes the files of an item out of the index and gives its bytes back. */
    void delete(CacheItem item) {
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
    boolean makeRoom(CacheItem self, long bytes, List<CacheItem> evicted, String reason) {
        if (used + bytes <= quota) {
            return true;
        }
        for (Candidate c : candidates(self)) {
            if (used + bytes <= quota) {
                break;
            }
            evict(c, evicted, reason);
        }
        return used + bytes <= quota;
    }

    /**
     * Evicts the one unpinned item other than {@code self} that {@link #makeRoom} would evict
     * first, whatever the quota says (the file system is full). False when there is none.
     */
    boolean evictOne(CacheItem self, List<CacheItem> evicted, String reason) {
        for (Candidate c : candidates(self)) {
            if (evict(c, evicted, reason)) {
                return true;
            }
        }
        return false;
    }

    private record Candidate(CacheItem item, boolean complete, long seq) {
    }

    /** Unpinned items other than {@code self}, in eviction order. */
    private List<Candidate> candidates(CacheItem self) {
        List<Candidate> candidates = new ArrayList<>();
        for (CacheItem i : byUrl.values()) {
            if (i != self && i.unpinnedNow()) {
                candidates.add(new Candidate(i, i.complete(), i.accessSeq()));
            }
        }
        candidates.sort(Comparator.comparing((Candidate c) -> !c.complete()).thenComparingLong(Candidate::seq));
        return candidates;
    }

    private boolean evict(Candidate c, List<CacheItem> evicted, String reason) {
        long freed = c.item().accountedBytes;
        ItemLifecycle.Retirement r = retire(c.item(), evicted);
        if (r == ItemLifecycle.Retirement.ALREADY_INVALID) {
            return false;
        }
        metrics.evicted(freed);
        LOG.info("cache: evicted {} ({} bytes, {}, least recently used): {}{}", c.item().url(), freed,
                c.complete() ? "complete" : "partial", reason,
                r == ItemLifecycle.Retirement.WHEN_UNPINNED ? "; pinned meanwhile, its files go with the last pin"
                        : "");
        return true;
    }

    /** The items, most recently used first. */
    static List<CacheItem> newestFirst(List<CacheItem> items) {
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
}
