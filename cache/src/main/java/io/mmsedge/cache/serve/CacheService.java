package io.mmsedge.cache.serve;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.Fingerprint;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.Media;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache as the proxy sees it: decides, after each freshness check, whether the stored item
 * still holds what the origin serves, and hands players {@link Media} over it. One
 * {@link ItemFills} per item coalesces upstream fills. Thread-safe.
 */
public final class CacheService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CacheService.class);

    private final CacheStore store;
    private final CacheMetrics metrics;
    private final CachePolicy policy;
    private final Map<CacheItem, ItemFills> fills = new IdentityHashMap<>();

    public CacheService(CacheStore store, CacheMetrics metrics, CachePolicy policy) {
        this.store = store;
        this.metrics = metrics;
        this.policy = policy;
    }

    public CacheStore store() {
        return store;
    }

    public CachePolicy policy() {
        return policy;
    }

    public CacheMetrics metrics() {
        return metrics;
    }

    /**
     * After a freshness check: the item for {@code url} that holds exactly the content the origin
     * just described — the stored one if its fingerprint matches, else a new, empty one that
     * replaces it. Null when the content can't be cached (larger than the disk quota, or the disk
     * tier refuses to create its files): the player is relayed.
     */
    public synchronized CacheItem itemFor(String url, ContentInfo info, Fingerprint fingerprint,
                                          boolean protectedContent) {
        CacheItem existing = store.lookup(url);
        long now = System.currentTimeMillis();
        if (existing != null && existing.fingerprint().equals(fingerprint)
                && existing.protectedContent() == protectedContent) {
            metrics.revalidated(false);
            existing.markValidated(now);
            return existing;
        }
        if (existing != null) {
            metrics.revalidated(true);
            log.info("cache: {} changed at the origin ({} -> {}): refilling", url, existing.fingerprint(), fingerprint);
            // store.create() below retires the old item, and its listener forgets its fills.
        }
        CacheItem item = store.create(url, info, fingerprint, protectedContent);
        if (item == null) {
            log.info("cache: {} ({} packets of {} bytes) is relayed, not cached: it can never fit the disk quota, "
                    + "or the disk tier takes no writes now", url, info.packetCount(), info.packetSize());
            return null;
        }
        item.markValidated(now);
        return item;
    }

    /**
     * True when {@code item} may be served without asking the origin: complete, not protected,
     * and confirmed within the trust window.
     */
    public boolean trusted(CacheItem item) {
        return policy.trustMillis() > 0 && item.complete() && !item.protectedContent()
                && System.currentTimeMillis() - item.validatedAtMillis() <= policy.trustMillis();
    }

    /** A complete, unprotected item to serve while the origin is unreachable (if the policy allows), or null. */
    public CacheItem stale(String url) {
        if (!policy.serveStale()) {
            return null;
        }
        CacheItem item = store.lookup(url);
        return item != null && item.complete() && !item.protectedContent() ? item : null;
    }

    /**
     * Media over {@code item} for one player. {@code spare}, the upstream session of the player's
     * freshness check (or null), feeds the first fill this player needs; when the item is
     * complete it is closed at once, so a hit holds no upstream session at all. {@code filler}
     * opens upstream sessions as this player: for the fills it needs, and to carry its log.
     */
    public Media media(CacheItem item, String publishingPoint, FillSource spare, Filler filler) {
        ItemFills f = fillsOf(item);
        f.offerFiller(filler);
        if (item.complete()) {
            metrics.hit();
            if (spare != null) {
                spare.close();
            }
            return new CachedMedia(publishingPoint, f, null, filler);
        }
        if (item.coveredPackets() > 0) {
            metrics.hit(); // partly stored: served from the cache as far as it goes, then behind a fill
        } else {
            metrics.miss();
        }
        return new CachedMedia(publishingPoint, f, spare, filler);
    }

    /**
     * Media over the complete {@code item} for one player while its freshness check runs:
     * {@code confirmed} completes when the origin confirmed the item (the player's first Data
     * packet waits for it), or exceptionally (with a {@link io.mmsedge.server.media.MediaReadException}
     * for the player's hr) when the origin no longer serves it.
     */
    public Media mediaWhileChecking(CacheItem item, String publishingPoint, Filler filler,
                                    java.util.concurrent.CompletableFuture<Void> confirmed) {
        ItemFills f = fillsOf(item);
        f.offerFiller(filler);
        metrics.hit();
        return new CachedMedia(publishingPoint, f, null, filler, confirmed);
    }

    /** Fills the whole item ahead of demand; false when it is complete or fills run already. */
    public boolean prestuff(CacheItem item, FillSource spare, Filler filler) {
        ItemFills f = fillsOf(item);
        f.offerFiller(filler);
        return f.prestuff(spare);
    }

    /** Fills started for the item so far (0 when none). */
    public synchronized long fillsStarted(CacheItem item) {
        ItemFills f = fills.get(item);
        return f == null ? 0 : f.fillsStarted();
    }

    /** Fills running for the item now. */
    public synchronized int activeFills(CacheItem item) {
        ItemFills f = fills.get(item);
        return f == null ? 0 : f.activeFills();
    }

    private synchronized ItemFills fillsOf(CacheItem item) {
        ItemFills f = fills.get(item);
        if (f == null) {
            f = new ItemFills(item, metrics);
            fills.put(item, f);
            // The item tells its listeners when it leaves the store (evicted, replaced,
            // discarded): its fills stop and are forgotten then. Players still reading it hold
            // their ItemFills themselves.
            item.addListener(() -> {
                if (!item.valid()) {
                    forget(item);
                }
            });
        }
        return f;
    }

    private void forget(CacheItem item) {
        ItemFills f;
        synchronized (this) {
            f = fills.remove(item);
        }
        if (f != null) {
            f.closeAll();
        }
    }

    @Override
    public void close() {
        List<ItemFills> all;
        synchronized (this) {
            all = new ArrayList<>(fills.values());
            fills.clear();
        }
        for (ItemFills f : all) {
            f.closeAll();
        }
        store.close();
    }
}
