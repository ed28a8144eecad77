package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VLC's {@code mmsu://} (MMS with Data over UDP, MS-MMSP §3.2.5.5) against the origin and
 * through the edge (a cache miss, then a hit). VLC binds UDP port 7000 on its TCP connection's
 * local address and names it in its funnel (modules/access/mms/mmstu.c); it never asks for
 * resends. What VLC stores with {@code --sout} must hold the file's frames, as for mmst://.
 */
class UdpPlayersTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void players() {
        Players.require("cvlc");
        Players.require("ffprobe");
    }

    private static ExternalTool.Result vlc(String input, Path out) throws Exception {
        return ExternalTool.run(ExternalTool.asUnprivileged(List.of("cvlc", "-q", "--intf", "dummy",
                "--play-and-exit", "--no-video-title-show", "--sout", "#std{access=file,mux=asf,dst=" + out + "}",
                input)), Players.PLAYER_TIMEOUT);
    }

    /** Frame counts of VLC's own remux of the fixture: what a perfect transfer gives. */
    private static Map<String, Integer> baseline(Path dir, String fixture) throws Exception {
        Path local = dir.resolve("local-" + fixture);
        Files.copy(Fixtures.media(fixture), local);
        local.toFile().setReadable(true, false);
        Path out = dir.resolve("baseline-" + fixture);
        ExternalTool.Result b = vlc(local.toString(), out);
        assertEquals(0, b.exitCode(), b.describe());
        return Players.packetCounts(out);
    }

    private static void assertVlcGotTheFile(String url, Path out, String fixture, Map<String, Integer> expected)
            throws Exception {
        ExternalTool.Result r = vlc(url, out);
        assertEquals(0, r.exitCode(), url + ": " + r.describe());
        assertFalse(r.stderr().contains("access error") || r.stderr().contains("cannot")
                || r.stderr().contains("protocol selection failed"), url + ": " + r.stderr());
        Map<String, Integer> original = Players.packetCounts(Fixtures.media(fixture));
        Map<String, Integer> got = Players.packetCounts(out);
        for (String type : original.keySet()) {
            // As in RealPlayersTest: no more lost than VLC's own local remux loses, plus one frame.
            int have = got.getOrDefault(type, 0);
            int localLoss = Math.max(0, original.get(type) - expected.getOrDefault(type, 0));
            assertTrue(have <= original.get(type) && original.get(type) - have <= localLoss + 1,
                    url + ": " + type + " frames " + got + ", file " + original + ", VLC's local remux " + expected);
        }
    }

    private static double counter(EdgeApplication app, String name) {
        var c = app.registry().find(name).counter();
        return c == null ? 0 : c.count();
    }

    private static String mmsu(InetSocketAddress a, String path) {
        return "mmsu://127.0.0.1:" + a.getPort() + "/" + path;
    }

    @Test
    void vlcMmsuPlaysFromTheOriginAndThroughTheEdgeMissAndHit() throws Exception {
        Path dir = Players.playerWritableDir();
        Map<String, Integer> expected = baseline(dir, "av.asf");
        try (CacheRig rig = new CacheRig(tmp, 1, 1, "    size: 64m\n")) {
            // The origin directly.
            assertVlcGotTheFile(mmsu(rig.origin().mmsAddress(), "av.asf"), dir.resolve("origin.asf"), "av.asf",
                    expected);
            assertTrue(counter(rig.origin(), "mmsedge.udp.datagrams.sent") > 100, "the origin sent it by UDP");
            // The edge: a miss (filled from the origin over MMS/TCP), then a hit from the cache.
            assertVlcGotTheFile(mmsu(rig.edgeAddress(), "av.asf"), dir.resolve("miss.asf"), "av.asf", expected);
            rig.awaitComplete("av.asf", Duration.ofSeconds(60));
            double originPackets = rig.originMediaPackets();
            assertVlcGotTheFile(mmsu(rig.edgeAddress(), "av.asf"), dir.resolve("hit.asf"), "av.asf", expected);
            assertEquals(originPackets, rig.originMediaPackets(), "the hit came from the cache");
            assertTrue(counter(rig.edge(), "mmsedge.udp.datagrams.sent") > 200, "the edge sent both plays by UDP");
            assertEquals(0.0, rig.edge().registry().find("mmsedge.udp.sessions").gauge().value(),
                    "both UDP sessions ended");
        }
    }
}
