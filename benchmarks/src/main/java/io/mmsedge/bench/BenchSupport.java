package io.mmsedge.bench;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What the whole-system benchmarks share: starting servers from YAML, percentiles. */
final class BenchSupport {

    private BenchSupport() {
    }

    static EdgeApplication start(String yaml, Path base) throws Exception {
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "benchmark", base);
        return EdgeApplication.start(cfg, base);
    }

    /** The p-th percentile of sorted values (nearest rank). */
    static long pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** An origin serving {@code media} on demand, unpaced, on a free loopback port. */
    static String unpacedOrigin(Path media) {
        return """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 0}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(media.toString().replace("\\\\", "/"));
    }
}
