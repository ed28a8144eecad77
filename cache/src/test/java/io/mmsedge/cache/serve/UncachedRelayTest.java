package io.mmsedge.cache.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.CacheTestAccess;
import io.mmsedge.cache.TestDisk;
import io.mmsedge.cache.TestMedia;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import io.netty.buffer.ByteBufUtil;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #17, finding 1, where the players are: a fill whose disk fills up keeps its player going
 * by relaying the packets it cannot store from memory, paced by the player (its upstream reads
 * pause a window ahead), and leaves the item partial, never broken; a later fill completes it.
 * A packet that fails its checksum while a player reads it is fetched from the origin again.
 */
class UncachedRelayTest {

    private static final String URL = "mms://origin/av.asf";

    @TempDir
    Path tmp;

    private final TestMedia av = TestMedia.av();
    private final AtomicLong uncachedBytes = new AtomicLong();
    private final AtomicInteger diskFailures = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private TestDisk disk;
    private CacheService service;

    @BeforeEach
    void open() throws Exception {
        disk = TestDisk.open(tmp); // a 5 MB tmpfs, or channels that fail as a full disk where mount is denied
        CacheMetrics metrics = new CacheMetrics() {
            @Override
            public void bytesUncached(long bytes) {
                uncachedBytes.addAndGet(bytes);
            }

            @Override
            public void diskWriteFailed() {
                diskFailures.incrementAndGet();
            }

            @Override
            public void packetDropped() {
                dropped.incrementAndGet();
            }
        };
        CacheStore store = CacheStore.open(new CacheSettings(disk.cacheDir(), 64L << 20, 0), metrics);
        service = new CacheService(store, metrics, new CachePolicy(0, false, CachePolicy.DEFAULT_FILL_SPEED));
    }

    @AfterEach
    void close() throws Exception {
        if (service != null) {
            service.close();
        }
        if (disk != null) {
            disk.close();
        }
    }

    /** Plays {@code c} to its end, pumping {@code origin} whenever the player waits; returns the packets. */
    private List<byte[]> play(PacketCursor c, FakeOrigin origin, long[] maxLead) {
        List<byte[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!c.finished()) {
            MediaPacket p = c.poll();
            if (p != null) {
                assertEquals(got.size(), p.number(), "in order, none skipped");
                assertEquals(av.sendTimes[got.size()], p.sendTimeMs());
                got.add(ByteBufUtil.getBytes(p.content()));
                p.release();
                continue;
            }
            if (System.nanoTime() > deadline) {
                fail("no packet after " + got.size());
            }
            origin.pump();
            maxLead[0] = Math.max(maxLead[0], origin.sent - got.size());
        }
        return got;
    }

    @Test
    void aDiskThatFillsUpMidPlayRelaysTheRestFromMemoryPacedByThePlayer() throws Exception {
        CacheItem item = service.itemFor(URL, av.info, av.fingerprint, false);
        disk.fillLeaving(20L * av.info.packetSize());
        FakeOrigin origin = new FakeOrigin(av, "av.asf");
        try (LogCapture logs = LogCapture.begin(); Media media = service.media(item, "pp", origin, null)) {
            PacketCursor c = media.play(PlayRequest.fromStart());
            assertEquals(null, c.poll(), "nothing stored: the player waits for the fill");
            origin.pump();
            assertTrue(origin.pauses > 0, "a window ahead of the player, the fill paused its upstream");
            assertTrue(origin.sent < av.count(), "paused before the end: " + origin.sent);
            long[] maxLead = {0};
            List<byte[]> got = play(c, origin, maxLead);
            assertEquals(av.count(), got.size(), "the player got every packet");
            for (int n = 0; n < got.size(); n++) {
                assertArrayEquals(av.packets.get(n), got.get(n), "packet " + n);
            }
            assertTrue(maxLead[0] <= 2 * 70, "the origin stayed within a window of the player: " + maxLead[0]);
            assertTrue(item.valid(), "the item stays in the cache");
            assertFalse(item.complete(), "partial");
            assertTrue(item.coveredPackets() > 0 && item.coveredPackets() < av.count(), item.toString());
            assertTrue(uncachedBytes.get() > 0);
            assertEquals(1, diskFailures.get(), "counted once");
            assertNotNull(logs.await(2000, "cache fill of " + URL + " done", "the item stays partial"),
                    logs.lines().toString());
            assertEquals(1, logs.lines().stream().filter(l -> l.contains("cannot store packets")).count(),
                    "logged once: " + logs.lines());
            assertFalse(logs.lines().stream().anyMatch(l -> l.contains("failed")), logs.lines().toString());
            assertTrue(origin.closed, "the fill closed its session at the end");
        }

        // Room again: the next player's fill completes the item.
        disk.free();
        CacheTestAccess.retryDiskAfter(service.store(), 0);
        FakeOrigin later = new FakeOrigin(av, "av.asf");
        try (Media media = service.media(item, "pp", later, null)) {
            List<byte[]> got = play(media.play(PlayRequest.fromStart()), later, new long[1]);
            assertEquals(av.count(), got.size());
            for (int n = 0; n < got.size(); n++) {
                assertArrayEquals(av.packets.get(n), got.get(n), "packet " + n);
            }
        }
        long end = System.nanoTime() + 5_000_000_000L;
        while (!item.complete() && System.nanoTime() < end) {
            later.pump();
            Thread.sleep(10);
        }
        assertTrue(item.complete(), item.toString());
    }

