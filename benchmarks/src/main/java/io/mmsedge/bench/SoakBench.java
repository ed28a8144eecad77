package io.mmsedge.bench;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.load.Soak;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak (issue #17): an origin and a caching, splitting edge in this JVM, {@code sessions}
 * players playing session after session of a mix (cache hits, misses: the first plays of forty
 * files, seeks, a split, abrupt disconnects) for {@code minutes}; prints a sample of RSS, file
 * descriptors, direct memory and the cache index every {@code sampleSeconds}, then whether they
 * stayed flat (the last half against the first half after warm-up). The CI version is
 * {@code distribution}'s {@code faults.soak.SoakTest} (2 minutes).
 *
 * <p>Usage: {@code SoakBench [sessions] [minutes] [sampleSeconds]} (defaults 1000, 60, 30).
 */
public final class SoakBench {

    private static final int FILES = 40;

    private SoakBench() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int sampleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Path tmp = Files.createTempDirectory("mms-edge-soak");
        Path media = Files.createDirectories(tmp.resolve("media"));
        List<String> files = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            Files.copy(Fixtures.media("av.asf"), media.resolve("clip" + i + ".asf"));
            files.add("clip" + i + ".asf");
        }
        try (EdgeApplication origin = BenchSupport.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1, idleTimeoutSeconds: 60}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(media, Fixtures.media("av.asf")), media);
             EdgeApplication edge = BenchSupport.start("""
                server: {pacingSpeed: 1, idleTimeoutSeconds: 60}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                  cache: {dir: "%s", size: 64m, memory: 4m}
                """.formatted(origin.mmsAddress().getPort(), tmp.resolve("cache")), media)) {
            Soak soak = new Soak(edge.edgeAddress(), files, "live", () -> edge.cache().store().items().size());
            Soak.Result r = soak.run(sessions, Duration.ofMinutes(minutes), Duration.ofSeconds(sampleSeconds));
            System.out.println("minute  RSS(MB)  fds  direct(MB)  cache items");
            for (Soak.Sample s : r.samples()) {
                System.out.printf("%6.1f  %7d  %4d  %10.1f  %11d%n", s.atMs() / 60_000.0, s.rssKb() / 1024,
                        s.descriptors(), s.directBytes() / 1048576.0, s.cacheItems());
            }
            long total = r.sessions().values().stream().mapToLong(Long::longValue).sum();
            System.out.println("sessions " + r.sessions() + " (" + total + "), failures " + r.failures());
            String growth = r.growth(128 * 1024, 64, 64L << 20, FILES);
            System.out.println(growth == null ? "flat: RSS, descriptors, direct memory and the cache index"
                    : "NOT FLAT: " + growth);
            System.exit(growth == null && r.failures() * 100 <= total ? 0 : 1);
        } finally {
            BenchSupport.deleteTree(tmp);
        }
    }
}
