package io.mmsedge.distribution.faults.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.faults.FaultRig;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An origin answering slower than real time (issue #17, fault-injection suite): it paces
 * audio.asf at 0.7 times its rate. The player through a caching edge gets every frame (it
 * buffers less, it is not cut), the edge logs no loss of the origin, and the cache holds the
 * complete item afterwards, which the next player gets from the cache alone, unchanged.
 */
class SlowOriginTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        Players.require("ffmpeg");
    }

    @Test
    void aSlowOriginIsRelayedWholeAndCachedComplete() throws Exception {
        ExternalTool.Result want = Players.framemd5(Fixtures.media("audio.asf").toString());
        assertEquals(0, want.exitCode(), want.describe());
        try (EdgeApplication origin = FaultRig.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 0.7}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir()));
             EdgeApplication edge = FaultRig.start("""
                server: {pacingSpeed: 4}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  stallTimeoutSeconds: 5
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                  cache: {dir: "%s", size: 64m, fillSpeed: 1}
                """.formatted(origin.mmsAddress().getPort(), tmp.resolve("cache")));
             LogCapture log = LogCapture.begin()) {
            String url = "mmst://127.0.0.1:" + edge.edgeAddress().getPort() + "/audio.asf";
            long t0 = System.nanoTime();
            ExternalTool.Result first = Players.framemd5(url);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(0, first.exitCode(), first.describe());
            assertEquals(Players.frameLines(want.stdoutText()), Players.frameLines(first.stdoutText()),
                    "every frame from the slow origin");
            // The player really waited for the origin (not served faster than it sends): the content
            // after the preroll, which a server sends ahead (PacketPump), paced at 0.7, less 20% for
            // timer slack. (A fixed 8 s failed on a quiet machine: 6.7 s for 8 s of content with a
            // preroll sent at once.)
            long span;
            try (io.mmsedge.protocol.asf.AsfFile f = io.mmsedge.protocol.asf.AsfFile.open(Fixtures.media("audio.asf"))) {
                span = f.header().playDurationHns() / 10_000 - 2 * f.header().prerollMs();
            }
            long least = (long) (span / 0.7 * 0.8);
            assertTrue(span > 2_000 && ms >= least, "played in " + ms + " ms, at least " + least + " expected");
            assertTrue(log.lines().stream().noneMatch(l -> l.startsWith("WARN") && l.contains("upstream")),
                    "no origin loss logged: " + log.lines().stream().filter(l -> l.startsWith("WARN")).toList());
            CacheItem item = edge.cache().store().items().stream().filter(x -> x.url().endsWith("/audio.asf"))
                    .findFirst().orElseThrow();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!item.complete() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(item.complete(), "the cache holds the complete item: " + item);

            ExternalTool.Result cached = Players.framemd5(url);
            assertEquals(0, cached.exitCode(), cached.describe());
            assertEquals(Players.frameLines(want.stdoutText()), Players.frameLines(cached.stdoutText()),
                    "the cached copy is the file");
        }
    }
}
