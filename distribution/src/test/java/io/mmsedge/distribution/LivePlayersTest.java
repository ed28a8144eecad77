package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Disabled;
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

    @Test
    @Disabled("MPlayer 1.5 -really-quiet -frames 75 on the live stream was seen spinning at 90% CPU, ignoring "
            + "SIGTERM; without -really-quiet it played 75 frames and exited. Not yet diagnosed.")
    void mplayerWatchesTheLivePoint() throws Exception {
        try (EdgeApplication app = live()) {
            // -endpos is a stream position and a live stream's time goes on: count frames (3 s at 25 fps).
            ExternalTool.Result m = run(List.of("mplayer", "-nolirc", "-vo", "null", "-ao", "null", "-frames", "75",
                    TestServers.url(app, "live")));
            assertEquals(0, m.exitCode(), m.describe());
        }
    }

    @Test
    @Disabled("VLC 3.0 mmstu+asf demux reports EOF right after the header on this live stream; "
            + "not yet diagnosed (on-demand works). See the live branch report.")
    void vlcWatchesTheLivePoint() throws Exception {
        try (EdgeApplication app = live()) {
            java.nio.file.Path out = java.nio.file.Files.createTempFile("vlc-live", ".asf");
            out.toFile().setWritable(true, false);
            ExternalTool.Result r = run(ExternalTool.asUnprivileged(List.of("cvlc", "-q", TestServers.url(app, "live"),
                    "--run-time", "3", "--sout", "#std{access=file,mux=asf,dst=" + out + "}", "vlc://quit")));
            assertTrue(java.nio.file.Files.size(out) > 50_000, r.describe());
        }
    }
}
