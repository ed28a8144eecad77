package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every lifecycle move of a real item as the store makes it (fill, complete, evict, replace,
 * discard, last pin, close, reopen), and that no path of the store attempts an illegal one.
 */
class CacheItemLifecycleTest {

    private static final String URL = "mms://origin/av.asf";

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();

    private CacheStore open() throws Exception {
        return CacheStore.open(new CacheSettings(dir, 64L << 20, 1L << 20), CacheMetrics.NONE);
    }

    private static void writeUpTo(TestMedia media, CacheItem item, int end) {
        for (int n = 0; n < end; n++) {
            assertEquals(CacheItem.WriteResult.WRITTEN, media.write(item, n), "packet " + n);
        }
    }

    @Test
    void fillingBecomesCompleteWithItsLastPacket() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            assertEquals(ItemState.FILLING, item.state());
            writeUpTo(av, item, av.count() - 1);
            assertEquals(ItemState.FILLING, item.state());
            assertFalse(item.complete());
            av.write(item, av.count() - 1);
            assertEquals(ItemState.COMPLETE, item.state());
            assertTrue(item.complete());
            assertEquals(CacheItem.WriteResult.ALREADY_COVERED, av.write(item, 3), "complete: nothing to write");
            assertEquals(ItemState.COMPLETE, item.state());
        }
    }

    @Test
    void unpinnedItemInvalidatedIsDeletedAtOnce() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            store.awaitBackgroundIo();
            store.invalidate(URL);
            assertEquals(ItemState.DELETED, item.state());
            assertFalse(item.valid());
            assertEquals(List.of(), TestMedia.cacheFiles(dir));
            assertThrows(CacheReadException.class, () -> item.read(0));
            assertEquals(0, item.diskBytes());
        }
    }

    @Test
    void pinnedItemEvictedStaysReadableUntilItsLastPin() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            writeUpTo(av, item, 30);
            CacheItem.Pin pin = item.pin();
            store.invalidate(URL);
            assertEquals(ItemState.UNLINKED, item.state());
            assertFalse(item.valid());
            assertNull(store.lookup(URL));
            av.assertPacket(item, 12); // the session holding it reads on
            assertEquals(CacheItem.WriteResult.REFUSED, av.write(item, 30), "out of the index: no more writes");
            assertEquals(2, TestMedia.cacheFiles(dir).size(), "its files wait for the pin");
            pin.close();
            assertEquals(ItemState.DELETED, item.state());
            assertEquals(List.of(), TestMedia.cacheFiles(dir));
            assertEquals(0, store.diskBytes());
            pin.close(); // a pin closes once
            assertEquals(ItemState.DELETED, item.state());
        }
    }

    @Test
    void anEvictedItemNeverBecomesComplete() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            writeUpTo(av, item, av.count() - 1);
            try (CacheItem.Pin pin = item.pin()) {
                store.invalidate(URL);
                assertEquals(CacheItem.WriteResult.REFUSED, av.write(item, av.count() - 1));
                assertEquals(ItemState.UNLINKED, item.state());
                assertFalse(item.complete());
                assertEquals(av.count() - 1, item.coveredPackets());
            }
            assertEquals(ItemState.DELETED, item.state());
        }
    }

    @Test
    void aCompleteItemEvictedStillReadsComplete() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            try (CacheItem.Pin pin = item.pin()) {
                store.invalidate(URL);
                assertEquals(ItemState.UNLINKED, item.state());
                assertTrue(item.complete(), "a fill's status still shows it complete");
            }
            assertTrue(item.complete());
        }
    }

    @Test
    void newContentReplacesTheItem() throws Exception {
        try (CacheStore store = open()) {
            CacheItem old = store.create(URL, av.info, av.fingerprint, false);
            writeUpTo(av, old, 10);
            CacheItem.Pin pin = old.pin();
            CacheItem fresh = store.create(URL, av.info, av.fingerprint, false);
            assertEquals(ItemState.UNLINKED, old.state());
            assertEquals(ItemState.FILLING, fresh.state());
            pin.close();
            assertEquals(ItemState.DELETED, old.state());
            assertEquals(ItemState.FILLING, fresh.state());
        }
    }

    /**
     * Issue #17: corruption found on read drops that packet only; the item stays COMPLETE in the
     * index (it never goes back to FILLING) and reads as complete again once the packet is stored.
     */
    @Test
    void corruptionFoundWhilePinnedDropsThePacketAndTheItemStays() throws Exception {
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, 64L << 20, 0), CacheMetrics.NONE)) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            CacheItem.Pin pin = item.pin();
            TestMedia.flipByte(item.files().data(), TestMedia.payloadOffset(item, 5, 20));
            assertTrue(assertThrows(CacheReadException.class, () -> item.read(5)).dropped());
            assertEquals(ItemState.COMPLETE, item.state());
            assertFalse(item.complete(), "packet 5 is missing");
            assertTrue(item.valid());
            pin.close();
            assertEquals(ItemState.COMPLETE, item.state());
            assertEquals(2, TestMedia.cacheFiles(dir).size(), "the files stay");
            assertEquals(CacheItem.WriteResult.WRITTEN, av.write(item, 5));
            assertTrue(item.complete());
            assertEquals(ItemState.COMPLETE, item.state());
        }
    }

    /** Corruption found in an item already out of the index changes nothing: its files go with its last pin. */
    @Test
    void corruptionFoundInAnUnlinkedItemLeavesItToItsLastPin() throws Exception {
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, 64L << 20, 0), CacheMetrics.NONE)) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            CacheItem.Pin pin = item.pin();
            store.invalidate(URL);
            assertEquals(ItemState.UNLINKED, item.state());
            TestMedia.flipByte(item.files().data(), TestMedia.payloadOffset(item, 5, 20));
            assertFalse(assertThrows(CacheReadException.class, () -> item.read(5)).dropped());
            assertEquals(ItemState.UNLINKED, item.state());
            pin.close();
            assertEquals(ItemState.DELETED, item.state());
            assertEquals(List.of(), TestMedia.cacheFiles(dir));
        }
    }

    @Test
    void closingTheStoreKeepsTheFilesAndReopeningFindsTheStates() throws Exception {
        CacheItem complete;
        CacheItem partial;
        CacheItem.Pin pin;
        try (CacheStore store = open()) {
            complete = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(complete);
            partial = store.create("mms://origin/partial.asf", av.info, av.fingerprint, false);
            writeUpTo(av, partial, 20);
            pin = partial.pin();
        }
        assertEquals(ItemState.CLOSED, complete.state());
        assertEquals(ItemState.CLOSED, partial.state());
        assertTrue(complete.complete());
        assertFalse(partial.complete());
        pin.close(); // after the close: deletes nothing
        assertEquals(ItemState.CLOSED, partial.state());
        assertEquals(4, TestMedia.cacheFiles(dir).size());
        try (CacheStore store = open()) {
            CacheItem c = store.lookup(URL);
            CacheItem p = store.lookup("mms://origin/partial.asf");
            assertNotNull(c);
            assertNotNull(p);
            assertEquals(ItemState.COMPLETE, c.state());
            assertEquals(ItemState.FILLING, p.state());
            assertEquals(20, p.coveredPackets());
        }
    }

    @Test
    void anItemCompleteOnDiskButNotRecordedCompletesOnOpen() throws Exception {
        ItemFiles files;
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            writeUpTo(av, item, av.count() - 1);
            files = item.files();
        }
        // Store the last slot behind the metadata's back, as a crash between the last write and
        // the recording of completeness leaves it.
        byte[] metaBefore = Files.readAllBytes(files.meta());
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            av.write(item, av.count() - 1);
            store.awaitBackgroundIo();
        }
        Files.write(files.meta(), metaBefore);
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            assertEquals(ItemState.COMPLETE, item.state(), "every slot verifies: complete");
            store.awaitBackgroundIo();
            assertTrue(ItemMeta.decode(Files.readAllBytes(files.meta())).complete(), "and recorded so");
        }
    }
}
