package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.TestServers;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.QuirkyOrigin;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A split whose broadcast origin goes silent (issue #13 §1 and §2): it ends within its grace
 * period when no origin comes back, and fails over to the route's next origin when there is
 * one; ffmpeg, over MMSH, gets a clean end or keeps playing.
 */
class SplitStallTest {

    private static final double STALL_SECONDS = 1;
    private static final double GRACE_SECONDS = 3;

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    /** A splitting edge in front of the given origin ports, in order, with a 1 s stall timeout and 3 s grace. */
    private static EdgeApplication edge(int... ports) throws Exception {
        StringBuilder origins = new StringBuilder();
        for (int p : ports) {
            origins.append(origins.length() == 0 ? "" : ", ").append("\"mms://127.0.0.1:").append(p).append('"');
        }
        return Players.start("""
                server: {pacingSpeed: 1}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  connectTimeoutSeconds: 1
                  stallTimeoutSeconds: %s
                  split: {lingerSeconds: 1, graceSeconds: %s}
                  reverse:
                    - {prefix: "", origins: [%s]}
                """.formatted(STALL_SECONDS, GRACE_SECONDS, origins));
    }

    /** ffmpeg over MMSH on the edge's port, stopping after {@code seconds} of output (a broadcast never ends). */
    private static CompletableFuture<ExternalTool.Result> play(EdgeApplication edge, int seconds) {
        return Players.inBackground(() -> ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i",
                "mmsh://127.0.0.1:" + edge.edgeAddress().getPort() + "/live", "-map", "0", "-c", "copy", "-t",
                Integer.toString(seconds), "-f", "framemd5", "-"), Players.PLAYER_TIMEOUT));
    }

    private static void awaitSilence(QuirkyOrigin quirky) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (quirky.silentSinceNanos == 0) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the origin never went silent");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aSplitWhoseOnlyOriginGoesSilentEndsWithinItsGracePeriod() throws Exception {
        try (EdgeApplication origin = TestServers.liveOrigin(0, 1);
             QuirkyOrigin quirky = new QuirkyOrigin(origin.mmsAddress());
             EdgeApplication edge = edge(quirky.address().getPort());
             LogCapture log = LogCapture.begin()) {
            quirky.silentAfterPackets = 20;
            CompletableFuture<ExternalTool.Result> player = play(edge, 60);
            awaitSilence(quirky);
            quirky.blackhole = true; // and it does not come back: reconnects get no answer
            ExternalTool.Result r = player.get(60, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quirky.silentSinceNanos);
            long limit = (long) ((STALL_SECONDS + GRACE_SECONDS) * 1000) + 2000;
            assertTrue(ms <= limit, "the player ended " + ms + " ms after the origin went silent (limit " + limit
                    + " ms): " + r.describe());
            assertEquals(0, r.exitCode(), "a clean end: " + r.describe());
            assertTrue(!Players.frameLines(r.stdoutText()).isEmpty(), "the player got the packets before the silence");
            String dead = "127.0.0.1:" + quirky.address().getPort();
            assertNotNull(log.await(2000, "split " + dead + "/live", "origin not back within", "stall timeout"),
                    "the end and its reason are logged, naming the origin: " + log.lines());
        }
    }

    @Test
    void aSplitWhoseOriginGoesSilentFailsOverToTheNextOrigin() throws Exception {
        try (EdgeApplication first = TestServers.liveOrigin(0, 1);
             EdgeApplication second = TestServers.liveOrigin(0, 1);
             QuirkyOrigin quirky = new QuirkyOrigin(first.mmsAddress());
             EdgeApplication edge = edge(quirky.address().getPort(), second.mmsAddress().getPort());
             LogCapture log = LogCapture.begin()) {
            quirky.silentAfterPackets = 20;
            CompletableFuture<ExternalTool.Result> player = play(edge, 10);
            awaitSilence(quirky);
            // Taken while the player plays: once it is done the split lingers 1 s and is gone.
            var split = edge.proxy().splits().splits().get(0);
            ExternalTool.Result r = player.get(60, TimeUnit.SECONDS);
            assertEquals(0, r.exitCode(), r.describe());
            // Silent after 20 packets (about 3 s of av.asf): 10 s of output means the player went
            // on well past the silence, on the second origin.
            int frames = Players.frameLines(r.stdoutText()).size();
            int fileFrames = Players.frameLines(Players.fileFramemd5("av.asf")).size(); // 12.1 s
            assertTrue(frames * 12.1 >= fileFrames * 8.0, frames + " frames for 10 s of output; the file has "
                    + fileFrames + " in 12.1 s: " + r.describe());
            assertNotNull(log.await(2000, "failed over from origin 127.0.0.1:" + quirky.address().getPort()
                    + " to origin 127.0.0.1:" + second.mmsAddress().getPort()), log.lines().toString());
            assertTrue(split.reconnects() >= 1, "the split reconnected");
        }
    }
}
