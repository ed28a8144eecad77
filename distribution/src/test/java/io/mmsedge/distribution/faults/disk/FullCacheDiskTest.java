package io.mmsedge.distribution.faults.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.SmallDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #17, finding 1, end to end: an edge whose cache directory is a small real file system
 * (a 5 MB tmpfs) that fills up, or that is read-only, with FFmpeg as the players. Every player
 * gets every frame (framemd5 equal to the file's); the disk trouble is logged once and counted;
 * the cache afterwards holds only what verifies — partial items stay partial, nothing partial
 * or corrupt is ever served as complete — and, once there is room, the same items fill and are
 * served from the cache.
 */
class FullCacheDiskTest {

    private static final Duration FILL = Duration.ofSeconds(60);
    private static final List<String> FIRST_PLAYS = List.of("av.asf", "mbr.asf", "indexed.asf", "padded.asf");

    @TempDir
    Path tmp;

    private SmallDisk disk;

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    @BeforeEach
    void mount() throws Exception {
        disk = SmallDisk.mount(tmp.resolve("cache"), "5m");
        assumeTrue(disk != null, "mounting a tmpfs is not permitted here (not root); the cache module's tests "
                + "need one too");
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) {
            disk.close();
        }
    }

    private static List<String> fileFrames(String fixture) throws Exception {
        ExternalTool.Result r = Players.framemd5(io.mmsedge.fixtures.Fixtures.media(fixture).toString());
        assertEquals(0, r.exitCode(), r.describe());
        return Players.frameLines(r.stdoutText());
    }

    private static void assertPlays(String what, List<String> want, ExternalTool.Result r) {
        assertEquals(0, r.exitCode(), what + ": " + r.describe());
        assertEquals(want, Players.frameLines(r.stdoutText()), what + ": every frame, byte for byte");
    }

    /** The four players at once, each on its own first play; returns their results in order. */
    private static List<ExternalTool.Result> playAtOnce(CacheRig rig, List<String> paths) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(paths.size());
        try {
            List<Future<ExternalTool.Result>> runs = new ArrayList<>();
            for (String p : paths) {
                runs.add(pool.submit(() -> Players.framemd5(rig.edgeUrl(p))));
            }
            List<ExternalTool.Result> out = new ArrayList<>();
            for (Future<ExternalTool.Result> f : runs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitNoFills(CacheRig rig) throws InterruptedException {
        long end = System.nanoTime() + FILL.toNanos();
        while (rig.edgeCount("mmsedge.cache.fills.in.flight") > 0 || fills(rig) > 0) {
            assertTrue(System.nanoTime() < end, "fills still running");
            Thread.sleep(50);
        }
    }

    private static double fills(CacheRig rig) {
        var g = rig.edge().registry().find("mmsedge.cache.fills.in.flight").gauge();
        return g == null ? 0 : g.value();
    }

    @Test
    void fourFirstPlaysOnAFillingDiskGetEveryFrameAndTheCacheStaysSound() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 10, 10, "    size: 64m\n    memory: 1m\n")) {
            // One item cached while there is room, read by a player while the disk fills: its
            // frames must not change, whether it is evicted for room or not.
            List<String> audio = fileFrames("audio.asf");
            assertPlays("audio.asf, first play", audio, Players.framemd5(rig.edgeUrl("audio.asf")));
            rig.awaitComplete("audio.asf", FILL);

            disk.fillLeaving(200L << 10);
            List<String> paths = new ArrayList<>(FIRST_PLAYS);
            paths.add("audio.asf");
            List<ExternalTool.Result> results;
            try (LogCapture logs = LogCapture.begin()) {
                results = playAtOnce(rig, paths);
                for (int i = 0; i < FIRST_PLAYS.size(); i++) {
                    assertPlays(paths.get(i) + ", first play on a filling disk", fileFrames(paths.get(i)),
                            results.get(i));
                }
                assertPlays("audio.asf, the other session", audio, results.get(FIRST_PLAYS.size()));
                awaitNoFills(rig);

                // Once per episode of a disk refusing writes (an eviction once a player left may end
                // one, and the next full write start another), never once per packet.
                double episodes = rig.edgeCount("mmsedge.cache.disk.write.failures");
                long warned = logs.lines().stream().filter(l -> l.contains("cannot store packets")).count();
                assertTrue(episodes >= 1 && episodes <= 3, "counted per episode: " + episodes);
                assertEquals((long) episodes, warned, "logged once per episode: " + logs.lines());
                long ended = logs.lines().stream().filter(l -> l.contains("takes writes again")).count();
                assertTrue(ended == (long) episodes - 1 || ended == (long) episodes,
                        "an episode ends with a write that succeeds: " + logs.lines());
                assertNotNull(logs.await(0, "WARN", "No space left on device"), logs.lines().toString());
                assertTrue(rig.edgeCount("mmsedge.cache.uncached") > 0, "packets were relayed without storing");
                assertFalse(logs.lines().stream().anyMatch(l -> l.contains("cache fill of") && l.contains("failed")),
                        "no fill failed: " + logs.lines());
                assertEquals(0.0, rig.edgeCount("mmsedge.cache.discards"));
            }
            List<String> partial = new ArrayList<>();
            for (String p : FIRST_PLAYS) {
                CacheItem item = rig.item(p);
                if (item != null && !item.complete()) {
                    partial.add(p);
                    assertTrue(item.valid(), p + ": partial, still in the cache");
                }
            }
            assertFalse(partial.isEmpty(), "the disk was too small for all four: some items stay partial");

            // After a restart the cache holds exactly what verifies: partial stays partial.
            rig.restartEdge();
            for (String p : partial) {
                CacheItem item = rig.item(p);
                assertTrue(item == null || !item.complete(), p + " must not come back complete: " + item);
            }
            assertEquals(0.0, rig.edgeCount("mmsedge.cache.discards"), "nothing on disk was corrupt");

            // Room again: the partial items fill, then play from the cache alone.
            disk.freeBallast();
            for (String p : FIRST_PLAYS) {
                assertPlays(p + ", after the disk has room", fileFrames(p), Players.framemd5(rig.edgeUrl(p)));
                rig.awaitComplete(p, FILL);
            }
            double origin = rig.originMediaPackets();
            for (String p : FIRST_PLAYS) {
                assertPlays(p + ", from the cache", fileFrames(p), Players.framemd5(rig.edgeUrl(p)));
            }
            assertEquals(origin, rig.originMediaPackets(), "served from the cache with no origin data");
        }
    }

    /**
     * The cache directory read-only when the edge starts (as a kernel remounts a disk after
     * errors): the edge starts, serves its complete item from the disk, relays what it has not
     * cached, and stores nothing; logged once.
     */
    @Test
    void aReadOnlyCacheDiskServesWhatItHoldsAndRelaysTheRest() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 10, 10, "    size: 64m\n")) {
            List<String> av = fileFrames("av.asf");
            assertPlays("av.asf, first play", av, Players.framemd5(rig.edgeUrl("av.asf")));
            rig.awaitComplete("av.asf", FILL);
            rig.stopEdge();
            disk.readOnly(true);
            try (LogCapture logs = LogCapture.begin()) {
                rig.startEdgeAgain();
                double origin = rig.originMediaPackets();
                assertPlays("av.asf from a read-only cache", av, Players.framemd5(rig.edgeUrl("av.asf")));
                assertEquals(origin, rig.originMediaPackets(), "served from the disk, no origin data");
                List<String> mbr = fileFrames("mbr.asf");
                assertPlays("mbr.asf, not cached", mbr, Players.framemd5(rig.edgeUrl("mbr.asf")));
                assertPlays("mbr.asf, again", mbr, Players.framemd5(rig.edgeUrl("mbr.asf")));
                assertNull(rig.item("mbr.asf"), "nothing new is cached on a read-only disk");
                assertEquals(1.0, rig.edgeCount("mmsedge.cache.disk.write.failures"), "counted once");
                assertEquals(1, logs.lines().stream().filter(l -> l.contains("cannot store packets")).count(),
                        "logged once: " + logs.lines());
                assertNotNull(logs.await(0, "Read-only file system"), logs.lines().toString());
            } finally {
                rig.stopEdge();
                disk.readOnly(false);
            }
        }
    }
}
