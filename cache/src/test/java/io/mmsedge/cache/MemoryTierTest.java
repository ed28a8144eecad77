package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.LogCapture;
import io.netty.buffer.ByteBuf;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryTierTest {

    private static final String URL = "mms://origin/av.asf";
    private static final int CHUNK = 8;

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();
    private final TestMedia.CountingMetrics metrics = new TestMedia.CountingMetrics();

    /** Room for about three chunks of eight av.asf packets. */
    private long bound() {
        long chunkBytes = 0;
        for (int n = 0; n < CHUNK; n++) {
            chunkBytes += av.packets.get(n).length;
        }
        return chunkBytes * 3;
    }

    private CacheStore open(long memory) throws Exception {
        return CacheStore.open(new CacheSettings(dir, 64L << 20, memory, CHUNK), metrics);
    }

    /**
     * A session's event loop asks for packets with readPacketFromMemory: a chunk only on disk
     * gives null instead of a disk read on the loop, and prefetch loads the whole chunk on the
     * store's read threads. With no memory tier every packet goes through prefetch first.
     */
    @Test
    void aColdChunkIsLoadedByPrefetchNotByTheReader() throws Exception {
        try (CacheStore store = open(64L << 20)) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            store.memory().invalidateAll(); // as after a restart
            assertNull(item.readPacketFromMemory(3), "cold: no disk read for the caller");
            CacheItem.StoredPacket fetched = item.prefetch(3).get(10, java.util.concurrent.TimeUnit.SECONDS);
            try {
                org.junit.jupiter.api.Assertions.assertArrayEquals(av.packets.get(3),
                        io.netty.buffer.ByteBufUtil.getBytes(fetched.content()), "the prefetch gives the packet");
            } finally {
                fetched.content().release();
            }
            for (int n = 0; n < CHUNK; n++) {
                CacheItem.StoredPacket p = item.readPacketFromMemory(n);
                assertNotNull(p, "packet " + n + ": the prefetch brought its whole chunk in");
                try {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(av.packets.get(n),
                            io.netty.buffer.ByteBufUtil.getBytes(p.content()), "packet " + n);
                } finally {
                    p.content().release();
                }
            }
            assertNull(item.readPacketFromMemory(CHUNK), "the next chunk is still on disk only");
            assertNull(item.readAhead(1), "read-ahead starts only where a chunk begins");
            var ahead = item.readAhead(0);
            assertNotNull(ahead, "a reader entering chunk 0 loads chunk 1");
            ahead.get(10, java.util.concurrent.TimeUnit.SECONDS);
            CacheItem.StoredPacket next = item.readPacketFromMemory(CHUNK);
            assertNotNull(next, "chunk 1 is in memory before the reader gets there");
            next.content().release();
            assertNull(item.readAhead(0), "nothing left to load");
        }
        java.nio.file.Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir))
                .forEach(p -> p.toFile().delete());
        try (CacheStore diskOnly = open(0)) {
            CacheItem item = diskOnly.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            assertNull(item.readPacketFromMemory(0), "no memory tier: always via prefetch, which reads it");
            ByteBuf b = item.prefetch(0).get(10, java.util.concurrent.TimeUnit.SECONDS).content();
            try {
                org.junit.jupiter.api.Assertions.assertArrayEquals(av.packets.get(0), io.netty.buffer.ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
    }

    /**
     * readPacket gives the payloads a session needs: from the memory tier parsed once for the
     * chunk and the same list for every reader; from disk parsed for the read. Both as the packet's
     * own parse says.
     */
    @Test
    void payloadsAreParsedOncePerChunkAndSharedByReaders() throws Exception {
        try (CacheStore memory = open(64L << 20)) {
            CacheItem item = memory.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            for (int n = 0; n < av.count(); n++) {
                CacheItem.StoredPacket a = item.readPacket(n);
                CacheItem.StoredPacket b = item.readPacket(n);
                try {
                    assertTrue(a.payloads() == b.payloads(), "packet " + n + ": one payload list for every reader");
                    assertEquals(io.mmsedge.protocol.asf.AsfPacket.parse(a.content(), av.info.packetSize()).payloads(),
                            a.payloads(), "packet " + n + ": the chunk's payloads are the packet's");
                    assertEquals(av.packets.get(n).length, a.content().readableBytes());
                } finally {
                    a.content().release();
                    b.content().release();
                }
            }
        }
        java.nio.file.Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir))
                .forEach(p -> p.toFile().delete());
        try (CacheStore diskOnly = open(0)) {
            CacheItem item = diskOnly.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            for (int n = 0; n < av.count(); n++) {
                CacheItem.StoredPacket p = item.readPacket(n);
                try {
                    assertEquals(io.mmsedge.protocol.asf.AsfPacket.parse(p.content(), av.info.packetSize()).payloads(),
                            p.payloads(), "packet " + n + " from disk");
                } finally {
                    p.content().release();
                }
            }
        }
    }

    @Test
    void staysWithinItsBoundAndServesIdenticalBytes() throws Exception {
        long bound = bound();
        try (CacheStore store = open(bound)) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            assertEquals(0, store.memoryBytes(), "writes do not fill the memory tier");
            long peak = 0;
            for (int round = 0; round < 3; round++) {
                for (int n = 0; n < av.count(); n++) {
                    av.assertPacket(item, n);
                    long m = store.memoryBytes();
                    assertTrue(m <= bound, "memory tier at " + m + " > bound " + bound + " after packet " + n);
                    peak = Math.max(peak, m);
                }
                // Backwards too, so chunks are revisited in another order.
                for (int n = av.count() - 1; n >= 0; n--) {
                    av.assertPacket(item, n);
                    assertTrue(store.memoryBytes() <= bound);
                }
            }
            assertTrue(peak > bound / 3, "the memory tier was used (peak " + peak + ")");
        }
    }

    /** A chunk in memory is served from there: damage on disk afterwards goes unseen; a chunk not in memory is verified. */
    @Test
    void servesFromMemoryAndVerifiesWhatComesFromDisk() throws Exception {
        try (CacheStore store = open(bound()); LogCapture logs = LogCapture.begin()) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            int hot = 2 * CHUNK + 3;
            av.assertPacket(item, hot);
            assertTrue(store.inMemory(item, hot), "the whole chunk went into the memory tier");
            // Damage every packet of that chunk on disk: reads still come from memory, intact.
            for (int n = 2 * CHUNK; n < 3 * CHUNK; n++) {
                TestMedia.flipByte(item.files().data(), TestMedia.payloadOffset(item, n, 5));
            }
            for (int n = 2 * CHUNK; n < 3 * CHUNK; n++) {
                av.assertPacket(item, n);
            }
            assertTrue(item.valid());

            // A chunk that is not in memory is loaded from disk and checked.
            int cold = 9 * CHUNK + 1;
            assertFalse(store.inMemory(item, cold));
            TestMedia.flipByte(item.files().data(), TestMedia.payloadOffset(item, cold, 0));
            CacheReadException e = assertThrows(CacheReadException.class, () -> item.read(cold));
            assertTrue(e.dropped(), "corrupt: that packet is dropped, to be fetched again");
            assertTrue(item.valid(), "the item stays");
            assertFalse(item.has(cold));
            assertFalse(store.inMemory(item, cold), "a chunk with a bad packet is not cached");
            assertEquals(0, metrics.discarded.get());
            assertEquals(1, metrics.dropped.get());
            assertNotNull(logs.await(0, "WARN", URL, "packet " + cold + " fails its checksum"), logs.lines().toString());
            assertTrue(store.inMemory(item, hot), "the item's other chunks stay in the memory tier");
            av.assertPacket(item, hot);
            assertEquals(CacheItem.WriteResult.WRITTEN, av.write(item, cold), "stored again");
            av.assertPacket(item, cold);
            assertTrue(item.complete());
        }
    }

    @Test
    void partialChunksAreNotCached() throws Exception {
        try (CacheStore store = open(bound())) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            for (int n = 0; n < CHUNK - 1; n++) {
                av.write(item, n);
            }
            av.assertPacket(item, 0);
            assertFalse(store.inMemory(item, 0), "packet 7 is missing: the chunk is read slot by slot");
            assertEquals(0, store.memoryBytes());
            av.write(item, CHUNK - 1);
            av.assertPacket(item, 0);
            assertTrue(store.inMemory(item, 0), "complete chunk: cached");
        }
    }

    /** The last chunk holds the packets left over, fewer than a full chunk. */
    @Test
    void shortLastChunk() throws Exception {
        assertTrue(av.count() % CHUNK != 0, "the fixture ends with a short chunk");
        try (CacheStore store = open(bound())) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            int last = av.count() - 1;
            av.assertPacket(item, last);
            assertTrue(store.inMemory(item, last));
            for (int n = last - last % CHUNK; n <= last; n++) {
                av.assertPacket(item, n);
            }
        }
    }

    @Test
    void buffersAreReadOnlyViewsEachReaderReleases() throws Exception {
        try (CacheStore store = open(bound())) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            ByteBuf a = item.read(4);
            ByteBuf b = item.read(4);
            try {
                assertTrue(store.inMemory(item, 4));
                assertTrue(a.isReadOnly(), "a shared chunk cannot be changed through a reader's buffer");
                assertEquals(1, a.refCnt());
                assertTrue(a.release());
                assertEquals(av.packets.get(4).length, b.readableBytes(), "releasing one view leaves the other intact");
                av.assertPacket(item, 4);
            } finally {
                b.release();
            }
        }
    }

    @Test
    void disabledWhenZero() throws Exception {
        try (CacheStore store = open(0)) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            av.assertAll(item);
            assertEquals(0, store.memoryBytes());
            assertFalse(store.inMemory(item, 0));
            // Every read goes to disk and is checked there.
            TestMedia.flipByte(item.files().data(), TestMedia.payloadOffset(item, 1, 0));
            av.assertPacket(item, 0);
            assertTrue(assertThrows(CacheReadException.class, () -> item.read(1)).dropped());
            assertFalse(item.has(1), "dropped, to be fetched again");
        }
    }

    @Test
    @SuppressWarnings("try") // the pin is held for the block
    void invalidationDropsTheChunks() throws Exception {
        try (CacheStore store = open(bound())) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            av.writeAll(item);
            try (CacheItem.Pin pin = item.pin()) {
                av.assertPacket(item, 0);
                assertTrue(store.memoryBytes() > 0);
                store.invalidate(URL);
                assertEquals(0, store.memoryBytes(), "left the index: out of the memory tier");
                av.assertPacket(item, 0); // still readable for its pin, from disk
                assertEquals(0, store.memoryBytes(), "and not cached again");
            }
        }
    }
}
