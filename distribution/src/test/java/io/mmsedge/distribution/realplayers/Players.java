package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Real players (ffmpeg, MPlayer, VLC) and helpers to compare what they got with the files. */
public final class Players {

    static final Duration PLAYER_TIMEOUT = Duration.ofSeconds(120);

    private Players() {
    }

    /** An origin serving the fixtures, paced {@code pacing}× real time; a short idle timeout for MPlayer. */
    static EdgeApplication origin(double pacing) throws Exception {
        String yaml = """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: %s, idleTimeoutSeconds: 10}
                status: {bind: 127.0.0.1, port: 0}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(pacing, Fixtures.mediaDir());
        return start(yaml);
    }

    /** An edge in front of {@code origin}. */
    static EdgeApplication edge(EdgeApplication origin, double pacing) throws Exception {
        return edge(origin.mmsAddress(), pacing);
    }

    /** An edge in front of the MMS server at {@code origin}. */
    static EdgeApplication edge(java.net.InetSocketAddress origin, double pacing) throws Exception {
        String yaml = """
                server: {pacingSpeed: %s, idleTimeoutSeconds: 10}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(pacing, origin.getPort());
        return start(yaml);
    }

    /**
     * Runs {@code player} on a thread of its own (the common pool), for a player that plays while
     * the test does something else; a failure to run it fails the future.
     */
    public static CompletableFuture<ExternalTool.Result> inBackground(Callable<ExternalTool.Result> player) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return player.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static EdgeApplication start(String yaml) throws Exception {
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test",
                Fixtures.mediaDir());
        return EdgeApplication.start(cfg, Fixtures.mediaDir());
    }

    public static void require(String program) {
        assumeTrue(ExternalTool.available(program) || !"true".equals(System.getenv("CI")),
                program + " is not installed");
        if (!ExternalTool.available(program)) {
            throw new AssertionError(program + " is required (see .ci/run)");
        }
    }

    /** ffmpeg's framemd5 of an input (file or URL), all streams, stream copy. */
    public static ExternalTool.Result framemd5(String input) throws IOException, InterruptedException {
        return framemd5(input, "0");
    }

    /** ffmpeg's framemd5 of the streams {@code map} selects ("0", "0:v"), stream copy. */
    public static ExternalTool.Result framemd5(String input, String map) throws IOException, InterruptedException {
        return ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", input, "-map", map, "-c", "copy",
                "-f", "framemd5", "-"), PLAYER_TIMEOUT);
    }

    /** The per-frame lines of a framemd5 (header comments dropped). */
    public static List<String> frameLines(String framemd5) {
        List<String> out = new ArrayList<>();
        for (String l : framemd5.split("\n")) {
            if (!l.isBlank() && !l.startsWith("#")) {
                out.add(l.strip());
            }
        }
        return out;
    }

    /** Equal frame lists, reporting the first difference instead of both lists. */
    static void assertSameFrames(List<String> want, List<String> have, String what) {
        for (int i = 0; i < Math.min(want.size(), have.size()); i++) {
            if (!want.get(i).equals(have.get(i))) {
                throw new AssertionError(what + ": frame " + i + " differs: expected <" + want.get(i) + "> but was <"
                        + have.get(i) + ">");
            }
        }
        assertEquals(want.size(), have.size(), what + ": number of frames");
    }

    static String fileFramemd5(String fixture) throws Exception {
        ExternalTool.Result r = framemd5(Fixtures.media(fixture).toString());
        assertEquals(0, r.exitCode(), r.describe());
        return r.stdoutText();
    }

    /** Packet count per codec type ("video"/"audio") of a file, by ffprobe. */
    public static Map<String, Integer> packetCounts(Path file) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("ffprobe", "-v", "error", "-show_entries",
                "packet=codec_type", "-of", "csv=p=0", file.toString()), PLAYER_TIMEOUT);
        assertEquals(0, r.exitCode(), r.describe());
        Map<String, Integer> counts = new TreeMap<>();
        for (String l : r.stdoutText().split("\n")) {
            if (!l.isBlank()) {
                counts.merge(l.strip(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** A directory the unprivileged VLC user may write to. */
    public static Path playerWritableDir() throws IOException {
        Path d = Files.createTempDirectory("mms-player");
        try {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system: VLC then runs as ourselves anyway
        }
        return d;
    }

    static String url(java.net.InetSocketAddress a, String path) {
        return "mmst://127.0.0.1:" + a.getPort() + "/" + path;
    }
}
