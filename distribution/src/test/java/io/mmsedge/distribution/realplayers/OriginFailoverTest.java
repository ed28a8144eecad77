package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mid-stream failover (issue #13 §2): a caching edge in front of two origins; the first dies
 * while its fill is under way. The fill resumes at the second origin from the next packet it
 * needs if the content there is the same (fingerprint), and ends cleanly if it is not.
 */
class OriginFailoverTest {

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    /** An origin serving {@code media} at real-time pace. */
    private static EdgeApplication origin(Path media) throws Exception {
        return Players.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1, idleTimeoutSeconds: 30}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(media));
    }

    /**
     * An edge in front of {@code a} then {@code b}, players at real time; caching in
     * {@code cacheDir} with fills at the content's pace, or relaying when it is null.
     */
    private static EdgeApplication edge(Path cacheDir, EdgeApplication a, EdgeApplication b) throws Exception {
        return Players.start("""
                server: {pacingSpeed: 1, idleTimeoutSeconds: 30}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  connectTimeoutSeconds: 2
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d", "mms://127.0.0.1:%d"]}
                """.formatted(a.mmsAddress().getPort(), b.mmsAddress().getPort())
                + (cacheDir == null ? "" : """
                  cache:
                    dir: "%s"
                    size: 64m
                    fillSpeed: 1
                """.formatted(cacheDir)));
    }

    /** Plays {@code url} with ffmpeg in the background. */
    private static CompletableFuture<ExternalTool.Result> play(String url) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Players.framemd5(url);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until the edge stored a quarter of av.asf (the fill is well under way, far from done). */
    private static CacheItem awaitQuarter(EdgeApplication edge) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            CacheItem i = edge.cache().store().items().stream().filter(x -> x.url().endsWith("/av.asf"))
                    .findFirst().orElse(null);
            if (i != null && i.coveredPackets() * 4 >= i.packetCount()) {
                return i;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the fill did not get a quarter of av.asf within 20 s");
    }

    @Test
    void aFillWhoseOriginDiesResumesAtTheNextOriginAndThePlayerGetsTheWholeFile(@TempDir Path tmp) throws Exception {
        try (EdgeApplication b = origin(Fixtures.mediaDir());
             LogCapture log = LogCapture.begin()) {
            EdgeApplication a = origin(Fixtures.mediaDir());
            String deadOrigin = "127.0.0.1:" + a.mmsAddress().getPort();
            try (EdgeApplication edge = edge(tmp.resolve("cache"), a, b)) {
                CompletableFuture<ExternalTool.Result> player = play(Players.url(edge.edgeAddress(), "av.asf"));
                CacheItem item = awaitQuarter(edge);
                assertTrue(!item.complete(), "killed mid-fill");
                a.close(); // the first origin dies: its connections close
                ExternalTool.Result r = player.get(60, TimeUnit.SECONDS);
                assertEquals(0, r.exitCode(), r.describe());
                Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")),
                        Players.frameLines(r.stdoutText()), "av.asf across the failover");
                assertNotNull(log.await(2000, "WARN", "origin " + deadOrigin + " marked down", "lost mid-stream"),
                        "the lost origin is named: " + log.lines());
                assertNotNull(log.await(2000, "lost its upstream", "resuming at packet"), log.lines().toString());
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!item.complete() && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertTrue(item.complete(), "the second origin completed the item: " + item);
            } finally {
                a.close();
            }
        }
    }

    @Test
    void aFillWhoseNextOriginHasOtherContentEndsThePlayersSessionCleanly(@TempDir Path tmp) throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.copy(Fixtures.media("audio.asf"), other.resolve("av.asf")); // same name, other content
        try (EdgeApplication b = origin(other);
             LogCapture log = LogCapture.begin()) {
            EdgeApplication a = origin(Fixtures.mediaDir());
            try (EdgeApplication edge = edge(tmp.resolve("cache"), a, b)) {
                // Over MMSH: the end of the response ends FFmpeg (docs/players.md).
                CompletableFuture<ExternalTool.Result> player = play("mmsh://127.0.0.1:"
                        + edge.edgeAddress().getPort() + "/av.asf");
                CacheItem item = awaitQuarter(edge);
                a.close();
                long killed = System.nanoTime();
                ExternalTool.Result r = player.get(60, TimeUnit.SECONDS);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                // The player had the stored packets to play (at most the whole 12 s file) before its end.
                assertTrue(ms <= 12_000 + 2_000, "the player's session ended " + ms + " ms after the origin died: "
                        + r.describe());
                assertTrue(Players.frameLines(r.stdoutText()).size()
                        < Players.frameLines(Players.fileFramemd5("av.asf")).size(), "not the whole file");
                assertNotNull(log.await(2000, "differs from the cached copy", "127.0.0.1:" + b.mmsAddress().getPort()),
                        "the mismatch is logged, naming the origin: " + log.lines());
                assertTrue(!item.complete(), "nothing of the other content was stored");
            } finally {
                a.close();
            }
        }
    }

    @Test
    void aRelayWhoseOriginDiesResumesAtTheNextOriginAndThePlayerGetsTheWholeFile() throws Exception {
        try (EdgeApplication b = origin(Fixtures.mediaDir());
             LogCapture log = LogCapture.begin()) {
            EdgeApplication a = origin(Fixtures.mediaDir());
            String dead = "127.0.0.1:" + a.mmsAddress().getPort();
            // No cache: each player's content is relayed from its own upstream session.
            try (EdgeApplication edge = edge(null, a, b)) {
                CompletableFuture<ExternalTool.Result> player = play(Players.url(edge.edgeAddress(), "av.asf"));
                assertNotNull(log.await(10_000, "upstream open to " + dead), log.lines().toString());
                Thread.sleep(4000); // a third of the 12 s file, relayed at real time
                a.close();
                ExternalTool.Result r = player.get(60, TimeUnit.SECONDS);
                assertEquals(0, r.exitCode(), r.describe());
                Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")),
                        Players.frameLines(r.stdoutText()), "av.asf across the relay's failover");
                assertNotNull(log.await(2000, "origin " + dead + " lost", "resuming at packet"), log.lines().toString());
                assertNotNull(log.await(2000, "resumed at origin 127.0.0.1:" + b.mmsAddress().getPort()),
                        log.lines().toString());
            } finally {
                a.close();
            }
        }
    }
}
