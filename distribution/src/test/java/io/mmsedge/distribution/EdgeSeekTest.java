package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.message.StartPlaying;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StartPlaying's other two ways to say where (§2.2.4.25), through a caching edge: with position
 * DBL_MAX, an asfOffset (a byte of the ASF file) or a locationId (a packet number). On a miss
 * (the fill goes to the packet) and on a hit (the cache finds it), the edge sends exactly what
 * the origin sends for the same request.
 */
class EdgeSeekTest {

    @TempDir
    Path tmp;

    @Test
    void seeksByAsfOffsetAndLocationIdAreTheOriginsOnAMissAndOnAHit() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 20, 20, "    size: 16m\n")) {
            StartPlaying byOffset;
            try (AsfFile f = AsfFile.open(rig.media.resolve("mbr.asf"))) {
                int offset = (int) (f.firstPacketOffset() + 57L * f.packetSize() + 100);
                byOffset = new StartPlaying(1, 0, Double.MAX_VALUE, offset, 0xFFFFFFFF, 0, 5, -1, -1, -1);
            }
            StartPlaying byLocation = new StartPlaying(1, 0, Double.MAX_VALUE, 0xFFFFFFFF, 101, 0, 6, -1, -1, -1);
            for (StartPlaying request : List.of(byOffset, byLocation)) {
                String what = request.asfOffset() != -1 ? "asfOffset" : "locationId";
                List<Received.Data> want = EdgeCacheTest.packets(rig.origin().mmsAddress(), rig, "mbr.asf", request,
                        100_000);
                assertFalse(want.isEmpty(), what + ": the origin sends packets");
                List<Received.Data> first = EdgeCacheTest.packets(rig.edgeAddress(), rig, "mbr.asf", request, 100_000);
                EdgeCacheTest.assertSamePackets(want, first, what + " through the edge");
            }
            rig.awaitComplete("mbr.asf", Duration.ofSeconds(30));
            for (StartPlaying request : List.of(byOffset, byLocation)) {
                String what = request.asfOffset() != -1 ? "asfOffset" : "locationId";
                List<Received.Data> want = EdgeCacheTest.packets(rig.origin().mmsAddress(), rig, "mbr.asf", request,
                        100_000);
                double originPackets = rig.originMediaPackets();
                List<Received.Data> hit = EdgeCacheTest.packets(rig.edgeAddress(), rig, "mbr.asf", request, 100_000);
                EdgeCacheTest.assertSamePackets(want, hit, what + " from the cache");
                assertEquals(originPackets, rig.originMediaPackets(),
                        what + ": no Data packet from the origin on a hit");
            }
        }
    }
}
