package io.mmsedge.cache;

import static io.mmsedge.cache.CacheItem.WriteResult.ALREADY_COVERED;
import static io.mmsedge.cache.CacheItem.WriteResult.REFUSED;
import static io.mmsedge.cache.CacheItem.WriteResult.WRITTEN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheStoreTest {

    private static final String URL = "mms://origin/av.asf";
    private static final long QUOTA = 64L << 20;

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();

    private CacheStore open() throws Exception {
        return CacheStore.open(new CacheSettings(dir, QUOTA, 1 << 20), CacheMetrics.NONE);
    }

    private static String coverage(CacheItem item) {
        StringBuilder b = new StringBuilder();
        for (long[] r : item.coverage()) {
            b.append('[').append(r[0]).append(',').append(r[1]).append(')');
        }
        return b.toString();
    }

    @Test
    void writeEveryPacketAndReadItBack() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, true);
            assertNotNull(item);
            assertEquals(URL, item.url());
            assertEquals(av.count(), item.packetCount());
            assertTrue(item.protectedContent());
            assertFalse(item.complete());
            assertEquals(0, item.coveredPackets());
            assertEquals(0, item.coveredUntil(0));
            assertEquals(-1, item.sendTimeMs(0));
            assertThrows(CacheReadException.class, () -> item.read(0), "nothing stored yet");

            AtomicInteger calls = new AtomicInteger();
            item.addListener(calls::incrementAndGet);
            for (int n = 0; n < av.count(); n++) {
                assertFalse(item.has(n));
                assertEquals(WRITTEN, av.write(item, n));
                assertTrue(item.has(n));
                assertEquals(n + 1, calls.get(), "one call per newly covered packet");
                assertEquals(n == av.count() - 1, item.complete(), "complete exactly after the last packet");
            }
            assertTrue(item.complete());
            assertEquals(av.count(), item.coveredPackets());
            assertEquals(av.count(), item.coveredUntil(0));
            assertEquals(List.of(0L, (long) av.count()), List.of(item.coverage().get(0)[0], item.coverage().get(0)[1]));
            av.assertAll(item);
            assertTrue(java.util.stream.IntStream.range(0, av.count()).anyMatch(n -> av.keyFrames[n]),
                    "the fixture has video key frames, so the flag is really tested");
            assertEquals((long) av.count() * item.slotSize() + item.metaSize(), item.diskBytes());
            assertEquals(item.diskBytes(), store.diskBytes());
            store.awaitBackgroundIo();
            assertEquals(store.diskBytes(), TestMedia.dirBytes(dir), "the accounting is what is on disk");
        }
    }

    @Test
    void writeResults() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            ByteBuf tooBig = Unpooled.buffer(av.packetSize + 1).writeZero(av.packetSize + 1);
            ByteBuf empty = Unpooled.EMPTY_BUFFER;
            try {
                assertEquals(REFUSED, item.write(5, tooBig, 0, false), "larger than the packet size");
                assertEquals(REFUSED, item.write(5, empty, 0, false), "an empty packet");
            } finally {
                tooBig.release();
            }
            ByteBuf p = av.packet(0);
            try {
                assertEquals(REFUSED, item.write(-1, p, 0, false));
                assertEquals(REFUSED, item.write(av.count(), p, 0, false));
                assertEquals(WRITTEN, item.write(0, p, av.sendTimes[0], av.keyFrames[0]));
                assertEquals(ALREADY_COVERED, item.write(0, p, av.sendTimes[0], av.keyFrames[0]));
            } finally {
                p.release();
            }
            assertEquals(1, item.coveredPackets());
            long before = store.diskBytes();
            store.invalidate(URL);
            assertEquals(REFUSED, av.write(item, 1), "an invalid item takes no packets");
            assertTrue(before > store.diskBytes());
        }
    }

    @Test
    void createRefusesContentThatCanNeverFit() throws Exception {
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, 100_000, 0), CacheMetrics.NONE)) {
            assertNull(store.create(URL, av.info, av.fingerprint, false), "av.asf is ~370 kB, the quota 100 kB");
            ContentInfo none = ContentInfo.fromHeader(av.header, av.packetSize, 0, 0, 0, 0);
            assertNull(store.create(URL, none, av.fingerprint, false), "no packets");
            assertEquals(0, store.diskBytes());
            assertEquals(List.of(), TestMedia.cacheFiles(dir));
        }
    }

    @Test
    void restartFindsTheCompleteItem() throws Exception {
        Fingerprint fp;
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, true);
            av.writeAll(item);
            fp = item.fingerprint();
        }
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            assertNotNull(item, "found after a restart");
            assertEquals(fp, item.fingerprint());
            assertTrue(item.complete());
            assertTrue(item.valid());
            assertTrue(item.protectedContent());
            ContentInfo a = av.info;
            ContentInfo b = item.info();
            assertArrayEquals(a.fileHeader(), b.fileHeader());
            assertEquals(a.packetSize(), b.packetSize());
            assertEquals(a.packetCount(), b.packetCount());
            assertEquals(a.bitRate(), b.bitRate());
            assertEquals(a.durationSeconds(), b.durationSeconds());
            assertEquals(a.attributes(), b.attributes());
            assertEquals(a.prerollMs(), b.prerollMs());
            assertEquals(a.streams(), b.streams());
            av.assertAll(item);
            store.awaitBackgroundIo();
            assertEquals(store.diskBytes(), TestMedia.dirBytes(dir));
        }
    }

    @Test
    void restartKeepsExactlyThePartialRanges() throws Exception {
        int[][] ranges = {{0, 10}, {20, 30}, {50, 51}, {av.count() - 3, av.count()}};
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            for (int[] r : ranges) {
                for (int n = r[0]; n < r[1]; n++) {
                    av.write(item, n);
                }
            }
        }
        String expected = "[0,10)[20,30)[50,51)[" + (av.count() - 3) + "," + av.count() + ")";
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            assertNotNull(item);
            assertFalse(item.complete());
            assertEquals(expected, coverage(item));
            assertEquals(10, item.coveredUntil(0));
            assertEquals(10, item.coveredUntil(10));
            assertEquals(30, item.coveredUntil(25));
            for (int[] r : ranges) {
                for (int n = r[0]; n < r[1]; n++) {
                    av.assertPacket(item, n);
                }
            }
            assertEquals(-1, item.sendTimeMs(15));
            assertThrows(CacheReadException.class, () -> item.read(15));
            assertTrue(item.valid(), "reading a missing packet does not discard the item");
            // Fill the rest: it completes and stays complete across another restart.
            for (int n = 0; n < av.count(); n++) {
                av.write(item, n);
            }
            assertTrue(item.complete());
        }
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            assertTrue(item.complete());
            av.assertAll(item);
        }
    }

    /** A crash (no close) keeps what was written: the slots verify on their own. */
    @Test
    void crashImageKeepsTheWrittenPackets(@TempDir Path image) throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            for (int n = 5; n < 40; n++) {
                av.write(item, n);
            }
            // Copy the directory as a crash would leave it: the store never closed.
            for (Path p : Files.list(dir).toList()) {
                Files.copy(p, image.resolve(p.getFileName()));
            }
        }
        try (CacheStore store = CacheStore.open(new CacheSettings(image, QUOTA, 0), CacheMetrics.NONE)) {
            CacheItem item = store.lookup(URL);
            assertEquals("[5,40)", coverage(item));
            for (int n = 5; n < 40; n++) {
                av.assertPacket(item, n);
            }
        }
    }

    @Test
    void restartCompletesAnItemWhoseLastRunDidNotRecordIt() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            for (int n = 0; n < av.count() - 1; n++) {
                av.write(item, n);
            }
            // The last slot written as a crashed run would have: data written, metadata not updated.
            ByteBuf p = av.packet(av.count() - 1);
            try {
                java.nio.ByteBuffer slot = SlotFormat.encode(item.slotSize(), p, av.sendTimes[av.count() - 1],
                        av.keyFrames[av.count() - 1]);
                try (var ch = java.nio.channels.FileChannel.open(item.files().data(),
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.write(slot, (long) (av.count() - 1) * item.slotSize());
                }
            } finally {
                p.release();
            }
        }
        try (CacheStore store = open()) {
            CacheItem item = store.lookup(URL);
            assertTrue(item.complete(), "every slot verifies: complete");
            av.assertAll(item);
        }
        try (CacheStore store = open()) {
            assertTrue(store.lookup(URL).complete(), "and recorded as such");
        }
    }

    @Test
    void leftoverTempAndOrphanFilesAreRemovedOnOpen() throws Exception {
        try (CacheStore store = open()) {
            av.writeAll(store.create(URL, av.info, av.fingerprint, false));
        }
        Path tmp = dir.resolve("0123456789abcdef-000000000007.meta.tmp");
        Path orphan = dir.resolve("0123456789abcdef-000000000008.data");
        Path foreign = dir.resolve("README.txt");
        Files.write(tmp, new byte[] {1, 2, 3});
        Files.write(orphan, new byte[4096]);
        Files.writeString(foreign, "not ours");
        try (CacheStore store = open()) {
            assertFalse(Files.exists(tmp), "leftover temp file deleted");
            assertFalse(Files.exists(orphan), "data without metadata deleted");
            assertTrue(Files.exists(foreign), "files that are not the cache's are left alone");
            assertTrue(store.lookup(URL).complete());
            // New items never reuse a generation seen on disk.
            CacheItem fresh = store.create("mms://origin/other.asf", av.info, av.fingerprint, false);
            long gen = fresh.files().generation();
            assertTrue(gen > 8, "generation " + gen + " is above every one found on open");
        }
    }

    @Test
    void lruOrderSurvivesARestart() throws Exception {
        try (CacheStore store = open()) {
            for (String u : List.of("a", "b", "c")) {
                av.writeAll(store.create("mms://origin/" + u, av.info, av.fingerprint, false));
            }
            store.lookup("mms://origin/a");
            assertEquals(List.of("mms://origin/a", "mms://origin/c", "mms://origin/b"), urls(store.items()));
        }
        try (CacheStore store = open()) {
            assertEquals(List.of("mms://origin/a", "mms://origin/c", "mms://origin/b"), urls(store.items()));
            assertTrue(store.lookup("mms://origin/b").lastAccessMillis() > 0);
        }
    }

    private static List<String> urls(List<CacheItem> items) {
        return items.stream().map(CacheItem::url).toList();
    }

    @Test
    void invalidateUnpinnedDeletesAtOnce() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            AtomicInteger calls = new AtomicInteger();
            item.addListener(calls::incrementAndGet);
            store.invalidate(URL);
            assertFalse(item.valid());
            assertNull(store.lookup(URL));
            assertEquals(1, calls.get(), "told once");
            assertEquals(List.of(), TestMedia.cacheFiles(dir));
            assertEquals(0, store.diskBytes());
            assertEquals(0, item.diskBytes());
            assertThrows(CacheReadException.class, () -> item.read(0));
            store.invalidate(URL);
            assertEquals(1, calls.get(), "still once");
        }
    }

    @Test
    void invalidatePinnedDeletesWithTheLastPin() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            CacheItem.Pin first = item.pin();
            CacheItem.Pin second = item.pin();
            assertEquals(2, item.pins());
            AtomicInteger calls = new AtomicInteger();
            item.addListener(calls::incrementAndGet);
            long bytes = store.diskBytes();

            store.invalidate(URL);
            assertFalse(item.valid());
            assertNull(store.lookup(URL), "out of the index at once");
            assertEquals(1, calls.get());
            assertEquals(bytes, store.diskBytes(), "still on disk, still counted");
            av.assertAll(item);

            first.close();
            first.close(); // idempotent
            assertEquals(1, item.pins());
            assertEquals(2, TestMedia.cacheFiles(dir).size(), "one pin left: files stay");
            av.assertPacket(item, 3);

            second.close();
            assertEquals(0, item.pins());
            assertEquals(List.of(), TestMedia.cacheFiles(dir), "last pin closed: files gone");
            assertEquals(0, store.diskBytes());
            assertEquals(1, calls.get(), "told once only");
            assertThrows(CacheReadException.class, () -> item.read(3));
        }
    }

    @Test
    void replacementWhilePinned() throws Exception {
        Fingerprint newer = new Fingerprint(av.fingerprint.fileId(), av.fingerprint.fileSize() + 1,
                av.fingerprint.packetCount(), "00".repeat(32));
        try (CacheStore store = open()) {
            CacheItem old = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(old);
            List<String> oldFiles = TestMedia.cacheFiles(dir);
            CacheItem.Pin pin = old.pin();
            AtomicInteger calls = new AtomicInteger();
            old.addListener(calls::incrementAndGet);

            CacheItem fresh = store.create(URL, av.info, newer, false);
            assertNotNull(fresh);
            assertNotEquals(old.id(), fresh.id(), "a new generation of files");
            assertFalse(old.valid());
            assertTrue(fresh.valid());
            assertEquals(1, calls.get());
            assertSame(fresh, store.lookup(URL));
            assertEquals(newer, store.lookup(URL).fingerprint());
            assertEquals(0, fresh.coveredPackets());
            av.assertAll(old); // the old content stays readable for its pinned reader
            assertEquals(REFUSED, av.write(old, 0), "the old item takes no writes");
            assertEquals(old.diskBytes() + fresh.diskBytes(), store.diskBytes());

            pin.close();
            List<String> now = TestMedia.cacheFiles(dir);
            for (String f : oldFiles) {
                assertFalse(now.contains(f), f + " deleted with the last pin");
            }
            assertEquals(2, now.size(), "the new item's files remain");
            assertEquals(fresh.diskBytes(), store.diskBytes());
            av.writeAll(fresh);
            av.assertAll(fresh);
        }
        try (CacheStore store = open()) {
            assertEquals(newer, store.lookup(URL).fingerprint(), "the replacement is what a restart finds");
        }
    }

    @Test
    void listenerOnAnInvalidItemIsCalledAtOnceAndHandlesClose() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            AtomicInteger calls = new AtomicInteger();
            AutoCloseable handle = item.addListener(calls::incrementAndGet);
            av.write(item, 0);
            assertEquals(1, calls.get());
            handle.close();
            av.write(item, 1);
            assertEquals(1, calls.get(), "removed listeners are not called");
            store.invalidate(URL);
            AtomicInteger late = new AtomicInteger();
            item.addListener(late::incrementAndGet);
            assertEquals(1, late.get(), "a listener added after invalidation hears about it once");
        }
    }

    @Test
    void closeKeepsItemsAndInvalidatesHandles() throws Exception {
        CacheItem item;
        AtomicInteger calls = new AtomicInteger();
        try (CacheStore store = open()) {
            item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            item.addListener(calls::incrementAndGet);
        }
        assertFalse(item.valid(), "a closed store's items stop being used");
        assertEquals(1, calls.get());
        assertEquals(REFUSED, av.write(item, 0));
        assertEquals(2, TestMedia.cacheFiles(dir).size(), "but stay on disk");
        try (CacheStore store = open()) {
            assertNotNull(store.lookup(URL));
        }
    }

    @Test
    void validatedAtIsKeptForTheRun() throws Exception {
        try (CacheStore store = open()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            assertEquals(0, item.validatedAtMillis());
            item.markValidated(123_456);
            assertEquals(123_456, item.validatedAtMillis());
        }
    }
}
