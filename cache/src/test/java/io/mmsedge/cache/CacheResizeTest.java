package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration reload changes the disk quota ({@link CacheStore#resizeDisk}). */
class CacheResizeTest {

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();

    /**
     * Four complete copies under a roomy quota; the quota shrinks to two and a half copies: the
     * least recently used unpinned ones go at once, the pinned one (being played) stays though it
     * is the least recently used; a larger quota later evicts nothing and takes new items.
     */
    @Test
    void aSmallerQuotaEvictsUnpinnedItemsDownToItAndAPinnedOneStays() throws Exception {
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, 64L << 20, 0), CacheMetrics.NONE)) {
            List<CacheItem> items = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                CacheItem c = store.create("mms://origin/copy" + i + ".asf", av.info, av.fingerprint, false);
                assertNotNull(c);
                av.writeAll(c);
                items.add(c);
            }
            long one = store.diskBytes() / 4;
            store.lookup(items.get(1).url()); // copy1 is now the most recently used
            try (CacheItem.Pin reader = items.get(0).pin()) {
                assertEquals(2, store.resizeDisk(one * 5 / 2));
                assertEquals(one * 5 / 2, store.settings().diskQuotaBytes());
                assertTrue(items.get(0).valid(), "the pinned copy (least recently used) stays");
                assertTrue(items.get(1).valid(), "the most recently used copy stays");
                assertFalse(items.get(2).valid() || items.get(3).valid(), "the least recently used unpinned go");
                assertEquals(2 * one, store.diskBytes());
            }
            assertEquals(0, store.resizeDisk(64L << 20), "a larger quota evicts nothing");
            assertTrue(items.get(0).valid());
            CacheItem again = store.create("mms://origin/copy5.asf", av.info, av.fingerprint, false);
            av.writeAll(again);
            assertEquals(3 * one, store.diskBytes());
        }
    }
}
