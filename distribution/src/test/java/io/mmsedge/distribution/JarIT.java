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

    private static Path jar() {
        Path p = Path.of(System.getProperty("mmsedge.jar", "target/mms-edge.jar"));
        assertTrue(Files.isRegularFile(p), "jar missing: " + p);
        return p;
    }

    @Test
    void inspectRunsFromTheJarWithoutLoggingNoise() throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("java", "-jar", jar().toString(), "inspect",
                Fixtures.media("av.asf").toString()), Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdoutText().contains("\"packetSize\""), r.stdoutText());
        assertFalse(r.stderr().contains("SLF4J"), r.stderr());
        assertFalse(r.stderr().contains("StatusLogger"), r.stderr());
    }

    @Test
    void theEmbeddedDefaultStartsCleanlyAndServesAPlayer() throws Exception {
        Process p = new ProcessBuilder("java", "-jar", jar().toString()).redirectErrorStream(true).start();
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
}
