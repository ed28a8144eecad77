package io.mmsedge.distribution.faults.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.JarProcess;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge as a real process ({@code java -jar mms-edge.jar}) killed with SIGKILL in the middle of
 * a fill, then started again on the same cache directory: the partial item comes back partial
 * (never complete, nothing discarded: every stored slot verifies), the next player gets every
 * frame (framemd5 equal to the file's) with only the missing packets fetched, and once the fill
 * has finished a play needs no origin data. Runs in the verify phase, after the jar exists.
 */
class EdgeKilledMidFillIT {

    @TempDir
    Path tmp;

    /** The edge process, once it listens. */
    private static JarProcess edge(Path conf) throws Exception {
        JarProcess edge = JarProcess.start("--config", conf.toString());
        edge.await("edge on ", 60_000);
        return edge;
    }

    /** SIGKILL: no shutdown hook, nothing flushed. */
    private static void kill9(JarProcess edge) throws InterruptedException {
        edge.process().destroyForcibly();
        assertTrue(edge.process().waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, edge.process().exitValue(), "killed by SIGKILL");
    }

    private static long dataBytes(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            long total = 0;
            for (Path p : s.filter(p -> p.toString().endsWith(".data")).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    @Test
    void anEdgeKilledMidFillComesBackWithThePartialItemAndFillsTheRest() throws Exception {
        Players.require("ffmpeg");
        Path media = Files.createDirectories(tmp.resolve("media"));
        Files.copy(Fixtures.media("av.asf"), media.resolve("av.asf"));
        Path cache = tmp.resolve("cache");
        List<String> want = Players.frameLines(Players.framemd5(media.resolve("av.asf").toString()).stdoutText());
        // A real-time origin, so that the first fill takes seconds: the kill lands in the middle of it.
        try (EdgeApplication origin = CacheRig.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1, idleTimeoutSeconds: 30}
                status: {bind: 127.0.0.1, port: 0}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(media), media)) {
            int port = JarProcess.freePort();
            Path conf = Files.writeString(tmp.resolve("edge.yaml"), """
                    server: {idleTimeoutSeconds: 30}
                    status: {bind: 127.0.0.1, port: 0}
                    edge:
                      bind: 127.0.0.1
                      port: %d
                      reverse:
                        - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                      cache:
                        dir: "%s"
                        size: 64m
                        fillSpeed: 1
                    """.formatted(port, origin.mmsAddress().getPort(), cache));
            String url = "mmst://127.0.0.1:" + port + "/av.asf";
            long full = Files.size(Fixtures.media("av.asf"));

            try (JarProcess edge = edge(conf)) {
                Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0", "-c",
                        "copy", "-f", "framemd5", "-").redirectErrorStream(true)
                        .redirectOutput(tmp.resolve("cut.framemd5").toFile()).start();
                try {
                    long deadline = System.currentTimeMillis() + 60_000;
                    while (dataBytes(cache) < full / 3) {
                        assertTrue(System.currentTimeMillis() < deadline, "the fill does not progress");
                        Thread.sleep(10);
                    }
                    kill9(edge);
                } finally {
                    ffmpeg.destroyForcibly();
                }
                assertFalse(edge.logged("done: the item is complete"),
                        "killed before the fill could finish: " + edge.lines());
            }
            double before = originPackets(origin);

            try (JarProcess edge = edge(conf)) {
                String found = edge.await("items found", 10_000);
                assertTrue(found.contains("1 items found"), found);
                assertFalse(edge.logged("discarded"), "nothing on disk was corrupt: " + edge.lines());
                ExternalTool.Result again = Players.framemd5(url);
                assertEquals(0, again.exitCode(), again.describe());
                assertEquals(want, Players.frameLines(again.stdoutText()), "every frame after the restart");
                String done = edge.await("done: the item is complete", 60_000);
                double fetched = originPackets(origin) - before;
                assertTrue(fetched > 0 && fetched < 116, "only the missing packets came from the origin: " + fetched);
                assertTrue(done.contains("116 of 116"), done);
                assertTrue(edge.logged("partial hit"), "the stored prefix was served from the cache: " + edge.lines());

                double complete = originPackets(origin);
                ExternalTool.Result cached = Players.framemd5(url);
                assertEquals(want, Players.frameLines(cached.stdoutText()), "every frame from the cache");
                assertEquals(complete, originPackets(origin), "no origin data once complete");
            }
        }
    }

    private static double originPackets(EdgeApplication origin) {
        var c = origin.registry().find("mmsedge.data.packets.sent").tag("kind", "media").counter();
        return c == null ? 0 : c.count();
    }
}
