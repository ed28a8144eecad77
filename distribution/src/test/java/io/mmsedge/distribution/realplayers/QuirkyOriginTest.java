package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.QuirkyOrigin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
}
