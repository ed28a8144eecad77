package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheQuotaTest {

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();
    private final TestMedia.CountingMetrics metrics = new TestMedia.CountingMetrics();

    private static String url(int i) {
        return "mms://origin/copy" + i + ".asf";
    }

    /** Bytes one complete copy of av.asf takes (data slots + metadata of a url like {@link #url}). */
    private long itemBytes() throws Exception {
        Path probe = Files.createTempDirectory(dir.getParent(), "probe");
        try (CacheStore store = CacheStore.open(new CacheSettings(probe, 64L << 20, 0), CacheMetrics.NONE)) {
            CacheItem item = store.create(url(0), av.info, av.fingerprint, false);
            return (long) av.count() * item.slotSize() + item.metaSize();
        }
    }

    /** After a write returns, its metadata may still be on the way to disk (temp file, then rename) on the I/O thread. */
    private static void awaitIo(CacheStore store) {
        try {
            store.awaitBackgroundIo();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void writeAllWithinQuota(CacheStore store, CacheItem item, long quota) {
        for (int n = 0; n < av.count(); n++) {
            assertEquals(CacheItem.WriteResult.WRITTEN, av.write(item, n), item.url() + " packet " + n);
            assertTrue(store.diskBytes() <= quota, "accounted " + store.diskBytes() + " > quota " + quota);
            awaitIo(store);
            assertTrue(TestMedia.dirBytes(dir) <= quota, "on disk " + TestMedia.dirBytes(dir) + " > quota " + quota);
        }
    }

    /**
     * Ten copies (four times a quota of two and a half) fill one after another: usage never
     * exceeds the quota, the least recently used go first, and a pinned one is skipped even when
     * it is the least recently used; once unpinned it is evicted like the others.
     */
    @Test
    void churnStaysWithinTheQuotaAndEvictsLeastRecentlyUsed() throws Exception {
        long item = itemBytes();
        long quota = item * 5 / 2;
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, quota, 0), metrics);
                LogCapture logs = LogCapture.begin()) {
            List<CacheItem> items = new ArrayList<>();
            CacheItem.Pin readerPin = null;
            for (int i = 0; i < 10; i++) {
                if (i == 2) {
                    store.lookup(url(0)); // copy0 is now more recent than copy1
                }
                if (i == 8) {
                    readerPin.close(); // the session reading copy3 ends
                    assertTrue(items.get(3).valid(), "unpinning alone does not evict");
                }
                CacheItem c = store.create(url(i), av.info, av.fingerprint, false);
                assertNotNull(c, "copy" + i);
                items.add(c);
                writeAllWithinQuota(store, c, quota);
                assertTrue(c.complete());
                CacheItem copy3 = i >= 3 ? items.get(3) : null;
                switch (i) {
                    case 2 -> {
                        assertNull(store.lookup(url(1)), "copy1 was least recently used");
                        assertFalse(items.get(1).valid());
                        assertTrue(items.get(0).valid() && store.items().contains(items.get(0)),
                                "copy0 was touched, it stays"); // (no lookup: that would touch it again)
                        assertNotNull(logs.await(0, "evicted " + url(1), "room for " + url(2)), logs.lines().toString());
                    }
                    case 3 -> {
                        assertNull(store.lookup(url(0)));
                        readerPin = c.pin(); // a session starts reading copy3
                    }
                    case 4 -> assertFalse(items.get(2).valid());
                    case 5 -> {
                        assertFalse(items.get(4).valid(), "copy4 went although copy3 is older: copy3 is pinned");
                        assertTrue(copy3.valid());
                        assertTrue(store.items().contains(copy3));
                        av.assertAll(copy3);
                    }
                    case 6, 7 -> {
                        assertTrue(copy3.valid());
                        av.assertPacket(copy3, i * 7);
                    }
                    case 9 -> {
                        assertFalse(copy3.valid(), "unpinned, copy3 was evicted for copy8 or copy9");
                        assertTrue(TestMedia.cacheFiles(dir).stream().noneMatch(f -> f.startsWith(copy3.id())),
                                "its files are gone");
                    }
                    default -> {
                    }
                }
                if (i >= 3 && i <= 7) {
                    assertEquals(2, TestMedia.cacheFiles(dir).stream().filter(f -> f.startsWith(copy3.id())).count(),
                            "a pinned item's files stay");
                }
            }
            assertEquals(8, metrics.evicted.get(), "copies 0-7 made way one by one");
            assertEquals(8 * item, metrics.evictedBytes.get());
            assertEquals(List.of(url(9), url(8)), store.items().stream().map(CacheItem::url).toList());
            store.awaitBackgroundIo();
            assertEquals(store.diskBytes(), TestMedia.dirBytes(dir));
            assertEquals(2 * item, store.diskBytes());
        }
    }

    @Test
    void completeItemsAreEvictedBeforePartialOnes() throws Exception {
        long item = itemBytes();
        long quota = item * 5 / 2;
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, quota, 0), metrics)) {
            CacheItem partial = store.create(url(0), av.info, av.fingerprint, false);
            for (int n = 0; n < av.count() * 3 / 4; n++) {
                av.write(partial, n);
            }
            CacheItem complete = store.create(url(1), av.info, av.fingerprint, false);
            writeAllWithinQuota(store, complete, quota);
            store.lookup(url(1)); // the complete one is the more recently used
            CacheItem third = store.create(url(2), av.info, av.fingerprint, false);
            writeAllWithinQuota(store, third, quota);
            assertFalse(complete.valid(), "the complete item goes first even though the partial is older");
            assertTrue(partial.valid());
            assertSame(partial, store.lookup(url(0)));
        }
    }

    @Test
    @SuppressWarnings("try") // the pin is held for the block
    void writesAreRefusedWhenPinnedItemsHoldTheQuota() throws Exception {
        long item = itemBytes();
        long quota = item * 3 / 2;
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, quota, 0), metrics)) {
            CacheItem first = store.create(url(0), av.info, av.fingerprint, false);
            writeAllWithinQuota(store, first, quota);
            try (CacheItem.Pin pin = first.pin()) {
                CacheItem second = store.create(url(1), av.info, av.fingerprint, false);
                assertNotNull(second);
                int written = 0;
                CacheItem.WriteResult r;
                while ((r = av.write(second, written)) == CacheItem.WriteResult.WRITTEN) {
                    written++;
                    assertTrue(store.diskBytes() <= quota);
                }
                assertEquals(CacheItem.WriteResult.REFUSED, r, "the pinned item cannot be evicted: no room");
                assertTrue(written > 0 && written < av.count(), "written " + written);
                assertTrue(first.valid(), "a pinned item is never evicted");
                assertTrue(second.valid(), "a refused write leaves the item usable");
                assertEquals(0, metrics.evicted.get());
                assertTrue(store.diskBytes() <= quota);
            }
            // The pin closed: now the first item can make room.
            CacheItem second = store.lookup(url(1));
            for (int n = 0; n < av.count(); n++) {
                av.write(second, n);
                assertTrue(store.diskBytes() <= quota);
            }
            assertTrue(second.complete());
            assertFalse(first.valid());
            av.assertAll(second);
        }
    }

    @Test
    void openEvictsWhenTheQuotaShrank() throws Exception {
        long item = itemBytes();
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, item * 4, 0), metrics)) {
            for (int i = 0; i < 3; i++) {
                av.writeAll(store.create(url(i), av.info, av.fingerprint, false));
            }
            store.lookup(url(0));
        }
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, item * 2, 0), metrics)) {
            assertTrue(store.diskBytes() <= item * 2);
            assertEquals(List.of(url(0), url(2)), store.items().stream().map(CacheItem::url).toList(),
                    "copy1, least recently used, went");
            store.awaitBackgroundIo();
            assertEquals(store.diskBytes(), TestMedia.dirBytes(dir));
        }
    }
}
