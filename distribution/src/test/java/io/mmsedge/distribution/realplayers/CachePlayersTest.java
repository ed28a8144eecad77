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
 * FFmpeg through a caching edge: the first play fills the cache write-through, the second is
 * served from it byte for byte with no Data packet from the origin (its own counters say so);
 * a file replaced at the origin is revalidated and refilled; MMSH players get the same.
 */
class CachePlayersTest {

    private static final Duration FILL = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    @Test
    void theSecondPlayOfEveryFixtureComesFromTheCacheByteForByte() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 20, 20, "    size: 64m\n")) {
            for (String fixture : Fixtures.ALL) {
                var want = Players.frameLines(Players.fileFramemd5(fixture));
                ExternalTool.Result first = Players.framemd5(rig.edgeUrl(fixture));
                assertEquals(0, first.exitCode(), first.describe());
                Players.assertSameFrames(want, Players.frameLines(first.stdoutText()), fixture + ", first play");
                rig.awaitComplete(fixture, FILL);

                double originPackets = rig.originMediaPackets();
                double revalidations = rig.edgeCounter("mmsedge.cache.revalidations", "result", "same");
                ExternalTool.Result second = Players.framemd5(rig.edgeUrl(fixture));
                assertEquals(0, second.exitCode(), second.describe());
                Players.assertSameFrames(want, Players.frameLines(second.stdoutText()), fixture + ", from the cache");
                assertEquals(originPackets, rig.originMediaPackets(), fixture + ": no Data packet from the origin");
                assertEquals(revalidations + 1, rig.edgeCounter("mmsedge.cache.revalidations", "result", "same"),
                        fixture + ": the player's open was checked with the origin (freshness exchange)");
            }
        }
    }

    @Test
    void aFileReplacedAtTheOriginIsRefilledAndPlaysAsTheNewFile() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 20, 20, "    size: 64m\n")) {
            rig.replaceAtOrigin("clip.asf", "av.asf");
            ExternalTool.Result old = Players.framemd5(rig.edgeUrl("clip.asf"));
            assertEquals(0, old.exitCode(), old.describe());
            Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")),
                    Players.frameLines(old.stdoutText()), "clip.asf as av.asf");
            rig.awaitComplete("clip.asf", FILL);

            rig.replaceAtOrigin("clip.asf", "mbr.asf");
            ExternalTool.Result now = Players.framemd5(rig.edgeUrl("clip.asf"));
            assertEquals(0, now.exitCode(), now.describe());
            Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("mbr.asf")),
                    Players.frameLines(now.stdoutText()), "clip.asf after it became mbr.asf");
            assertEquals(1.0, rig.edgeCounter("mmsedge.cache.revalidations", "result", "changed"),
                    "the change was found by the freshness check");
            rig.awaitComplete("clip.asf", FILL);
            ExternalTool.Result cached = Players.framemd5(rig.edgeUrl("clip.asf"));
            Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("mbr.asf")),
                    Players.frameLines(cached.stdoutText()), "the new content from the cache");
        }
    }

    /**
     * The same over MMSH ({@code mmsh://}, [MS-WMSP]): the edge's HTTP port ({@code edge.http})
     * and its MMS port serve the same sessions, cache and fills as MMS/TCP; the miss is filled
     * from the origin over MMS.
     */
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

    /**
     * {@code overlapCheck}: FFmpeg's open of a cached file is answered from the cache while the
     * freshness check runs, over MMS and MMSH; its first Data packet waits for the check, and
     * what it plays is still the file frame for frame.
     */
    @Test
    void overlappedHitsOverMmsAndMmshAreTheFileFrameForFrame() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 20, 20, "    size: 64m\n    overlapCheck: true\n")) {
            var want = Players.frameLines(Players.fileFramemd5("av.asf"));
            ExternalTool.Result miss = Players.framemd5(rig.edgeUrl("av.asf"));
            assertEquals(0, miss.exitCode(), miss.describe());
            rig.awaitComplete("av.asf", FILL);
            double originPackets = rig.originMediaPackets();
            double same = rig.edgeCounter("mmsedge.cache.revalidations", "result", "same");
            ExternalTool.Result mms = Players.framemd5(rig.edgeUrl("av.asf"));
            assertEquals(0, mms.exitCode(), mms.describe());
            Players.assertSameFrames(want, Players.frameLines(mms.stdoutText()), "av.asf, overlapped hit over MMS");
            ExternalTool.Result mmsh = Players.framemd5(rig.edgeMmshUrl("av.asf"));
            assertEquals(0, mmsh.exitCode(), mmsh.describe());
            Players.assertSameFrames(want, Players.frameLines(mmsh.stdoutText()), "av.asf, overlapped hit over MMSH");
            assertEquals(originPackets, rig.originMediaPackets(), "no Data packet from the origin");
            org.junit.jupiter.api.Assertions.assertTrue(
                    rig.edgeCounter("mmsedge.cache.revalidations", "result", "same") >= same + 2,
                    "each play was checked with the origin");
            assertEquals(0.0, rig.edgeCounter("mmsedge.cache.revalidations", "result", "changed"));
        }
    }
}
