package io.mmsedge.distribution;

import static io.mmsedge.distribution.EdgeCacheTest.packetsOf;
import static io.mmsedge.distribution.EdgeCacheTest.playFrom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.Hresults;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edge.cache.overlapCheck}: a complete copy is served at once while the freshness check
 * runs, and the first Data packet waits for it. Real origin, real edge, the project's test
 * client as the player; a silent origin is a real socket that accepts and never answers.
 */
class EdgeCacheOverlapTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String OVERLAP = "    size: 16m\n    overlapCheck: true\n";

    @TempDir
    Path tmp;

    /** One play of audio.asf at the edge: the open must succeed (answered from the cache); up to its EndOfStream. */
    private static MmsTestClient.PlayResult playAudio(CacheRig rig) throws Exception {
        try (MmsTestClient c = MmsTestClient.connect(rig.edgeAddress(), TIMEOUT)) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open("audio.asf").hr(), "answered from the cache while the check runs");
            c.readHeader(2);
            c.selectStreams(1);
            c.startPlaying(0, 4);
            return c.readUntilEnd(false, 100_000);
        }
    }

    @Test
    void aConfirmedHitPlaysEveryPacketAndCostsTheOriginOnlyItsCheck() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, OVERLAP)) {
            playFrom(rig, "audio.asf", 0, 3);
            CacheItem item = rig.awaitComplete("audio.asf", TIMEOUT);
            double sessions = rig.originSessionsOpened();
            double data = rig.originMediaPackets();
            try (LogCapture logs = LogCapture.begin()) {
                playFrom(rig, "audio.asf", 0, 4); // every packet, byte for byte, then EndOfStream hr 0
                assertNotNull(logs.await(5000, "served while the freshness check runs", "audio.asf"),
                        "answered from the cache before the check: " + logs.lines());
            }
            assertEquals(sessions + 1, rig.originSessionsOpened(), "one freshness check at the origin");
            assertEquals(data, rig.originMediaPackets(), "and no data from it");
            assertEquals(item, rig.item("audio.asf"), "the same item, confirmed");
            assertEquals(0, rig.edge().proxy().upstreamSessions(), "a hit holds no upstream session");
        }
    }

    @Test
    void aFileChangedAtTheOriginEndsThePlayerCleanlyAndTheNextGetsTheNewContent() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, OVERLAP)) {
            playFrom(rig, "audio.asf", 0, 3);
            CacheItem old = rig.awaitComplete("audio.asf", TIMEOUT);
            rig.replaceAtOrigin("audio.asf", "av.asf");
            try (LogCapture logs = LogCapture.begin()) {
                MmsTestClient.PlayResult r = playAudio(rig);
                assertEquals(0, r.packets.size(), "no packet of the old copy once the origin changed it");
                assertTrue(Hresults.failed(r.lastEndOfStream().hr()),
                        "EndOfStream with an error hr: " + Hresults.hex(r.lastEndOfStream().hr()));
                assertNotNull(logs.await(5000, "changed at the origin while the player was answered"),
                        "the edge says why: " + logs.lines());
            }
            // The check's session filled the new copy; the next player plays it, every packet
            // checked against the file the origin now serves.
            CacheItem now = rig.awaitComplete("audio.asf", TIMEOUT);
            assertNotSame(old, now, "a new item for the new content");
            playFrom(rig, "audio.asf", 0, 5);
            assertEquals(packetsOf(rig.media.resolve("av.asf")).size(), now.packetCount());
        }
    }

    @Test
    void aSilentOriginEndsTheHeldPlayerWithAnErrorAfterItsTimeout() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, OVERLAP + "    serveStale: false\n")) {
            playFrom(rig, "audio.asf", 0, 3);
            rig.awaitComplete("audio.asf", TIMEOUT);
            int port = rig.origin().mmsAddress().getPort();
            rig.stopOrigin();
            // Accepts connections (the kernel's backlog) and never answers a command.
            try (ServerSocket silent = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                MmsTestClient.PlayResult r = playAudio(rig);
                assertEquals(0, r.packets.size(), "no Data packet before the check passes");
                assertTrue(Hresults.failed(r.lastEndOfStream().hr()),
                        "EndOfStream with an error hr once the check timed out, not a hang: "
                                + Hresults.hex(r.lastEndOfStream().hr()));
            }
        }
    }

    @Test
    void aSilentOriginLetsTheHeldPlayerPlayTheStaleCopyAfterItsTimeout() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, OVERLAP)) {
            playFrom(rig, "audio.asf", 0, 3);
            rig.awaitComplete("audio.asf", TIMEOUT);
            int port = rig.origin().mmsAddress().getPort();
            rig.stopOrigin();
            try (ServerSocket silent = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
                 LogCapture logs = LogCapture.begin()) {
                playFrom(rig, "audio.asf", 0, 4);
                assertNotNull(logs.await(5000, "origin unreachable", "audio.asf"), "served stale with a warning");
            }
            assertEquals(1, rig.edgeCounter("mmsedge.cache.requests", "result", "stale"));
        }
    }
}
