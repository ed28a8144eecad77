package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Real players watch a looped broadcast published with {@code origin --live NAME=FILE.asf}. */
class LivePlayersTest {

    private static EdgeApplication live() throws Exception {
        return EdgeApplication.start(Main.originConfig(new String[] {"origin", "--port", "0", "--pacing-speed", "1",
                "--live", "live=" + Fixtures.media("av.asf")}), Fixtures.mediaDir());
    }

    private static ExternalTool.Result run(List<String> cmd) {
        try {
            return ExternalTool.run(cmd, Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoFfmpegPlayersWatchTogetherAndALateJoinerDecodesFromAKeyFrame() throws Exception {
        assumeTrue(ExternalTool.available("ffmpeg"));
        try (EdgeApplication app = live()) {
            String url = TestServers.url(app, "live");
            CompletableFuture<ExternalTool.Result> copy = CompletableFuture.supplyAsync(() -> run(List.of(
                    "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-t", "3", "-i", url, "-map", "0", "-c", "copy",
                    "-f", "null", "-")));
            Thread.sleep(1500);
            // A late joiner decodes (no -c copy): starting anywhere but a key frame shows as decode errors.
            ExternalTool.Result late = run(List.of("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-t", "3",
                    "-i", url, "-map", "0", "-f", "null", "-"));
            ExternalTool.Result f = copy.get();
            assertEquals(0, f.exitCode(), f.describe());
            assertTrue(f.stderr().isBlank(), f.describe());
            assertEquals(0, late.exitCode(), late.describe());
            assertTrue(late.stderr().isBlank(), "decode errors: " + late.describe());
        }
    }

    /** Frames per codec type in a file, by ffprobe. */
    private static java.util.Map<String, Integer> counts(java.nio.file.Path file) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("ffprobe", "-v", "error", "-show_entries", "packet=codec_type",
                "-of", "csv=p=0", file.toString()), Duration.ofSeconds(30));
        java.util.Map<String, Integer> m = new java.util.TreeMap<>();
        for (String l : r.stdoutText().split("\n")) {
            if (!l.isBlank()) {
                m.merge(l.strip(), 1, Integer::sum);
            }
        }
        return m;
    }

    private static java.nio.file.Path playerDir() throws Exception {
        java.nio.file.Path d = java.nio.file.Files.createTempDirectory("live-players");
        java.nio.file.Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        return d;
    }

    @Test
    void mplayerDumpsTheLivePointDirectAndThroughTheSplittingEdge() throws Exception {
        assumeTrue(ExternalTool.available("mplayer") || "true".equals(System.getenv("CI")));
        try (EdgeApplication origin = live(); EdgeApplication edge = EdgeProxyTest.reverseEdge(
                origin.mmsAddress().getPort(), "mp")) {
            java.nio.file.Path dir = playerDir();
            for (var server : List.of(origin.mmsAddress(), edge.edgeAddress())) {
                java.nio.file.Path out = dir.resolve("mplayer-" + server.getPort() + ".asf");
                // A live dump never ends by itself: stop it after 5 s (real-time pacing).
                ExternalTool.Result r = ExternalTool.run(List.of("mplayer", "-really-quiet", "-noconsolecontrols",
                        "-dumpstream", "-dumpfile", out.toString(), "mmst://127.0.0.1:" + server.getPort() + "/live"),
                        Duration.ofSeconds(5));
                assertTrue(r.timedOut(), "still streaming when stopped: " + r.describe());
                var got = counts(out);
                assertTrue(got.getOrDefault("video", 0) >= 50 && got.getOrDefault("audio", 0) >= 40,
                        "MPlayer via " + server + " dumped " + got);
            }
        }
    }

    @Test
    void vlcWatchesTheLivePoint() throws Exception {
        assumeTrue(ExternalTool.available("cvlc") || "true".equals(System.getenv("CI")));
        // Direct from the origin. Through the splitting edge VLC 3.0 stops after ~30 packets
        // (FFmpeg and MPlayer do not): not yet diagnosed, see the issue notes.
        try (EdgeApplication app = live()) {
            java.nio.file.Path out = playerDir().resolve("vlc-live.asf");
            ExternalTool.Result r = run(ExternalTool.asUnprivileged(List.of("cvlc", "-q", "--intf", "dummy",
                    "--run-time", "5", "--play-and-exit", "--sout", "#std{access=file,mux=asf,dst=" + out + "}",
                    TestServers.url(app, "live"))));
            assertEquals(0, r.exitCode(), r.describe());
            var got = counts(out);
            assertTrue(got.getOrDefault("video", 0) >= 40 && got.getOrDefault("audio", 0) >= 30,
                    "VLC kept playing the live point: " + got + "\n" + r.describe());
        }
    }

    @Test
    void threeFfmpegPlayersThroughTheEdgeCostTheOriginOneSession() throws Exception {
        assumeTrue(ExternalTool.available("ffmpeg"));
        try (EdgeApplication origin = live(); EdgeApplication edge = EdgeProxyTest.reverseEdge(
                origin.mmsAddress().getPort(), "ff3")) {
            String url = "mmst://127.0.0.1:" + edge.edgeAddress().getPort() + "/live";
            List<CompletableFuture<ExternalTool.Result>> players = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                players.add(CompletableFuture.supplyAsync(() -> run(List.of("ffmpeg", "-nostdin", "-hide_banner",
                        "-v", "error", "-t", "3", "-i", url, "-map", "0", "-f", "null", "-"))));
                Thread.sleep(400); // late joiners start at a key frame: decoding shows errors otherwise
            }
            for (CompletableFuture<ExternalTool.Result> p : players) {
                ExternalTool.Result r = p.get();
                assertEquals(0, r.exitCode(), r.describe());
                assertTrue(r.stderr().isBlank(), "decode errors: " + r.describe());
            }
            assertEquals(1.0, origin.registry().get("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one session at the origin for three players");
        }
    }
}
