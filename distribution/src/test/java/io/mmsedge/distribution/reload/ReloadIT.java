package io.mmsedge.distribution.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.JarProcess;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP on the packaged server ({@code java -jar mms-edge.jar --config FILE}): a valid file adds
 * a publishing point, an invalid one is refused by key in the log and the server serves on.
 * Runs in the verify phase (failsafe), after the jar exists.
 */
class ReloadIT {

    @TempDir
    Path dir;

    private static void hangUp(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -HUP");
    }

    private static ExternalTool.Result probe(int port, String path) throws Exception {
        return ExternalTool.run(List.of("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                "mmst://127.0.0.1:" + port + "/" + path), Duration.ofSeconds(60));
    }

    @Test
    void sighupAddsAPointAndRefusesAnInvalidFileByKey() throws Exception {
        Players.require("ffprobe");
        int port = JarProcess.freePort();
        Path extra = Files.createDirectories(dir.resolve("extra"));
        Files.copy(Fixtures.media("audio.asf"), extra.resolve("clip.asf"));
        String base = """
                server: {bind: 127.0.0.1, port: %d}
                publishingPoints:
                  - {name: a, type: directory, path: "%s"}
                """.formatted(port, Fixtures.mediaDir());
        Path conf = Files.writeString(dir.resolve("edge.yaml"), base);
        try (JarProcess p = JarProcess.startWithHangUp("DEFAULT", "--config", conf.toString())) {
            p.await("SIGHUP reloads the configuration", 1, 60_000);
            assertTrue(probe(port, "b/clip.asf").exitCode() != 0, "no point b yet");

            Files.writeString(conf, base + "  - {name: b, type: directory, path: \"%s\"}\n".formatted(extra));
            hangUp(p.process());
            p.await("reloaded (SIGHUP)", 1, 30_000);
            ExternalTool.Result added = probe(port, "b/clip.asf");
            assertEquals(0, added.exitCode(), added.describe());

            Files.writeString(conf, base.replace("port: " + port, "port: 70000"));
            hangUp(p.process());
            p.await("reload (SIGHUP) of " + conf + " refused", 1, 30_000);
            p.await("key 'server.port': must be between 0 and 65535", 1, 1_000);
            assertTrue(p.process().isAlive(), "an invalid file does not stop the server");
            ExternalTool.Result still = probe(port, "b/clip.asf");
            assertEquals(0, still.exitCode(), "the running configuration stays: " + still.describe());
        }
    }

    @Test
    void startedWithSighupIgnoredItSaysSo() throws Exception {
        // As under nohup: HotSpot keeps an ignored SIGHUP ignored and never calls a handler, so the
        // server must not claim that SIGHUP reloads. Once it had, and a reload never came.
        int port = JarProcess.freePort();
        Path conf = Files.writeString(dir.resolve("ignored.yaml"), """
                server: {bind: 127.0.0.1, port: %d}
                publishingPoints:
                  - {name: a, type: directory, path: "%s"}
                """.formatted(port, Fixtures.mediaDir()));
        try (JarProcess p = JarProcess.startWithHangUp("IGNORE", "--config", conf.toString())) {
            p.await("SIGHUP is ignored in this process", 1, 60_000);
            assertTrue(p.lines().stream().noneMatch(l -> l.contains("SIGHUP reloads the configuration")),
                    "no promise of SIGHUP reloads: " + p.lines());
            hangUp(p.process());
            Thread.sleep(1_000);
            assertTrue(p.process().isAlive(), "an ignored SIGHUP neither reloads nor stops the server");
            assertTrue(p.lines().stream().noneMatch(l -> l.contains("reloaded (SIGHUP)")), "no reload: " + p.lines());
        }
    }
}
