package io.mmsedge.cache;

import static io.mmsedge.cache.CacheItem.WriteResult.UNSTORED;
import static io.mmsedge.cache.CacheItem.WriteResult.WRITTEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.LogCapture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk tier on a real file system in trouble (issue #17, finding 1): a small tmpfs that
 * fills up, and one remounted read-only. A full disk first evicts what nobody reads; what still
 * does not fit is not stored — the item stays in the cache, partial, never broken — and the
 * failure is logged once and counted; once the disk takes writes again, filling goes on.
 */
class CacheDiskFaultTest {

    private static final String A = "mms://origin/a.asf";
    private static final String B = "mms://origin/b.asf";
    private static final String C = "mms://origin/c.asf";

    @TempDir
    Path tmp;

    private final TestMedia av = TestMedia.av();
    private final TestMedia.CountingMetrics metrics = new TestMedia.CountingMetrics();
    private TestDisk disk;

    @BeforeEach
    void mount() throws Exception {
        disk = TestDisk.open(tmp);
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) {
            disk.close();
        }
    }

    private void needsRealDisk(String why) {
        assumeTrue(disk.real(), "mounting a tmpfs is not permitted here (not root), and " + why
                + ": the stand-in channels cannot do that");
    }

    /** A store whose quota (64 MiB) is far above the file system's 5 MB: the disk fills first. */
    private CacheStore open() throws Exception {
        return CacheStore.open(new CacheSettings(disk.cacheDir(), 64L << 20, 0), metrics);
    }

    private CacheItem complete(CacheStore store, String url) {
        CacheItem item = store.create(url, av.info, av.fingerprint, false);
        av.writeAll(item);
        return item;
    }

    @Test
    void aFullDiskEvictsWhatNobodyReadsLeastRecentlyUsedFirst() throws Exception {
        needsRealDisk("deleting an evicted item must free space");
        try (CacheStore store = open(); LogCapture logs = LogCapture.begin()) {
            CacheItem a = complete(store, A);
            CacheItem b = complete(store, B);
            store.lookup(B); // B used last
            disk.fillLeaving(4 * av.info.packetSize());
            CacheItem c = store.create(C, av.info, av.fingerprint, false);
            assertNotNull(c, "the metadata still fits");
            av.writeAll(c); // every packet WRITTEN: evicting made room
            assertTrue(c.complete());
            assertFalse(a.valid(), "the least recently used item went first");
            assertNull(store.lookup(A));
            assertTrue(metrics.evicted.get() >= 1);
            assertEquals(0, metrics.diskWriteFailures.get(), "evicting helped: no failure");
            assertNotNull(logs.await(0, "evicted " + A, "the file system of the disk tier is full"),
                    logs.lines().toString());
            av.assertAll(c);
            if (b.valid()) {
                av.assertAll(b);
            }
        }
    }

    @Test
    void aFullDiskWithNothingToEvictLeavesTheItemPartialLogsOnceAndFillsOnLater() throws Exception {
        List<CacheItem.WriteResult> results = new ArrayList<>();
        try (CacheStore store = open(); LogCapture logs = LogCapture.begin()) {
            CacheItem read = complete(store, A);
            try (CacheItem.Pin pinned = read.pin()) { // a player reads it: not evictable
                CacheItem item = store.create(C, av.info, av.fingerprint, false);
                disk.fillLeaving(20L * av.info.packetSize());
                for (int n = 0; n < av.count(); n++) {
                    results.add(av.write(item, n));
                }
                long written = results.stream().filter(r -> r == WRITTEN).count();
                assertTrue(written > 0 && results.contains(UNSTORED), results.toString());
                assertEquals(av.count(), written + results.stream().filter(r -> r == UNSTORED).count(),
                        "nothing else: no exception, no refusal");
                assertTrue(item.valid(), "the item stays in the cache");
                assertSame(item, store.lookup(C));
                assertFalse(item.complete());
                assertEquals(written, item.coveredPackets(), "exactly the packets written are covered");
                for (int n = 0; n < av.count(); n++) {
                    if (item.has(n)) {
                        av.assertPacket(item, n);
                    }
                }
                assertTrue(read.valid(), "the pinned item is not evicted");
                assertEquals(1, metrics.diskWriteFailures.get(), "counted once");
                assertEquals(1, logs.lines().stream().filter(l -> l.contains("cannot store packets")).count(),
                        "logged once: " + logs.lines());
                assertNotNull(logs.await(0, "WARN", "No space left on device", C), logs.lines().toString());
            }
        }
        // A restart keeps what verifies: partial, never discarded.
        try (CacheStore store = open(); LogCapture logs = LogCapture.begin()) {
            CacheItem item = store.lookup(C);
            assertNotNull(item);
            assertFalse(item.complete());
            assertEquals(results.stream().filter(r -> r == WRITTEN).count(), item.coveredPackets());
            assertEquals(0, metrics.discarded.get());

            disk.free();
            store.disk().retryAfter(0);
            for (int n = 0; n < av.count(); n++) {
                if (!item.has(n)) {
                    assertEquals(WRITTEN, av.write(item, n), "packet " + n + " once there is room");
                }
            }
            assertTrue(item.complete());
            av.assertAll(item);
        }
    }

    /**
     * A disk tier that is read-only when the edge starts (remounted so while it was down, as a
     * kernel does after disk errors): the store starts, serves what verifies, stores nothing,
     * evicts nothing, logs once; remounted writable, the same store fills on.
     */
    @Test
    void aReadOnlyDiskServesWhatItHoldsStoresNothingAndRecovers() throws Exception {
        needsRealDisk("the disk must turn read-only");
        try (CacheStore store = open()) {
            complete(store, A);
            CacheItem item = store.create(C, av.info, av.fingerprint, false);
            for (int n = 0; n < 10; n++) {
                assertEquals(WRITTEN, av.write(item, n));
            }
        }
        disk.readOnly(true);
        try (LogCapture logs = LogCapture.begin(); CacheStore store = open()) {
            try {
                CacheItem a = store.lookup(A);
                CacheItem item = store.lookup(C);
                assertTrue(a.complete());
                av.assertAll(a);
                store.disk().retryAfter(0); // every write tries the disk: none may evict or throw
                for (int n = 10; n < 30; n++) {
                    assertEquals(UNSTORED, av.write(item, n), "packet " + n);
                }
                assertTrue(a.valid(), "evicting cannot help a read-only disk: nothing is evicted");
                assertEquals(0, metrics.evicted.get());
                assertTrue(item.valid());
                assertEquals(10, item.coveredPackets());
                assertEquals(1, metrics.diskWriteFailures.get());
                assertEquals(1, logs.lines().stream().filter(l -> l.contains("cannot store packets")).count(),
                        "logged once: " + logs.lines());
                assertNotNull(logs.await(0, "WARN", "cannot store packets", "Read-only file system"),
                        logs.lines().toString());
                assertNull(store.create(B, av.info, av.fingerprint, false), "no new item: it is relayed");
            } finally {
                disk.readOnly(false);
            }
            CacheItem item = store.lookup(C);
            for (int n = 10; n < av.count(); n++) {
                assertEquals(WRITTEN, av.write(item, n));
            }
            assertTrue(item.complete());
            av.assertAll(item);
            assertNotNull(logs.await(0, "INFO", "takes writes again"), logs.lines().toString());
        }
    }
}
