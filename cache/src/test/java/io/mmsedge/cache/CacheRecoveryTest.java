package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.LogCapture;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link CacheRecovery} (run by {@link CacheStore#open}) does with damaged files: discard
 * complete items, keep what verifies of partial ones. The first tests go through the store; the
 * ones at the end call {@link CacheRecovery#recover()} on the files alone.
 */
class CacheRecoveryTest {

    private static final String URL = "mms://origin/av.asf";
    private static final String OTHER = "mms://origin/other.asf";

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();
    private final TestMedia.CountingMetrics metrics = new TestMedia.CountingMetrics();

    private CacheStore open() throws Exception {
        return CacheStore.open(new CacheSettings(dir, 64L << 20, 0), metrics);
    }

    /** Stores {@code url} complete; returns its files. */
    private ItemFiles storeComplete(String url) throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(url, av.info, av.fingerprint, false);
            av.writeAll(item);
            return item.files();
        }
    }

    private void assertDiscarded(ItemFiles files, String url, String reason, LogCapture logs) throws Exception {
        try (CacheStore store = open()) {
            assertNull(store.lookup(url), url + " is discarded");
            assertFalse(Files.exists(files.meta()), "metadata deleted");
            assertFalse(Files.exists(files.data()), "data deleted");
            assertEquals(1, metrics.discarded.get());
            String line = logs.await(0, "WARN", url, reason);
            assertNotNull(line, "a warning names the url and the reason: " + logs.lines());
            CacheItem other = store.lookup(OTHER);
            assertNotNull(other, "the undamaged item is kept");
            assertTrue(other.complete());
            av.assertAll(other);
            store.awaitBackgroundIo();
            assertEquals(store.diskBytes(), TestMedia.dirBytes(dir));
        }
    }

    @Test
    void truncatedDataOfACompleteItemIsDiscarded() throws Exception {
        ItemFiles files = storeComplete(URL);
        storeComplete(OTHER);
        try (FileChannel ch = FileChannel.open(files.data(), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100); // cuts into the last slot
        }
        try (LogCapture logs = LogCapture.begin()) {
            assertDiscarded(files, URL, "truncated", logs);
        }
    }

    @Test
    void flippedByteInASlotOfACompleteItemIsDiscarded() throws Exception {
        ItemFiles files = storeComplete(URL);
        storeComplete(OTHER);
        int slot = SlotFormat.slotSize(av.packetSize);
        TestMedia.flipByte(files.data(), 40L * slot + SlotFormat.HEADER_SIZE + 17);
        try (LogCapture logs = LogCapture.begin()) {
            assertDiscarded(files, URL, "packet 40 fails its checksum", logs);
        }
    }

    @Test
    void flippedSendTimeIsCaughtToo() throws Exception {
        ItemFiles files = storeComplete(URL);
        storeComplete(OTHER);
        int slot = SlotFormat.slotSize(av.packetSize);
        TestMedia.flipByte(files.data(), 7L * slot + 9); // inside the send time, covered by the CRC
        try (LogCapture logs = LogCapture.begin()) {
            assertDiscarded(files, URL, "packet 7 fails its checksum", logs);
        }
    }

    @Test
    void partialItemKeepsTheSlotsThatVerify() throws Exception {
        ItemFiles files;
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            for (int n = 0; n < 30; n++) {
                av.write(item, n);
            }
            files = item.files();
        }
        int slot = SlotFormat.slotSize(av.packetSize);
        TestMedia.flipByte(files.data(), 12L * slot + SlotFormat.HEADER_SIZE + 3);
        try (FileChannel ch = FileChannel.open(files.data(), StandardOpenOption.WRITE)) {
            ch.truncate(29L * slot + 50); // a torn last slot
        }
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            assertNotNull(item, "a partial item survives damage");
            List<long[]> ranges = item.coverage();
            assertEquals(2, ranges.size());
            assertEquals("[0, 12]", Arrays.toString(ranges.get(0)));
            assertEquals("[13, 29]", Arrays.toString(ranges.get(1)));
            assertEquals(0, metrics.discarded.get());
            for (int n = 0; n < 29; n++) {
                if (n != 12) {
                    av.assertPacket(item, n);
                }
            }
            // The damaged packets can be filled again.
            assertEquals(CacheItem.WriteResult.WRITTEN, av.write(item, 12));
            assertEquals(CacheItem.WriteResult.WRITTEN, av.write(item, 29));
            av.assertPacket(item, 12);
            av.assertPacket(item, 29);
            assertEquals(30, item.coveredUntil(0));
        }
    }

    @Test
    void garbageMetadataIsRemovedWithoutFailingTheOpen() throws Exception {
        storeComplete(OTHER);
        byte[] garbage = new byte[3000];
        new Random(7).nextBytes(garbage);
        Path bad = dir.resolve("00112233445566ff-000000000042.meta");
        Path badData = dir.resolve("00112233445566ff-000000000042.data");
        Files.write(bad, garbage);
        Files.write(badData, new byte[10_000]);
        Path empty = dir.resolve("00112233445566ee-000000000043.meta");
        Files.write(empty, new byte[0]);
        try (LogCapture logs = LogCapture.begin(); CacheStore store = open()) {
            assertFalse(Files.exists(bad));
            assertFalse(Files.exists(badData), "the bad item's data goes with it");
            assertFalse(Files.exists(empty));
            assertNotNull(logs.await(0, "WARN", bad.getFileName().toString()), logs.lines().toString());
            assertNotNull(logs.await(0, "WARN", empty.getFileName().toString()), logs.lines().toString());
            assertEquals(1, store.items().size());
            av.assertAll(store.lookup(OTHER));
        }
    }

    @Test
    void cutShortOrAlteredMetadataIsRemoved() throws Exception {
        ItemFiles cut = storeComplete(URL);
        ItemFiles altered;
        try (CacheStore store = open()) {
            CacheItem item = store.create("mms://origin/third.asf", av.info, av.fingerprint, false);
            av.writeAll(item);
            altered = item.files();
        }
        storeComplete(OTHER);
        byte[] meta = Files.readAllBytes(cut.meta());
        Files.write(cut.meta(), Arrays.copyOf(meta, meta.length / 2));
        TestMedia.flipByte(altered.meta(), 40); // inside the URL: the metadata checksum fails
        try (LogCapture logs = LogCapture.begin(); CacheStore store = open()) {
            assertNull(store.lookup(URL));
            assertNull(store.lookup("mms://origin/third.asf"));
            assertFalse(Files.exists(cut.data()));
            assertFalse(Files.exists(altered.data()));
            assertNotNull(logs.await(0, "WARN", cut.meta().getFileName().toString()), logs.lines().toString());
            assertNotNull(logs.await(0, "WARN", altered.meta().getFileName().toString(), "checksum"),
                    logs.lines().toString());
            av.assertAll(store.lookup(OTHER));
        }
    }

    @Test
    void completeItemWithoutDataFileIsDiscarded() throws Exception {
        ItemFiles files = storeComplete(URL);
        storeComplete(OTHER);
        Files.delete(files.data());
        try (LogCapture logs = LogCapture.begin()) {
            assertDiscarded(files, URL, "missing", logs);
        }
    }

    /**
     * Issue #17: a packet that fails its checksum when read is dropped from the item, not the
     * whole item: the item stays, says incomplete (on disk too, so a restart keeps the packets
     * that verify), and storing the packet again completes it.
     */
    @Test
    void corruptionFoundOnReadDropsThatPacketOnly() throws Exception {
        ItemFiles files = storeComplete(URL);
        int slot = SlotFormat.slotSize(av.packetSize);
        try (CacheStore store = open(); LogCapture logs = LogCapture.begin()) {
            CacheItem item = store.lookup(URL);
            long bytes = store.diskBytes();
            av.assertPacket(item, 2);
            TestMedia.flipByte(files.data(), 3L * slot + SlotFormat.HEADER_SIZE + 100);
            CacheReadException e = org.junit.jupiter.api.Assertions.assertThrows(CacheReadException.class,
                    () -> item.read(3));
            assertTrue(e.dropped(), e.getMessage());
            assertTrue(item.valid(), "the item stays in the cache");
            assertSame(item, store.lookup(URL));
            assertFalse(item.has(3), "the bad packet is no longer stored");
            assertFalse(item.complete(), "incomplete until it is stored again");
            assertEquals(av.count() - 1, item.coveredPackets());
            assertEquals(bytes - slot, store.diskBytes(), "its slot is no longer charged");
            assertEquals(0, metrics.discarded.get());
            assertEquals(1, metrics.dropped.get());
            assertNotNull(logs.await(0, "WARN", URL, "packet 3 fails its checksum"), logs.lines().toString());
            av.assertPacket(item, 2);
            av.assertPacket(item, 4);
            store.awaitBackgroundIo(); // the metadata now says incomplete
        }
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            assertNotNull(item, "a restart keeps the item");
            assertFalse(item.complete());
            assertEquals(List.of(new long[] {0, 3}, new long[] {4, av.count()}).stream()
                    .map(java.util.Arrays::toString).toList(),
                    item.coverage().stream().map(java.util.Arrays::toString).toList());
            assertEquals(CacheItem.WriteResult.WRITTEN, av.write(item, 3), "the packet is stored again");
            assertTrue(item.complete());
            av.assertAll(item);
            store.awaitBackgroundIo();
        }
        try (CacheStore store = open()) {
            assertTrue(store.lookup(URL).complete(), "recorded complete again");
            assertEquals(0, metrics.discarded.get());
        }
    }

    // ---- CacheRecovery on its own -------------------------------------------------------------

    private CacheRecovery.Result recover() throws Exception {
        return new CacheRecovery(dir, metrics).recover();
    }

    private static void closeAll(CacheRecovery.Result r) {
        for (CacheRecovery.Recovered item : r.items()) {
            item.data().close();
        }
    }

    @Test
    void recoveryReturnsVerifiedItemsWithTheirFacts() throws Exception {
        ItemFiles files = storeComplete(URL);
        CacheRecovery.Result r = recover();
        try {
            assertEquals(1, r.items().size());
            CacheRecovery.Recovered item = r.items().get(0);
            assertEquals(URL, item.meta().url());
            assertEquals(files.base(), item.files().base());
            assertTrue(item.allSlotsVerify());
            assertTrue(item.meta().complete());
            assertFalse(item.completeUnrecorded());
            assertEquals(av.count(), item.coverage().count());
            for (int n = 0; n < av.count(); n++) {
                assertEquals(av.sendTimes[n], item.sendTimes()[n], "send time of " + n);
                assertEquals(av.keyFrames[n], item.keyFrames().get(n), "key frame flag of " + n);
            }
            assertEquals(Files.size(files.meta()) + Files.size(files.data()), item.diskBytes());
            assertEquals(files.generation(), r.maxGeneration());
            assertEquals(0, metrics.discarded.get());
        } finally {
            closeAll(r);
        }
    }

    @Test
    void recoveryDiscardsATruncatedCompleteItemWithAWarningAndAMetric() throws Exception {
        ItemFiles files = storeComplete(URL);
        try (FileChannel ch = FileChannel.open(files.data(), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        try (LogCapture logs = LogCapture.begin()) {
            CacheRecovery.Result r = recover();
            assertEquals(List.of(), r.items());
            assertEquals(1, metrics.discarded.get());
            assertNotNull(logs.await(0, "WARN", URL, "truncated"), logs.lines().toString());
            assertEquals(List.of(), TestMedia.cacheFiles(dir));
            assertEquals(files.generation(), r.maxGeneration(), "new items still start above it");
        }
    }

    @Test
    void recoveryKeepsTheVerifiedSlotsOfAPartialItem() throws Exception {
        ItemFiles files;
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            for (int n = 0; n < 40; n++) {
                av.write(item, n);
            }
            files = item.files();
        }
        int slot = SlotFormat.slotSize(av.packetSize);
        TestMedia.flipByte(files.data(), 5L * slot + SlotFormat.HEADER_SIZE + 1);
        TestMedia.flipByte(files.data(), 21L * slot + 9); // the send time
        CacheRecovery.Result r = recover();
        try {
            CacheRecovery.Recovered item = r.items().get(0);
            assertFalse(item.allSlotsVerify());
            assertEquals("[[0, 5], [6, 21], [22, 40]]", item.coverage().ranges().stream()
                    .map(Arrays::toString).toList().toString());
            assertEquals(38L * slot + item.metaSize(), item.diskBytes(), "charged for what verifies");
            assertEquals(0, metrics.discarded.get(), "a partial item is not discarded");
        } finally {
            closeAll(r);
        }
    }

    @Test
    void recoveryFindsAnItemCompleteThatItsMetadataDoesNotSaySo() throws Exception {
        ItemFiles files = storeComplete(URL);
        byte[] meta = Files.readAllBytes(files.meta());
        ItemMeta m = ItemMeta.decode(meta);
        Files.write(files.meta(), m.withState(false, m.lastAccessMillis(), m.accessSeq()).encode());
        CacheRecovery.Result r = recover();
        try {
            CacheRecovery.Recovered item = r.items().get(0);
            assertTrue(item.allSlotsVerify());
            assertTrue(item.completeUnrecorded(), "the store records it complete");
        } finally {
            closeAll(r);
        }
    }

    @Test
    void recoveryKeepsTheNewestGenerationOfAUrl() throws Exception {
        ItemFiles older = storeComplete(URL);
        ItemFiles newer;
        try (CacheStore store = open()) {
            // The old item is not replaced through the store: as if the last run died mid-replace.
            CacheItem item = store.create(OTHER, av.info, av.fingerprint, false);
            av.writeAll(item);
            newer = item.files();
        }
        // Make the newer files belong to URL: rename them to URL's hash at the newer generation.
        ItemFiles moved = ItemFiles.of(dir, URL, newer.generation());
        ItemMeta m = ItemMeta.decode(Files.readAllBytes(newer.meta()));
        Files.write(moved.meta(), ItemMeta.of(URL, av.info, av.fingerprint, false, m.lastAccessMillis(),
                m.accessSeq()).withState(true, m.lastAccessMillis(), m.accessSeq()).encode());
        Files.move(newer.data(), moved.data());
        Files.delete(newer.meta());
        CacheRecovery.Result r = recover();
        try {
            assertEquals(1, r.items().size());
            assertEquals(moved.base(), r.items().get(0).files().base());
            assertFalse(Files.exists(older.meta()), "the older generation is removed");
            assertFalse(Files.exists(older.data()));
            assertEquals(moved.generation(), r.maxGeneration());
        } finally {
            closeAll(r);
        }
    }

    @Test
    void recoveryRemovesLeftoversOfUnfinishedWrites() throws Exception {
        ItemFiles files = storeComplete(URL);
        Path temp = files.metaTemp();
        Files.write(temp, new byte[] {1, 2, 3});
        Path orphan = dir.resolve("00112233445566ff-0000000000a0.data");
        Files.write(orphan, new byte[100]);
        Path unrelated = dir.resolve("notes.txt");
        Files.writeString(unrelated, "not a cache file");
        CacheRecovery.Result r = recover();
        try {
            assertFalse(Files.exists(temp));
            assertFalse(Files.exists(orphan), "data without metadata: its creation never finished");
            assertTrue(Files.exists(unrelated), "not ours: left alone");
            assertEquals(1, r.items().size());
            assertEquals(0xa0, r.maxGeneration(), "the orphan's generation is not reused");
        } finally {
            closeAll(r);
        }
    }
}
