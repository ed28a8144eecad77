package io.mmsedge.bench;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What the whole-system benchmarks share: starting servers from YAML, percentiles, temp dirs. */
public final class BenchSupport {

    private BenchSupport() {
    }

    public static EdgeApplication start(String yaml, Path base) throws Exception {
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "benchmark", base);
        return EdgeApplication.start(cfg, base);
    }

    /** The p-th percentile of sorted values (nearest rank). */
    static long pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Deletes {@code dir} and everything below it (a benchmark's temporary directory). */
    public static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * An unpaced edge on a free loopback port in front of the origin on {@code originPort};
     * {@code edgeLines} (indented two spaces) are added to its {@code edge} section.
     */
    static String unpacedEdge(int originPort, String edgeLines) {
        return """
                server: {pacingSpeed: 0}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                %s""".formatted(originPort, edgeLines);
    }

    /** An origin serving {@code media} on demand, unpaced, on a free loopback port. */
    static String unpacedOrigin(Path media) {
        return """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 0}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(media.toString().replace("\\", "/"));
    }
}
