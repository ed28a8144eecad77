package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.fixtures.ExternalTool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FFmpeg through an edge whose origin is reached over MMSH ([MS-WMSP]): the edge's rule names
 * {@code http://origin:httpPort}, so its freshness checks are Describes and its fills Play
 * requests to the origin's MMSH front end. A miss is filled, a hit comes from the cache with no
 * Data packet from the origin, over MMSH and MMS/TCP alike, frame for frame the file.
 */
class MmshOriginPlayersTest {

    private static final Duration FILL = Duration.ofSeconds(60);
    private static final List<String> FIXTURES = List.of("av.asf", "mbr.asf", "audio.asf");

    @TempDir
    Path tmp;

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    @Test
    void aMissIsFilledOverMmshAndTheHitIsTheFileFrameForFrame() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 20, 20, "    size: 64m\n")) {
            rig.restartEdgeOverMmsh();
            for (String fixture : FIXTURES) {
                var want = Players.frameLines(Players.fileFramemd5(fixture));
                ExternalTool.Result miss = Players.framemd5(rig.edgeMmshUrl(fixture));
                assertEquals(0, miss.exitCode(), miss.describe());
                Players.assertSameFrames(want, Players.frameLines(miss.stdoutText()), fixture + ", MMSH miss");
                rig.awaitComplete(fixture, FILL);

                double originPackets = rig.originMediaPackets();
                ExternalTool.Result hit = Players.framemd5(rig.edgeMmshUrl(fixture));
                assertEquals(0, hit.exitCode(), hit.describe());
                Players.assertSameFrames(want, Players.frameLines(hit.stdoutText()), fixture + ", MMSH hit");
                ExternalTool.Result mmsHit = Players.framemd5(rig.edgeUrl(fixture));
                assertEquals(0, mmsHit.exitCode(), mmsHit.describe());
                Players.assertSameFrames(want, Players.frameLines(mmsHit.stdoutText()), fixture + ", MMS/TCP hit");
                assertEquals(originPackets, rig.originMediaPackets(), fixture + ": no Data packet from the origin");
            }
            assertTrue(rig.originMediaPackets() > 0, "the fills came from the origin");
        }
    }
}
