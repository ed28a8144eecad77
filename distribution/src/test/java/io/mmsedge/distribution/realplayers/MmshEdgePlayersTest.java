package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FFmpeg over MMSH ({@code mmsh://}, [MS-WMSP]) through a caching edge: the edge's HTTP port
 * ({@code edge.http}) and its MMS port serve the same play sessions, cache and fills as MMS/TCP.
 * The first play of each fixture is a miss filled from the origin over MMS, the second a hit
 * with no Data packet from the origin; both are frame for frame the file.
 */
class MmshEdgePlayersTest {

    private static final Duration FILL = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    @Test
    void aMissThenAHitOverMmshAreTheFileFrameForFrame() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 20, 20, "    size: 64m\n")) {
            for (String fixture : Fixtures.ALL) {
                var want = Players.frameLines(Players.fileFramemd5(fixture));
                ExternalTool.Result miss = Players.framemd5(rig.edgeMmshUrl(fixture));
                assertEquals(0, miss.exitCode(), miss.describe());
                Players.assertSameFrames(want, Players.frameLines(miss.stdoutText()), fixture + ", MMSH miss");
                rig.awaitComplete(fixture, FILL);

                double originPackets = rig.originMediaPackets();
                ExternalTool.Result hit = Players.framemd5(rig.edgeMmshUrlOnMmsPort(fixture));
                assertEquals(0, hit.exitCode(), hit.describe());
                Players.assertSameFrames(want, Players.frameLines(hit.stdoutText()), fixture + ", MMSH hit");
                assertEquals(originPackets, rig.originMediaPackets(), fixture + ": no Data packet from the origin");
            }
        }
    }
}
