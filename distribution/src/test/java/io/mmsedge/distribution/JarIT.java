package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged artifact as an operator runs it: {@code java -jar distribution/target/mms-edge.jar}.
 * Runs in the verify phase (failsafe), after the jar and lib/ exist.
 */
class JarIT {

    @Test
    void inspectRunsFromTheJarWithoutLoggingNoise() throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("java", "-jar", JarProcess.jar().toString(), "inspect",
                Fixtures.media("av.asf").toString()), Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdoutText().contains("\"packetSize\""), r.stdoutText());
        assertFalse(r.stderr().contains("SLF4J"), r.stderr());
        assertFalse(r.stderr().contains("StatusLogger"), r.stderr());
    }

    @Test
    void theEmbeddedDefaultStartsCleanlyAndServesAPlayer() throws Exception {
        Process p = new ProcessBuilder("java", "-jar", JarProcess.jar().toString()).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.currentTimeMillis() + 30_000;
            String line;
            while (System.currentTimeMillis() < deadline && (line = out.readLine()) != null) {
                lines.add(line);
                if (line.contains("serving publishing points")) {
                    break;
                }
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains("MMS listening on /127.0.0.1:1755")), lines.toString());
            for (String l : lines) {
                assertFalse(l.contains("SLF4J") || l.contains("StatusLogger") || l.contains(" WARN ")
                        || l.contains(" ERROR "), "start-up must be clean: " + l);
            }
            if (ExternalTool.available("ffprobe")) {
                ExternalTool.Result probe = ExternalTool.run(List.of("ffprobe", "-v", "error", "-show_entries",
                        "stream=codec_name", "-of", "csv=p=0", "mmst://127.0.0.1:1755/av.asf"), Duration.ofSeconds(60));
                assertEquals(0, probe.exitCode(), probe.describe());
                assertTrue(probe.stdoutText().contains("wmv2") && probe.stdoutText().contains("wmav2"),
                        probe.stdoutText());
            }
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        // SIGTERM: the shutdown hook closes listeners and exits 143 (128 + 15) without a stack trace.
        assertTrue(p.exitValue() == 143 || p.exitValue() == 0, "exit " + p.exitValue());
    }

    /** The jar running a configuration with a live point, once its signal handlers are in place. */
    private static final class Server implements AutoCloseable {
        final JarProcess jar;
        final int port;

        Server(Path dir, int drainSeconds) throws Exception {
            port = JarProcess.freePort();
            Path conf = Files.writeString(dir.resolve("drain.yaml"), """
                    server: {bind: 127.0.0.1, port: %d, drainSeconds: %d}
                    publishingPoints:
                      - {name: live, type: broadcast, path: "%s"}
                    """.formatted(port, drainSeconds, Fixtures.media("av.asf")));
            jar = JarProcess.start("--config", conf.toString());
            jar.await("a second one exits at once", 60_000); // the signal handlers are in place
        }

        /** SIGTERM, the output still read (Process.destroy() would close the pipes as well). */
        void sigterm() {
            jar.process().toHandle().destroy();
        }

        @Override
        public void close() {
            jar.close();
        }
    }

    /** ffmpeg playing the jar's live point until it has frames. */
    private static Process ffmpegPlaying(Server server, Path dir) throws Exception {
        io.mmsedge.distribution.realplayers.Players.require("ffmpeg");
        Path out = dir.resolve("live.framemd5");
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-i", "mmst://127.0.0.1:" + server.port
                + "/live", "-c", "copy", "-flush_packets", "1", "-f", "framemd5", out.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.exists(out) || Files.size(out) < 2000) {
            assertTrue(ffmpeg.isAlive() && System.currentTimeMillis() < deadline, "ffmpeg does not play");
            Thread.sleep(100);
        }
        return ffmpeg;
    }

    @Test
    void sigtermDrainsEndsThePlayersSoThatFfmpegExitsThenExitsZero(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        try (Server server = new Server(dir, 2)) {
            Process ffmpeg = ffmpegPlaying(server, dir);
            try {
                server.sigterm();
                server.jar.await("draining (SIGTERM)", 15_000);
                assertTrue(server.jar.process().waitFor(20, TimeUnit.SECONDS),
                        "drained and exited: " + server.jar.lines());
                assertEquals(0, server.jar.process().exitValue(), server.jar.lines().toString());
                assertTrue(ffmpeg.waitFor(10, TimeUnit.SECONDS), "ffmpeg stopped, not spinning: "
                        + Files.readString(dir.resolve("ffmpeg.log")));
                assertEquals(0, ffmpeg.exitValue());
            } finally {
                ffmpeg.destroyForcibly();
            }
        }
    }

    @Test
    void aSecondSignalExitsAtOnce(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (Server server = new Server(dir, 600)) {
            Process ffmpeg = ffmpegPlaying(server, dir);
            try {
                server.sigterm();
                server.jar.await("draining (SIGTERM)", 15_000);
                assertTrue(server.jar.process().isAlive(), "the drain waits for the playing session");
                server.sigterm();
                assertTrue(server.jar.process().waitFor(10, TimeUnit.SECONDS), "a second SIGTERM exits at once");
                assertEquals(143, server.jar.process().exitValue());
            } finally {
                ffmpeg.destroyForcibly();
            }
        }
    }

    @Test
    void theReleaseArchiveHasTheLauncherConfigurationAndLibraries(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path archive = Path.of(System.getProperty("mmsedge.release", "target/mms-edge-0.1.0-SNAPSHOT-release.tar.gz"));
        assertTrue(Files.isRegularFile(archive), "release archive missing: " + archive);
        ExternalTool.Result untar = ExternalTool.run(List.of("tar", "xzf", archive.toString(), "-C", dir.toString()),
                Duration.ofSeconds(60));
        assertEquals(0, untar.exitCode(), untar.describe());
        Path base;
        try (var top = Files.list(dir)) {
            base = top.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        for (String f : List.of("bin/mms-edge", "conf/mms-edge.yaml", "conf/log4j2.xml", "lib/mms-edge.jar",
                "systemd/mms-edge.service", "kubernetes/mms-edge.yaml")) {
            assertTrue(Files.isRegularFile(base.resolve(f)), "archive lacks " + f);
        }
        assertTrue(Files.isExecutable(base.resolve("bin/mms-edge")));
        try (var libs = Files.list(base.resolve("lib"))) {
            assertTrue(libs.anyMatch(p -> p.getFileName().toString().startsWith("netty-")), "dependencies in lib/");
        }
        ExternalTool.Result version = ExternalTool.run(List.of(base.resolve("bin/mms-edge").toString(), "--version"),
                Duration.ofSeconds(60));
        assertEquals(0, version.exitCode(), version.describe());
        assertTrue(version.stdoutText().strip().matches("mms-edge \\d+\\.\\d+\\.\\d+.*"), version.stdoutText());
        ExternalTool.Result inspect = ExternalTool.run(List.of(base.resolve("bin/mms-edge").toString(), "inspect",
                Fixtures.media("av.asf").toString()), Duration.ofSeconds(60));
        assertEquals(0, inspect.exitCode(), inspect.describe());
        assertTrue(inspect.stdoutText().contains("\"packetSize\""), inspect.stdoutText());
    }
}
