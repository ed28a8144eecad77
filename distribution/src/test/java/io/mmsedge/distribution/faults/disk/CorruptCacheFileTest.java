package io.mmsedge.distribution.faults.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cached file damaged on disk, with FFmpeg as the players: a bit flipped while the edge is down
 * (the complete item is discarded at start and fetched again), and a bit
 * flipped under a running edge (issue #17: that packet is dropped and fetched from the origin
 * again; the player's stream goes on). Each player's framemd5 equals the file's, another
 * session's is unchanged, and nothing corrupt is ever served. (A data file truncated while the
 * edge is down: {@code EdgeCacheTest.aRestartedEdgeReusesItsDiskCacheAndDiscardsATruncatedItem}.)
 */
class CorruptCacheFileTest {

    private static final Duration FILL = Duration.ofSeconds(60);
    /** Bytes before a packet's data in its slot (the cache's SlotFormat: length, CRC, send time, flags). */
    private static final int SLOT_HEADER = 24;

    @TempDir
    Path tmp;

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    private static List<String> fileFrames(String fixture) throws Exception {
        ExternalTool.Result r = Players.framemd5(Fixtures.media(fixture).toString());
        assertEquals(0, r.exitCode(), r.describe());
        return Players.frameLines(r.stdoutText());
    }

    private static void assertPlays(String what, List<String> want, ExternalTool.Result r) {
        assertEquals(0, r.exitCode(), what + ": " + r.describe());
        assertEquals(want, Players.frameLines(r.stdoutText()), what + ": every frame, byte for byte");
    }

    /** The one data file of the cache (call with one item cached). */
    private static Path onlyDataFile(CacheRig rig) throws Exception {
        try (Stream<Path> s = Files.list(rig.cacheDir)) {
            List<Path> data = s.filter(p -> p.toString().endsWith(".data")).toList();
            assertEquals(1, data.size(), data.toString());
            return data.get(0);
        }
    }

    /** Flips payload byte 10 of packet {@code n}'s slot (a complete item's file: slot = size / packets). */
    private static void flip(Path data, long slot, long n) throws Exception {
        long at = n * slot + SLOT_HEADER + 10;
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) ~b.get(0));
            b.rewind();
            ch.write(b, at);
        }
    }

    private static long slotSize(Path data, CacheItem item) throws Exception {
        return Files.size(data) / item.packetCount();
    }

    @Test
    void aBitFlippedWhileTheEdgeIsDownIsNeverServed() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 10, 10, "    size: 64m\n")) {
            List<String> av = fileFrames("av.asf");
            List<String> mbr = fileFrames("mbr.asf");
            assertPlays("av.asf, first play", av, Players.framemd5(rig.edgeUrl("av.asf")));
            CacheItem item = rig.awaitComplete("av.asf", FILL);
            Path data = onlyDataFile(rig);
            long slot = slotSize(data, item);
            long packets = item.packetCount();
            assertPlays("mbr.asf, first play", mbr, Players.framemd5(rig.edgeUrl("mbr.asf")));
            rig.awaitComplete("mbr.asf", FILL);

            rig.stopEdge();
            flip(data, slot, packets / 2);
            try (LogCapture logs = LogCapture.begin()) {
                rig.startEdgeAgain();
                assertNotNull(logs.await(5000, "WARN", "av.asf", "packet " + packets / 2 + " fails its checksum"),
                        logs.lines().toString());
            }
            assertEquals(1.0, rig.edgeCount("mmsedge.cache.discards"), "the complete item with a bad slot is discarded");
            assertTrue(rig.item("mbr.asf").complete(), "the other item is untouched");

            double origin = rig.originMediaPackets();
            CompletableFuture<ExternalTool.Result> other = CompletableFuture.supplyAsync(() -> {
                try {
                    return Players.framemd5(rig.edgeUrl("mbr.asf"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertPlays("av.asf after the flip", av, Players.framemd5(rig.edgeUrl("av.asf")));
            assertPlays("mbr.asf, another session meanwhile", mbr, other.get());
            rig.awaitComplete("av.asf", FILL);
            assertEquals(origin + packets, rig.originMediaPackets(), "av.asf fetched again, once; mbr.asf from the cache");
        }
    }

    @Test
    void aBitFlippedUnderARunningEdgeIsFetchedAgainAndThePlayerGoesOn() throws Exception {
        // No memory tier: every packet is read from the disk, and checked there.
        try (CacheRig rig = new CacheRig(tmp, 10, 10, "    size: 64m\n    memory: 0\n")) {
            List<String> av = fileFrames("av.asf");
            assertPlays("av.asf, first play", av, Players.framemd5(rig.edgeUrl("av.asf")));
            CacheItem item = rig.awaitComplete("av.asf", FILL);
            Path data = onlyDataFile(rig);
            long slot = slotSize(data, item);
            long bad = item.packetCount() * 2 / 3;
            flip(data, slot, bad);

            double origin = rig.originMediaPackets();
            try (LogCapture logs = LogCapture.begin()) {
                assertPlays("av.asf over a flipped packet", av, Players.framemd5(rig.edgeUrl("av.asf")));
                assertNotNull(logs.await(0, "WARN", "packet " + bad + " fails its checksum", "fetched from the origin"),
                        logs.lines().toString());
                assertFalse(logs.lines().stream().anyMatch(l -> l.contains("cannot be read")), logs.lines().toString());
            }
            assertEquals(1.0, rig.edgeCount("mmsedge.cache.dropped.packets"));
            assertEquals(0.0, rig.edgeCount("mmsedge.cache.discards"), "the item stays");
            CacheItem again = rig.awaitComplete("av.asf", FILL);
            assertTrue(again == item, "the same item, complete again");
            double refetched = rig.originMediaPackets() - origin;
            assertTrue(refetched >= 1 && refetched < item.packetCount() - bad / 2,
                    "only a range from shortly before the bad packet came from the origin: " + refetched);

            double now = rig.originMediaPackets();
            assertPlays("av.asf from the repaired cache", av, Players.framemd5(rig.edgeUrl("av.asf")));
            assertEquals(now, rig.originMediaPackets(), "no origin data once repaired");
        }
    }
}
