package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A third-party MMSH origin: VLC serving a live broadcast over MMSH ({@code access=mmsh,
 * mux=asfh}). An edge whose rule names {@code mmsh://vlc:port} splits it: an MMS/TCP player and
 * an MMSH player (FFmpeg) at once both get media from one upstream split, and decode it cleanly.
 */
class VlcMmshOriginTest {

    private static final Duration PLAY = Duration.ofSeconds(60);

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
        Players.require("cvlc");
    }

    @Test
    void anEdgeSplitsVlcsMmshBroadcastToMmstAndMmshPlayersAtOnce() throws Exception {
        Path dir = Players.playerWritableDir();
        Path media = dir.resolve("av.asf");
        Files.copy(Fixtures.media("av.asf"), media, StandardCopyOption.REPLACE_EXISTING);
        media.toFile().setReadable(true, false);
        int port = freePort();
        Process vlc = new ProcessBuilder(ExternalTool.asUnprivileged(List.of("cvlc", "-q", "--intf", "dummy", "--loop",
                media.toString(), "--sout", "#std{access=mmsh,mux=asfh,dst=127.0.0.1:" + port + "/live}")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("vlc.log").toFile())
                .redirectInput(new File("/dev/null")).start();
        try (EdgeApplication edge = CacheRig.start("""
                server: {idleTimeoutSeconds: 30}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  http: 0
                  connectTimeoutSeconds: 5
                  reverse:
                    - {prefix: "", origins: ["mmsh://127.0.0.1:%d"]}
                """.formatted(port), Fixtures.mediaDir())) {
            awaitListening(port, vlc, dir);
            awaitHeader(port);
            String mmst = "mmst://127.0.0.1:" + edge.edgeAddress().getPort() + "/live";
            String mmsh = "mmsh://127.0.0.1:" + edge.edgeHttpAddress().getPort() + "/live";
            CompletableFuture<ExternalTool.Result> tcp = CompletableFuture.supplyAsync(() -> decode(mmst));
            CompletableFuture<ExternalTool.Result> http = CompletableFuture.supplyAsync(() -> decode(mmsh));
            for (var r : List.of(tcp.get(), http.get())) {
                assertEquals(0, r.exitCode(), r.describe());
                // The split's first player starts where the upstream play started, mid-GOP in VLC's
                // running broadcast: FFmpeg warns of that and drops to the next key frame. Any other
                // line (a decoding error, a corrupt packet) fails the test.
                List<String> problems = r.stderr().lines().filter(l -> !l.isBlank())
                        .filter(l -> !l.endsWith("warning: first frame is no keyframe")).toList();
                assertEquals(List.of(), problems, "clean decode: " + r.describe());
                long frames = r.stdoutText().lines().filter(l -> !l.startsWith("#")).count();
                assertTrue(frames > 20, frames + " frames: " + r.describe());
            }
            assertEquals(1.0, count(edge, "mmsedge.splits.opened"), "one upstream split for both players");
            assertTrue(count(edge, "mmsedge.splits.joined") >= 1, "the second player joined it");
        } finally {
            vlc.descendants().forEach(ProcessHandle::destroy);
            vlc.destroy();
            vlc.waitFor();
        }
    }

    /** Three seconds of the broadcast, decoded: framecrc lines on stdout, errors on stderr. */
    private static ExternalTool.Result decode(String url) {
        try {
            return ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", url, "-t", "3", "-map", "0",
                    "-f", "framecrc", "-"), PLAY);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double count(EdgeApplication edge, String name) {
        return edge.registry().find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits until VLC's Describe answer holds a whole ASF header. VLC listens before its muxer
     * has written the header: a Describe in that window gets a partial $H and a close, which the
     * edge rightly takes for a failed origin (seen on a quiet machine, where the players come
     * sooner than on a loaded one).
     */
    private static void awaitHeader(int port) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String describe = "GET /live HTTP/1.0\r\nUser-Agent: NSPlayer/4.1.0.3856\r\n"
                + "Pragma: xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}\r\n\r\n";
        while (System.nanoTime() < end) {
            byte[] got;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(2000);
                s.getOutputStream().write(describe.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                got = s.getInputStream().readNBytes(1 << 16);
            } catch (java.io.IOException e) {
                got = new byte[0];
            }
            if (wholeHeader(got)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("VLC's MMSH server sent no whole ASF header within 20 s");
    }

    /** A response whose first $H holds the whole ASF Header Object and the Data Object's header. */
    private static boolean wholeHeader(byte[] r) {
        String text = new String(r, java.nio.charset.StandardCharsets.ISO_8859_1);
        int body = text.indexOf("\r\n\r\n") + 4;
        if (body < 4 || r.length < body + 12 + 24 || r[body] != '$' || r[body + 1] != 'H') {
            return false;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(r).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int payload = (b.getShort(body + 2) & 0xFFFF) - 8;
        long headerObject = b.getLong(body + 12 + 16);
        return payload >= headerObject + 50 && r.length >= body + 12 + payload;
    }

    private static void awaitListening(int port, Process vlc, Path dir) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (java.io.IOException e) {
                if (!vlc.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("VLC's MMSH server did not listen on " + port + ": "
                + Files.readString(dir.resolve("vlc.log")));
    }
}
