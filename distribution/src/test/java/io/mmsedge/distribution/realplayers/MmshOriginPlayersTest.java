package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.auth.PasswordHash;
import io.mmsedge.fixtures.ExternalTool;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
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

    /**
     * Content the origin protects, cached where the rule says so ({@code cacheProtected}): the
     * fill went up with the player's credentials, and every later player is still checked by the
     * origin (a Describe with its own credentials) before a cached packet is served.
     */
    @Test
    void protectedContentCachedOverMmshIsServedOnlyToAuthorizedPlayers() throws Exception {
        Path users = Files.createDirectories(tmp.resolve("auth")).resolve("users.txt");
        Files.writeString(users, "alice:" + PasswordHash.hash("pw-alice-1".toCharArray()) + "\n");
        String points = """
                  - name: vip
                    type: directory
                    path: "%s"
                    auth: {realm: "VIP", usersFile: "%s"}
                """.formatted(tmp.resolve("media"), users);
        try (CacheRig rig = new CacheRig(tmp, 20, 20, "    size: 64m\n", points, ", cacheProtected: true")) {
            rig.restartEdgeOverMmsh();
            int port = rig.edge().edgeHttpAddress().getPort();
            String alice = "Basic " + Base64.getEncoder().encodeToString("alice:pw-alice-1".getBytes(
                    StandardCharsets.UTF_8));
            String noAuth = play(port, "vip/audio.asf", null);
            assertTrue(noAuth.startsWith("HTTP/1.1 401") || noAuth.startsWith("HTTP/1.0 401"), noAuth);
            assertTrue(noAuth.contains("realm=\"VIP\""), noAuth);
            String filled = play(port, "vip/audio.asf", alice);
            assertTrue(filled.startsWith("HTTP/1.1 200") || filled.startsWith("HTTP/1.0 200"), filled);
            rig.awaitComplete("vip/audio.asf", FILL);
            assertTrue(rig.item("vip/audio.asf").protectedContent(), "cached as protected");

            double originPackets = rig.originMediaPackets();
            String stranger = play(port, "vip/audio.asf", null);
            assertTrue(stranger.startsWith("HTTP/1.1 401") || stranger.startsWith("HTTP/1.0 401"),
                    "a cached protected item is not served without credentials: " + stranger);
            String wrong = play(port, "vip/audio.asf", "Basic " + Base64.getEncoder().encodeToString(
                    "alice:guess".getBytes(StandardCharsets.UTF_8)));
            assertTrue(wrong.startsWith("HTTP/1.1 401") || wrong.startsWith("HTTP/1.0 401"), wrong);
            String hit = play(port, "vip/audio.asf", alice);
            assertTrue(hit.startsWith("HTTP/1.1 200") || hit.startsWith("HTTP/1.0 200"), hit);
            assertTrue(hit.contains("$E"), "the whole content, to its end of stream");
            assertEquals(originPackets, rig.originMediaPackets(), "the hit came from the cache");
        }
    }

    /** A whole MMSH Play (xPlayStrm=1) read to the close, as ISO-8859-1 text (the head then the framed body). */
    private static String play(int port, String path, String authorization) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET /" + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port
                    + "\r\nUser-Agent: NSPlayer/9.0.0.2980\r\nPragma: xClientGUID={3300AD50-2C39-46c0-AE0A-5F2B9D1C0A11}"
                    + "\r\nPragma: xPlayStrm=1\r\n" + (authorization == null ? "" : "Authorization: " + authorization
                    + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] b = new byte[16384];
            int n;
            while ((n = in.read(b)) > 0 && out.size() < 64 << 20) {
                out.write(b, 0, n);
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