    /** The issue saw a fill with no reader end "at packet 496 of 688 with an error": now it stops, and says why. */
    @Test
    void aFillWithNoPlayerOnAFullDiskStopsQuietlyAndLeavesThePartialItem() throws Exception {
        CacheItem item = service.itemFor(URL, av.info, av.fingerprint, false);
        disk.fillLeaving(20L * av.info.packetSize());
        FakeOrigin origin = new FakeOrigin(av, "av.asf");
        try (LogCapture logs = LogCapture.begin()) {
            assertTrue(service.prestuff(item, origin, null), "prestuffing: no player at all");
            origin.pump();
            assertTrue(origin.closed, "the fill closed its upstream session");
            assertTrue(origin.sent < av.count(), "stopped at the first packet it could not store: " + origin.sent);
            assertEquals(0, service.activeFills(item));
            assertTrue(item.valid(), "the item stays in the cache");
            assertFalse(item.complete());
            assertTrue(item.coveredPackets() > 0, item.toString());
            assertNotNull(logs.await(0, "INFO", "cache fill of " + URL + " done", "no player is behind it",
                    "the item stays partial"), logs.lines().toString());
            assertFalse(logs.lines().stream().anyMatch(l -> l.contains("failed")), logs.lines().toString());
        }
    }

    @Test
    void aPacketFailingItsChecksumUnderAPlayerIsFetchedFromTheOriginAgain() throws Exception {
        CacheItem item = service.itemFor(URL, av.info, av.fingerprint, false);
        av.writeAll(item);
        service.store().awaitBackgroundIo();
        Path data;
        try (var files = java.nio.file.Files.list(disk.cacheDir())) {
            data = files.filter(p -> p.toString().endsWith(".data")).findFirst().orElseThrow();
        }
        int slot = CacheTestAccess.slotSize(item);
        long bad = 50;
        flip(data, bad * slot + slot / 2);
        FakeOrigin origin = new FakeOrigin(av, "av.asf");
        try (LogCapture logs = LogCapture.begin();
                Media media = service.media(item, "pp", null, () -> java.util.concurrent.CompletableFuture
                        .completedFuture(origin))) {
            List<byte[]> got = play(media.play(PlayRequest.fromStart()), origin, new long[1]);
            assertEquals(av.count(), got.size(), "the player's stream went on to the end");
            for (int n = 0; n < got.size(); n++) {
                assertArrayEquals(av.packets.get(n), got.get(n), "packet " + n);
            }
            assertEquals(1, dropped.get());
            assertNotNull(logs.await(0, "WARN", "packet " + bad + " fails its checksum", URL), logs.lines().toString());
            assertTrue(origin.plays.size() >= 1 && origin.plays.get(0).packet() <= bad, origin.plays.toString());
        }
        assertTrue(item.valid());
        assertTrue(item.complete(), "the fill stored it again: " + item);
        assertArrayEquals(av.packets.get((int) bad), readBytes(item, bad));
    }

    private static byte[] readBytes(CacheItem item, long n) {
        var b = item.read(n);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static void flip(Path file, long position) throws Exception {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) ~b.get(0));
            b.rewind();
            ch.write(b, position);
        }
    }
}
