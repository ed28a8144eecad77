package io.mmsedge.distribution.faults.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.faults.FaultRig;
import io.mmsedge.distribution.faults.OriginProcess;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The origin in trouble (issue #17, fault-injection suite), as a real process: killed with -9
 * mid-fill, mid-relay and mid-split, and frozen (SIGSTOP) then resumed. Each case checks what
 * the player got (a clean prefix of the file's frames, or all of them), what the edge logged,
 * what its cache holds afterwards, and that a player of another origin through the same edge
 * got exactly the file's frames meanwhile.
 */
class OriginKilledTest {

    /**
     * The player of the troubled origin: over MMSH, because FFmpeg over MMS/TCP does not exit at
     * an EndOfStream with an error (docs/players.md), where the end of an MMSH response ends it.
     */
    private static final String VICTIM = "mmsh://127.0.0.1:%d/t/av.asf";

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        Players.require("ffmpeg");
    }

    /** The origin process: the fixtures at real-time pace, and av.asf looped as the broadcast /live. */
    private OriginProcess troubled() throws Exception {
        return OriginProcess.start(tmp, 1, """
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(Fixtures.mediaDir(), Fixtures.media("av.asf")));
    }

    /** A healthy origin in this JVM for the other sessions. */
    private static EdgeApplication healthy() throws Exception {
        return FaultRig.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir()));
    }

    /** An edge: /t/... from the troubled origin, the rest from the healthy one; a cache when {@code cache}. */
    private EdgeApplication edge(OriginProcess t, EdgeApplication h, boolean cache) throws Exception {
        return edge(t, h, cache, 1);
    }

    /** As above, players paced at {@code pacing} times real time. */
    private EdgeApplication edge(OriginProcess t, EdgeApplication h, boolean cache, double pacing) throws Exception {
        return FaultRig.start("""
                server: {pacingSpeed: %s}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  connectTimeoutSeconds: 5
                  stallTimeoutSeconds: 3
                  split: {lingerSeconds: 1, graceSeconds: 2}
                  reverse:
                    - {prefix: "t", origins: ["mms://127.0.0.1:%d"]}
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(pacing, t.port(), h.mmsAddress().getPort()) + (!cache ? "" : """
                  cache: {dir: "%s", size: 64m, fillSpeed: 1}
                """.formatted(tmp.resolve("cache"))));
    }

    private static CompletableFuture<ExternalTool.Result> play(String url) {
        return Players.inBackground(() -> Players.framemd5(url));
    }

    private static List<String> fileFrames() throws Exception {
        ExternalTool.Result r = Players.framemd5(Fixtures.media("av.asf").toString());
        assertEquals(0, r.exitCode(), r.describe());
        return Players.frameLines(r.stdoutText());
    }

    /** The frames a player got are the file's first ones, none changed, and fewer than all. */
    private static void assertCleanPrefix(List<String> want, ExternalTool.Result got, String what) {
        List<String> have = Players.frameLines(got.stdoutText());
        assertTrue(have.size() < want.size(), what + ": not the whole file, got " + have.size());
        assertTrue(have.size() > 0, what + ": some frames before the kill");
        for (int i = 0; i < have.size(); i++) {
            assertEquals(want.get(i), have.get(i), what + ": frame " + i);
        }
    }

    private static void assertHealthy(List<String> want, CompletableFuture<ExternalTool.Result> other) throws Exception {
        ExternalTool.Result r = other.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(want, Players.frameLines(r.stdoutText()), "the other session's frames are the file's");
    }

    /**
     * What each case of the troubled origin runs in: the troubled origin, a healthy one, an edge
     * before both (a cache when asked), a log capture, the victim player of the troubled origin
     * and another player of the healthy one, both started.
     */
    private record Scene(OriginProcess troubled, EdgeApplication healthy, EdgeApplication edge, LogCapture log,
                         CompletableFuture<ExternalTool.Result> victim, CompletableFuture<ExternalTool.Result> other) {

        void awaitUpstreamOpen() throws InterruptedException {
            assertNotNull(log.await(20_000, "upstream open to 127.0.0.1:" + troubled.port()), log.lines().toString());
        }

        /** The edge logs a warning naming the troubled origin. */
        void assertOriginNamed(String what) throws InterruptedException {
            assertNotNull(log.await(5000, l -> l.contains("127.0.0.1:" + troubled.port()) && l.contains("WARN")),
                    what + log.lines());
        }

        /** The victim's result, and how long after {@code since} (System.nanoTime()) it ended. */
        Ended victimEnd(long since) throws Exception {
            ExternalTool.Result r = victim.get(60, TimeUnit.SECONDS);
            return new Ended(r, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
        }
    }

    /** A player's result and the milliseconds from the fault to its end. */
    private record Ended(ExternalTool.Result result, long ms) {
    }

    private interface SceneBody {
        void run(Scene scene) throws Exception;
    }

    /** Runs {@code body} in a {@link Scene} whose victim plays {@code victimUrl} (%d: the edge's port). */
    private void inScene(boolean cache, String victimUrl, SceneBody body) throws Exception {
        try (OriginProcess t = troubled(); EdgeApplication h = healthy(); EdgeApplication edge = edge(t, h, cache);
             LogCapture log = LogCapture.begin()) {
            int port = edge.edgeAddress().getPort();
            CompletableFuture<ExternalTool.Result> victim = play(victimUrl.formatted(port));
            CompletableFuture<ExternalTool.Result> other = play("mmst://127.0.0.1:" + port + "/av.asf");
            body.run(new Scene(t, h, edge, log, victim, other));
        }
    }

    @Test
    void killedMidRelayThePlayerGetsACleanPrefixAndOthersPlayOn() throws Exception {
        List<String> want = fileFrames();
        inScene(false, VICTIM, s -> {
            s.awaitUpstreamOpen();
            Thread.sleep(4000); // a third of the 12 s file
            s.troubled().kill9();
            Ended end = s.victimEnd(System.nanoTime());
            ExternalTool.Result r = end.result();
            long ms = end.ms();
            System.out.println("relay: the player ended " + ms + " ms after kill -9; " + r.describe());
            assertCleanPrefix(want, r, "the relayed player");
            assertTrue(ms < 15_000, "the player's session ended " + ms + " ms after the kill");
            s.assertOriginNamed("the edge names the lost origin: ");
            assertHealthy(want, s.other());
        });
    }

    @Test
    void killedMidFillThePlayerGetsACleanPrefixAndTheItemStaysIncomplete() throws Exception {
        List<String> want = fileFrames();
        inScene(true, VICTIM, s -> {
            String suffix = ":" + s.troubled().port() + "/av.asf";
            CacheItem item = awaitItem(s.edge(), suffix, i -> i.coveredPackets() * 4 >= i.packetCount(),
                    () -> "the fill did not get a quarter of " + suffix + " within 20 s");
            s.troubled().kill9();
            ExternalTool.Result r = s.victim().get(60, TimeUnit.SECONDS);
            System.out.println("fill: " + r.describe());
            assertCleanPrefix(want, r, "the filling player");
            s.assertOriginNamed("the edge names the lost origin: ");
            assertTrue(!item.complete(), "the item is not complete: " + item);
            assertTrue(item.coveredPackets() < item.packetCount(), "only what arrived is covered: " + item);
            assertHealthy(want, s.other());
            // The healthy origin's item is complete and whole.
            CacheItem good = awaitItem(s.edge(), "127.0.0.1:" + s.healthy().mmsAddress().getPort() + "/av.asf");
            awaitComplete(good);
            assertTrue(good.complete(), "the other item completed: " + good);
        });
    }

    @Test
    void killedMidSplitThePlayersEndWithinTheGraceAndOthersPlayOn() throws Exception {
        List<String> want = fileFrames();
        inScene(false, "mmsh://127.0.0.1:%d/t/live", s -> {
            assertNotNull(s.log().await(20_000, "split 127.0.0.1:" + s.troubled().port() + "/live: started"),
                    s.log().lines().toString());
            Thread.sleep(3000);
            s.troubled().kill9();
            Ended end = s.victimEnd(System.nanoTime());
            ExternalTool.Result r = end.result();
            long ms = end.ms();
            System.out.println("split: the player ended " + ms + " ms after kill -9; " + r.describe());
            assertTrue(Players.frameLines(r.stdoutText()).size() > 0, "the live player had frames: " + r.describe());
            // The split's grace (2 s) for an origin to come back, and the player's own buffer.
            assertTrue(ms < 15_000, "the live player's session ended " + ms + " ms after the kill");
            s.assertOriginNamed("the edge names the lost origin: ");
            assertHealthy(want, s.other());
        });
    }

    @Test
    void frozenBrieflyAndResumedThePlayerGetsTheWholeFile() throws Exception {
        List<String> want = fileFrames();
        inScene(false, VICTIM, s -> {
            s.awaitUpstreamOpen();
            Thread.sleep(3000);
            s.troubled().freeze();
            Thread.sleep(1500); // under the edge's 3 s stall timeout: a hiccup, not a loss
            s.troubled().resume();
            ExternalTool.Result r = s.victim().get(60, TimeUnit.SECONDS);
            assertEquals(0, r.exitCode(), r.describe());
            assertEquals(want, Players.frameLines(r.stdoutText()), "the whole file, unchanged, across the freeze");
            assertHealthy(want, s.other());
        });
    }

    @Test
    void frozenForLongerThanTheStallTimeoutEndsThePlayerCleanly() throws Exception {
        List<String> want = fileFrames();
        inScene(false, VICTIM, s -> {
            s.awaitUpstreamOpen();
            Thread.sleep(3000);
            s.troubled().freeze();
            Ended end = s.victimEnd(System.nanoTime());
            ExternalTool.Result r = end.result();
            long ms = end.ms();
            s.troubled().resume();
            System.out.println("frozen: the player ended " + ms + " ms after SIGSTOP; " + r.describe());
            assertCleanPrefix(want, r, "the player of the frozen origin");
            assertTrue(ms < 20_000, "ended " + ms + " ms after the freeze");
            s.assertOriginNamed("the edge names the stalled origin: ");
            assertHealthy(want, s.other());
        });
    }

    @Test
    void restartedWithOtherContentUnderTheSameNameTheNextPlayerGetsTheNewContent() throws Exception {
        java.nio.file.Path before = java.nio.file.Files.createDirectories(tmp.resolve("before"));
        java.nio.file.Path after = java.nio.file.Files.createDirectories(tmp.resolve("after"));
        java.nio.file.Files.copy(Fixtures.media("av.asf"), before.resolve("clip.asf"));
        java.nio.file.Files.copy(Fixtures.media("audio.asf"), after.resolve("clip.asf"));
        String points = """
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """;
        OriginProcess first = OriginProcess.start(tmp, 4, points.formatted(before));
        int originPort = first.port();
        try (EdgeApplication h = healthy(); EdgeApplication edge = edge(first, h, true, 4);
             LogCapture log = LogCapture.begin()) {
            String url = "mmst://127.0.0.1:" + edge.edgeAddress().getPort() + "/t/clip.asf";
            ExternalTool.Result old = Players.framemd5(url);
            assertEquals(0, old.exitCode(), old.describe());
            assertEquals(fileFrames(), Players.frameLines(old.stdoutText()), "clip.asf as it was");
            CacheItem item = awaitItem(edge, ":" + originPort + "/clip.asf");
            awaitComplete(item);
            assertTrue(item.complete(), "the first content was cached: " + item);

            first.kill9();
            try (OriginProcess second = OriginProcess.start(tmp, originPort, 4, points.formatted(after))) {
                ExternalTool.Result now = Players.framemd5(url);
                assertEquals(0, now.exitCode(), now.describe());
                ExternalTool.Result want = Players.framemd5(Fixtures.media("audio.asf").toString());
                assertEquals(Players.frameLines(want.stdoutText()), Players.frameLines(now.stdoutText()),
                        "the restarted origin's content, not the cached one");
                var changed = edge.registry().find("mmsedge.cache.revalidations").tag("result", "changed").counter();
                assertTrue(changed != null && changed.count() >= 1, "the freshness check found the change");
                CacheItem fresh = awaitItem(edge, ":" + originPort + "/clip.asf");
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!(fresh.complete() && fresh != item) && System.nanoTime() < end) {
                    Thread.sleep(50);
                    fresh = awaitItem(edge, ":" + originPort + "/clip.asf");
                }
                try (io.mmsedge.protocol.asf.AsfFile audio = io.mmsedge.protocol.asf.AsfFile.open(
                        Fixtures.media("audio.asf"))) {
                    assertEquals(audio.packetCount(), fresh.packetCount(), "the cache holds the new content: " + fresh);
                }
            }
        } finally {
            first.close();
        }
    }

    private static CacheItem awaitItem(EdgeApplication edge, String suffix) throws InterruptedException {
        return awaitItem(edge, suffix, i -> true, () -> "no item " + suffix + " in " + edge.cache().store().items());
    }

    /** The cache item whose URL ends with {@code suffix}, once {@code ready}; within 20 s, else fails. */
    private static CacheItem awaitItem(EdgeApplication edge, String suffix, Predicate<CacheItem> ready,
                                       Supplier<String> failure) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            CacheItem i = edge.cache().store().items().stream().filter(x -> x.url().endsWith(suffix))
                    .findFirst().orElse(null);
            if (i != null && ready.test(i)) {
                return i;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(failure.get());
    }

    /** Waits up to 20 s for {@code item} to complete (the caller asserts it did). */
    private static void awaitComplete(CacheItem item) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!item.complete() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }
}
