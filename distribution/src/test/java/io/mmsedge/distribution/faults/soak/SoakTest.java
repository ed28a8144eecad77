package io.mmsedge.distribution.faults.soak;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.faults.FaultRig;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.load.Soak;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI version of the soak (issue #17; {@code bench/soak.sh} runs the hour-long one): for two
 * minutes, 20 players play session after session through a caching, splitting edge (hits,
 * misses: the first plays of forty files, seeks, a split, abrupt disconnects), and this JVM's
 * RSS, file descriptors, direct memory and the edge's cache index stay flat.
 *
 * <p>The cache holds the whole working set, so that the index's size says whether items leak.
 * (With less room than the items in use, a fill used to fail with "the disk cache has no room";
 * it now relays the packets it cannot store: UncachedRelayTest.)
 */
class SoakTest {

    private static final int FILES = 40;

    @Test
    void twoMinutesOfMixedSessionsKeepEveryResourceFlat(@TempDir Path tmp) throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        List<String> files = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            Files.copy(Fixtures.media("av.asf"), media.resolve("clip" + i + ".asf"));
            files.add("clip" + i + ".asf");
        }
        try (EdgeApplication origin = FaultRig.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 4}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(media, Fixtures.media("av.asf")));
             EdgeApplication edge = FaultRig.start("""
                server: {pacingSpeed: 8}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                  cache: {dir: "%s", size: 64m, memory: 4m}
                """.formatted(origin.mmsAddress().getPort(), tmp.resolve("cache")))) {
            InetSocketAddress at = edge.edgeAddress();
            Soak.Result r = new Soak(at, files, "live", () -> edge.cache().store().items().size())
                    .run(20, Duration.ofMinutes(2), Duration.ofSeconds(5));
            long total = r.sessions().values().stream().mapToLong(Long::longValue).sum();
            System.out.println("soak: sessions " + r.sessions() + ", failures " + r.failures() + " " + r.failureReasons()
                    + "; samples "
                    + r.samples());
            for (String kind : new String[] {"hit", "seek", "split", "abrupt"}) {
                assertTrue(r.sessions().getOrDefault(kind, 0L) > 0, "some " + kind + " sessions: " + r.sessions());
            }
            assertTrue(r.failures() * 100 <= total, "at most 1% of sessions failed: " + r.failures() + " of " + total + ": " + r.failureReasons());
            assertNull(r.growth(128 * 1024, 40, 32L << 20, FILES), "resources stay flat: " + r.samples());
        }
    }
}
