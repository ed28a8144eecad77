package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/** What {@link CacheStore#open} does with damaged files: discard complete items, keep what verifies of partial ones. */
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

    @Test
    void corruptionFoundOnReadDiscardsTheItem() throws Exception {
        ItemFiles files = storeComplete(URL);
        int slot = SlotFormat.slotSize(av.packetSize);
        try (CacheStore store = open(); LogCapture logs = LogCapture.begin()) {
            CacheItem item = store.lookup(URL);
            av.assertPacket(item, 2);
            TestMedia.flipByte(files.data(), 3L * slot + SlotFormat.HEADER_SIZE + 100);
            org.junit.jupiter.api.Assertions.assertThrows(CacheReadException.class, () -> item.read(3));
            assertFalse(item.valid());
            assertNull(store.lookup(URL));
            assertEquals(1, metrics.discarded.get());
            assertNotNull(logs.await(0, "WARN", URL, "packet 3 fails its checksum"), logs.lines().toString());
            assertEquals(List.of(), TestMedia.cacheFiles(dir), "unpinned: deleted at once");
            assertEquals(0, store.diskBytes());
        }
    }
}
