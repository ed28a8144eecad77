package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.QuirkyOrigin;
import io.mmsedge.proxy.ProxySettings;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FFmpeg through the edge in front of MMS servers we did not write (issue #13 §1). */
class QuirkyOriginTest {

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    @Test
    void dataStampedWithTheServersOwnIncarnationPlaysThroughTheEdge() throws Exception {
        try (EdgeApplication origin = Players.origin(20);
             QuirkyOrigin quirky = new QuirkyOrigin(origin.mmsAddress());
             EdgeApplication edge = Players.edge(quirky.address(), 20);
             LogCapture log = LogCapture.begin()) {
            // The server seen in the field: playIncarnation always 4, AFFlags always 0, version "1".
            quirky.fixedPlayIncarnation = 4;
            quirky.zeroAfFlags = true;
            quirky.serverVersion = "1";
            ExternalTool.Result r = Players.framemd5(Players.url(edge.edgeAddress(), "av.asf"));
            assertEquals(0, r.exitCode(), r.describe());
            Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")),
                    Players.frameLines(r.stdoutText()), "av.asf behind the quirky origin");
            assertNotNull(log.await(5000, "WARN", ":" + quirky.address().getPort(), "playIncarnation 4"),
                    "the deviation is logged, naming the origin");
        }
    }

    @Test
    void anOriginSilentMidStreamEndsThePlayersSessionWithinTheStallTimeout() throws Exception {
        try (EdgeApplication origin = Players.origin(1);
             QuirkyOrigin quirky = new QuirkyOrigin(origin.mmsAddress());
             EdgeApplication edge = Players.edge(quirky.address(), 1);
             LogCapture log = LogCapture.begin()) {
            // Data stops after 30 packets; the TCP connection stays open and Pings still pass.
            quirky.silentAfterPackets = 30;
            // Over MMSH: after an MMS/TCP EndOfStream FFmpeg waits, or spins on a closed socket
            // (docs/players.md); over MMSH the end of the response ends it.
            ExternalTool.Result r = Players.framemd5("mmsh://127.0.0.1:" + edge.edgeAddress().getPort() + "/av.asf");
            long ended = System.nanoTime();
            assertTrue(quirky.silentSinceNanos != 0, "the origin went silent: " + r.describe());
            long afterSilence = TimeUnit.NANOSECONDS.toMillis(ended - quirky.silentSinceNanos);
            long limit = ProxySettings.DEFAULT_STALL_TIMEOUT.toMillis() + 2000;
            assertTrue(afterSilence <= limit, "the player's session ended " + afterSilence + " ms after the origin"
                    + " went silent (limit " + limit + " ms): " + r.describe());
            assertNotNull(log.await(2000, "stall timeout", "127.0.0.1:" + quirky.address().getPort()),
                    "the reason is logged, naming the origin: " + log.lines());
        }
    }

    @Test
    void aFillWhoseOriginStallsIsNotCompleteAndTheNextPlayerFillsAnew(@TempDir Path tmp) throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 1, 1, "    size: 64m\n");
             QuirkyOrigin quirky = new QuirkyOrigin(rig.origin().mmsAddress())) {
            rig.restartEdgeVia(quirky.address());
            quirky.silentAfterPackets = 30;
            ExternalTool.Result stalled = Players.framemd5(rig.edgeMmshUrlOnMmsPort("av.asf"));
            long afterSilence = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quirky.silentSinceNanos);
            assertTrue(afterSilence <= ProxySettings.DEFAULT_STALL_TIMEOUT.toMillis() + 2000,
                    afterSilence + " ms after the silence: " + stalled.describe());
            CacheItem item = rig.item("av.asf");
            assertTrue(item == null || !item.complete(), "the aborted fill did not complete the item");

            quirky.silentAfterPackets = -1; // the origin recovers: new connections get everything
            // ItemFills holds a failure for 2 s (players then get its error rather than hammering a
            // failing origin); after that a player starts a new fill, not the dead one's.
            Thread.sleep(2500);
            ExternalTool.Result next = Players.framemd5(rig.edgeMmshUrlOnMmsPort("av.asf"));
            assertEquals(0, next.exitCode(), next.describe());
            Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")),
                    Players.frameLines(next.stdoutText()), "the next player, through a new fill");
        }
    }
}
