package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge's on-demand cache over real TCP, against our real origin, with the project's test
 * client as the player: one transfer from the origin however many players, seeking in and
 * beyond what is cached, restarts, corruption, quota, stale serving, protected content,
 * prestuffing. Every check of origin traffic reads the origin's own counters.
 */
class EdgeCacheTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    /** The file's packets as the origin sends them: padding stripped (§2.2.2). */
    static List<byte[]> packetsOf(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (AsfFile f = AsfFile.open(file)) {
            for (long n = 0; n < f.packetCount(); n++) {
                ByteBuf raw = f.readPacket(n, ByteBufAllocator.DEFAULT);
                try {
                    ByteBuf s = AsfPackets.stripPadding(raw, f.packetSize(), ByteBufAllocator.DEFAULT);
                    out.add(ByteBufUtil.getBytes(s));
                    s.release();
                } finally {
                    raw.release();
                }
            }
        }
        return out;
    }

    /** Reads {@code n} Data packets (answering pings, passing other commands over). */
    static void skipData(MmsTestClient c, int n) throws IOException {
        for (int got = 0; got < n; ) {
            if (c.nextAnsweringPings() instanceof Received.Data) {
                got++;
            }
        }
    }

    static MmsTestClient player(CacheRig rig, String path) throws IOException {
        return session(rig.edgeAddress(), rig, path);
    }

    /** A session at {@code server} with {@code path} open, its header read and every stream selected. */
    static MmsTestClient session(java.net.InetSocketAddress server, CacheRig rig, String path) throws IOException {
        MmsTestClient c = MmsTestClient.connect(server, TIMEOUT);
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        ReportOpenFile of = c.open(path);
        assertEquals(0, of.hr(), "open " + path);
        c.readHeader(2);
        // Like every real player, select the streams (§2.2.4.28): all of them.
        try (AsfFile f = AsfFile.open(rig.media.resolve(path))) {
            c.selectStreams(f.header().streams().stream().mapToInt(io.mmsedge.protocol.asf.AsfStream::number).toArray());
        }
        return c;
    }

    /** Plays {@code path} through the edge from {@code locationId} to the end; checks every packet against the file. */
    static MmsTestClient.PlayResult playFrom(CacheRig rig, String path, long locationId, int pi) throws IOException {
        List<byte[]> want = packetsOf(rig.media.resolve(path));
        try (MmsTestClient c = player(rig, path)) {
            c.startPlayingAt(new StartPlaying(1, 0, Double.MAX_VALUE, 0xFFFFFFFF,
                    locationId == 0 ? 0xFFFFFFFF : (int) locationId, 0, pi, -1, -1, -1));
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertEquals(0, r.lastEndOfStream().hr(), "end of stream");
            assertEquals(want.size() - locationId, r.packets.size(), "packets from " + locationId + " to the end");
            for (Received.Data d : r.packets) {
                assertArrayEquals(want.get((int) d.locationId()), d.payload(), "packet " + d.locationId());
                assertEquals(pi, d.playIncarnation());
            }
            return r;
        }
    }

    /** Up to {@code max} Data packets (to the end when fewer) of a play request at {@code server}. */
    static List<Received.Data> packets(java.net.InetSocketAddress server, CacheRig rig, String path,
                                       StartPlaying request, int max) throws IOException {
        try (MmsTestClient c = session(server, rig, path)) {
            assertEquals(0, c.startPlayingAt(request).hr());
            List<Received.Data> out = new ArrayList<>();
            while (out.size() < max) {
                Received r = c.nextAnsweringPings();
                if (r instanceof Received.Data d) {
                    out.add(d);
                } else if (((Received.Command) r).message() instanceof io.mmsedge.protocol.mms.message.ReportEndOfStream e) {
                    assertEquals(0, e.hr());
                    break;
                }
            }
            return out;
        }
    }

    static StartPlaying seekTo(double seconds) {
        return new StartPlaying(1, 0, seconds, 0xFFFFFFFF, 0xFFFFFFFF, 0, 5, -1, -1, -1);
    }

    /** The origin's media packet counter once it has not moved for 300 ms. */
    static double settledOriginPackets(CacheRig rig) throws InterruptedException {
        double last = rig.originMediaPackets();
        for (int still = 0; still < 15; ) {
            Thread.sleep(20);
            double now = rig.originMediaPackets();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return last;
    }

    static long sendTime(byte[] packet, int packetSize) {
        return io.mmsedge.protocol.asf.AsfPacket.parse(io.netty.buffer.Unpooled.wrappedBuffer(packet), packetSize)
                .sendTimeMs();
    }

    static void assertSamePackets(List<Received.Data> want, List<Received.Data> got, String what) {
        assertEquals(want.size(), got.size(), what + ": packet count");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).locationId(), got.get(i).locationId(), what + ": LocationId of packet " + i);
            assertArrayEquals(want.get(i).payload(), got.get(i).payload(), what + ": packet " + want.get(i).locationId());
        }
    }

    @Test
    void twentyConcurrentFirstPlaysCostTheOriginOneTransfer() throws Exception {
        // The origin paces at 4x: the fill takes ~3 s, so all twenty follow it while it runs.
        try (CacheRig rig = new CacheRig(tmp, 4, 0, "    size: 16m\n")) {
            int packets = packetsOf(rig.media.resolve("av.asf")).size();
            ExecutorService pool = Executors.newFixedThreadPool(20);
            try {
                List<Future<MmsTestClient.PlayResult>> plays = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    plays.add(pool.submit(() -> playFrom(rig, "av.asf", 0, 7)));
                }
                for (Future<MmsTestClient.PlayResult> f : plays) {
                    f.get(); // every player got every packet, byte for byte
                }
            } finally {
                pool.shutdownNow();
            }
            CacheItem item = rig.awaitComplete("av.asf", TIMEOUT);
            assertEquals(1, rig.edge().cache().fillsStarted(item), "one upstream fill for twenty players");
            assertEquals(packets, rig.originMediaPackets(), "the origin sent the file exactly once");
            assertEquals(20, rig.originSessionsOpened(),
                    "each player's open was checked with the origin, and one of those sessions did the fill");
            assertEquals(19, rig.edgeCounter("mmsedge.cache.revalidations", "result", "same"),
                    "the nineteen later players found the first one's item, unchanged");
        }
    }

    @Test
    void seeksAreServedFromTheCacheAndASeekBeyondItFillsTheRest() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 2, 0, "    size: 16m\n")) {
            List<byte[]> want = packetsOf(rig.media.resolve("av.asf"));
            // A partial item: a player watches the start, then the edge stops mid-fill.
            try (MmsTestClient c = player(rig, "av.asf")) {
                c.startPlaying(0, 3);
                skipData(c, 30);
            }
            rig.restartEdge();
            CacheItem partial = rig.item("av.asf");
            assertNotNull(partial, "the partial item survived the restart");
            long stored = partial.coveredUntil(0);
            assertTrue(stored >= 30 && stored < want.size(), "a prefix is stored: " + partial.coverage());
            assertEquals(1, partial.coverage().size(), "one range from the start");

            // The origin answering the same requests directly is the oracle: after a seek the
            // session drops video until the next key frame (§3.2.5.10), the edge must do the same.
            long seekTo = stored / 2;
            // A stop point (frameOffset, absolute ms) inside the stored range keeps the request there.
            int stopMs = (int) sendTime(want.get((int) stored - 2), 3200);
            StartPlaying within = new StartPlaying(1, 0, Double.MAX_VALUE, 0xFFFFFFFF, (int) seekTo, stopMs, 9, -1, -1,
                    -1);
            StartPlaying beyond = new StartPlaying(1, 0, 10.0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 11, -1, -1, -1);
            List<Received.Data> withinDirect = packets(rig.origin().mmsAddress(), rig, "av.asf", within, 100_000);
            assertTrue(withinDirect.size() > 5 && withinDirect.get(withinDirect.size() - 1).locationId() < stored,
                    "the reference request stays within the stored range");
            List<Received.Data> beyondDirect = packets(rig.origin().mmsAddress(), rig, "av.asf", beyond, 100_000);

            // Within the cached range: served from the cache, no origin data.
            double before = rig.originMediaPackets();
            assertSamePackets(withinDirect, packets(rig.edgeAddress(), rig, "av.asf", within, 100_000), "seek within");
            assertEquals(before, rig.originMediaPackets(), "a seek within the cache needs no origin data");

            // Beyond it: a time seek near the end starts a fill there; it then fills the gap too.
            List<Received.Data> beyondEdge = packets(rig.edgeAddress(), rig, "av.asf", beyond, 100_000);
            long first = beyondEdge.get(0).locationId();
            assertTrue(first > stored, "the seek went beyond the cached range: first packet " + first
                    + ", cached up to " + stored);
            assertSamePackets(beyondDirect, beyondEdge, "seek beyond");
            assertTrue(rig.originMediaPackets() > before, "the seek beyond the cache was filled from the origin");
            CacheItem item = rig.awaitComplete("av.asf", TIMEOUT);
            assertEquals(want.size(), item.coveredPackets());

            // Now complete: a full play costs the origin nothing.
            double complete = rig.originMediaPackets();
            playFrom(rig, "av.asf", 0, 13);
            assertEquals(complete, rig.originMediaPackets(), "a full play of a complete item needs no origin data");
        }
    }

    @Test
    void timeSeeksInACompleteItemStartWhereTheOriginWould() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n")) {
            for (String path : List.of("av.asf", "indexed.asf", "mbr.asf")) {
                playFrom(rig, path, 0, 3);
                rig.awaitComplete(path, TIMEOUT);
                double[] times = {0.0, 2.5, 5.0, 7.3};
                List<List<Received.Data>> direct = new ArrayList<>();
                for (double at : times) {
                    direct.add(packets(rig.origin().mmsAddress(), rig, path, seekTo(at), 20));
                }
                // A direct session sends on for a moment after its player hangs up.
                double before = settledOriginPackets(rig);
                for (int i = 0; i < times.length; i++) {
                    assertSamePackets(direct.get(i), packets(rig.edgeAddress(), rig, path, seekTo(times[i]), 20),
                            path + " seek to " + times[i] + " s");
                }
                assertEquals(before, settledOriginPackets(rig), path + ": the seeks were served from the cache");
            }
        }
    }

    @Test
    void aRestartedEdgeReusesItsDiskCacheAndDiscardsATruncatedItem() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n")) {
            int packets = packetsOf(rig.media.resolve("mbr.asf")).size();
            playFrom(rig, "mbr.asf", 0, 3);
            rig.awaitComplete("mbr.asf", TIMEOUT);
            assertEquals(packets, rig.originMediaPackets());

            rig.restartEdge();
            assertTrue(rig.item("mbr.asf").complete(), "re-indexed as complete");
            playFrom(rig, "mbr.asf", 0, 4);
            assertEquals(packets, rig.originMediaPackets(), "after a restart the disk cache serves with no origin data");

            // Truncate the item's data file while the edge is down.
            rig.stopEdge();
            Path data;
            try (var files = Files.walk(rig.cacheDir)) {
                data = files.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length()))
                        .orElseThrow();
            }
            try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
            try (LogCapture logs = LogCapture.begin()) {
                rig.startEdgeAgain();
                assertNull(rig.item("mbr.asf"), "the truncated item is not in the cache");
                assertNotNull(logs.await(5000, "mbr.asf"), "the discard is logged with the item's URL");
            }
            assertEquals(1.0, rig.edgeCount("mmsedge.cache.discards"), "the discard is counted");
            playFrom(rig, "mbr.asf", 0, 5);
            rig.awaitComplete("mbr.asf", TIMEOUT);
            assertEquals(2L * packets, rig.originMediaPackets(), "the discarded item was fetched again, once");
        }
    }

    @Test
    void diskUsageStaysWithinTheQuotaUnderChurn() throws Exception {
        // Quota ~3.3 items of av.asf; fill with 10 different files (3x the quota).
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 1200k\n    memory: 256k\n")) {
            long quota = rig.edge().cache().store().settings().diskQuotaBytes();
            long memory = rig.edge().cache().store().settings().memoryBytes();
            for (int i = 0; i < 10; i++) {
                Files.copy(rig.media.resolve("av.asf"), rig.media.resolve("copy" + i + ".asf"));
            }
            for (int i = 0; i < 10; i++) {
                playFrom(rig, "copy" + i + ".asf", 0, 3);
                rig.awaitComplete("copy" + i + ".asf", TIMEOUT);
                long disk = rig.edge().cache().store().diskBytes();
                assertTrue(disk <= quota, "disk " + disk + " within the quota " + quota + " after item " + i);
                assertTrue(rig.edge().cache().store().memoryBytes() <= memory, "memory tier within its bound");
                // Replaying the newest item from the cache keeps its packets hot and correct.
                playFrom(rig, "copy" + i + ".asf", 0, 4);
                assertTrue(rig.edge().cache().store().memoryBytes() <= memory, "memory tier within its bound");
            }
            assertTrue(rig.edgeCount("mmsedge.cache.evictions") >= 6, "old items were evicted");
            assertNull(rig.item("copy0.asf"), "the least recently used item went first");
            assertNotNull(rig.item("copy9.asf"), "the newest item stays");
            long onDisk;
            try (var files = Files.walk(rig.cacheDir)) {
                onDisk = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertTrue(onDisk <= quota + 64 * 1024, "files on disk (" + onDisk + ") match the quota " + quota);
        }
    }

    @Test
    void aCompleteItemIsServedStaleWhenTheOriginIsDown() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n")) {
            playFrom(rig, "audio.asf", 0, 3);
            rig.awaitComplete("audio.asf", TIMEOUT);
            rig.stopOrigin();
            try (LogCapture logs = LogCapture.begin()) {
                playFrom(rig, "audio.asf", 0, 4);
                assertNotNull(logs.await(5000, "origin unreachable", "audio.asf"), "served stale with a warning");
            }
            assertEquals(1, rig.edgeCounter("mmsedge.cache.requests", "result", "stale"));
            // Content never cached still fails cleanly, within the connect timeout.
            try (MmsTestClient c = MmsTestClient.connect(rig.edgeAddress(), TIMEOUT)) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                assertTrue(io.mmsedge.protocol.mms.Hresults.failed(c.open("av.asf").hr()), "an error hr, not a hang");
            }
        }
    }

    @Test
    void anOriginDyingMidFillEndsThePlayerWithAnErrorAndKeepsWhatWasStored() throws Exception {
        // Real-time pacing at the origin: the fill is still running when the origin goes.
        try (CacheRig rig = new CacheRig(tmp, 1, 0, "    size: 16m\n")) {
            try (MmsTestClient c = player(rig, "av.asf")) {
                c.startPlaying(0, 3);
                skipData(c, 10);
                rig.stopOrigin();
                MmsTestClient.PlayResult rest = c.readUntilEnd(false, 100_000);
                assertTrue(io.mmsedge.protocol.mms.Hresults.failed(rest.lastEndOfStream().hr()),
                        "EndOfStream with an error hr, not a hang: hr=" + rest.lastEndOfStream().hr());
            }
            CacheItem item = rig.item("av.asf");
            assertNotNull(item, "what was stored stays cached");
            assertTrue(item.coveredPackets() >= 10 && !item.complete(), "a partial item: " + item.coverage());
        }
    }

    @Test
    void aPlayersLogOnACacheHitReachesTheOriginAndCostsItNoData() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n    trustSeconds: 3600\n")) {
            playFrom(rig, "audio.asf", 0, 3);
            rig.awaitComplete("audio.asf", TIMEOUT);
            double data = rig.originMediaPackets();
            double sessions = rig.originSessionsOpened();
            // Within the trust window: the hit holds no upstream session, so the log needs one of its own.
            try (LogCapture logs = LogCapture.begin(); MmsTestClient c = player(rig, "audio.asf")) {
                c.startPlaying(0, 4);
                assertEquals(0, c.readUntilEnd(false, 100_000).lastEndOfStream().hr());
                assertEquals(sessions, rig.originSessionsOpened(), "served from the cache without the origin");
                c.send(EdgeProxyTest.playersLog("{pid-hit}"));
                int playerPort = c.localPort();
                String atOrigin = logs.await(5000, l -> l.contains("event=client-log") && l.contains("{pid-hit}")
                        && !l.contains("peer=/127.0.0.1:" + playerPort + " "));
                assertNotNull(atOrigin, "the origin logged the play the cache served: " + logs.lines());
                assertTrue(atOrigin.contains("path=audio.asf"), atOrigin);
            }
            assertEquals(sessions + 1, rig.originSessionsOpened(), "one short session carried the log");
            assertEquals(data, rig.originMediaPackets(), "and no data");
        }
    }

    @Test
    void aFillAsksTheOriginForMoreThanRealTime() throws Exception {
        // The origin paces in real time and av.asf lasts 12 s. Asked for 8 times its bit rate
        // (dwAccelBandwidth, §2.2.4.25), the origin sends the whole file in about 1.5 s; at its
        // own pace the fill would take the full 12 s.
        try (CacheRig rig = new CacheRig(tmp, 1, 0, "    size: 16m\n    fillSpeed: 8\n")) {
            long t0 = System.nanoTime();
            var started = rig.edge().proxy().prestuff("av.asf").get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(started.started(), "prestuff started: " + started);
            rig.awaitComplete("av.asf", TIMEOUT);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 6, "the fill took " + seconds + " s of a 12 s file");
            assertEquals(packetsOf(rig.media.resolve("av.asf")).size(), rig.originMediaPackets(), "fetched once");
            playFrom(rig, "av.asf", 0, 3);
        }
    }

    @Test
    void withinTheTrustWindowTheOriginIsNotAsked() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n    trustSeconds: 3600\n")) {
            playFrom(rig, "audio.asf", 0, 3);
            rig.awaitComplete("audio.asf", TIMEOUT);
            double sessions = rig.originSessionsOpened();
            playFrom(rig, "audio.asf", 0, 4);
            assertEquals(sessions, rig.originSessionsOpened(), "no freshness check within the trust window");
        }
    }

    @Test
    void prestuffFillsTheCacheAheadOfDemand() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n")) {
            var status = rig.edge().statusAddress();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            Path tokenFile = Files.writeString(tmp.resolve("admin-token"), CacheRig.ADMIN_TOKEN + "\n");
            int code = Main.run(new String[] {"prestuff", "--status", "127.0.0.1:" + status.getPort(),
                "--admin-token-file", tokenFile.toString(), "indexed.asf"},
                    new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
            assertEquals(0, code, "prestuff: " + out + err);
            assertTrue(out.toString().contains("complete"), "progress reported until complete: " + out);
            int packets = packetsOf(rig.media.resolve("indexed.asf")).size();
            assertEquals(packets, rig.originMediaPackets(), "prestuffing fetched the file once");
            playFrom(rig, "indexed.asf", 0, 3);
            assertEquals(packets, rig.originMediaPackets(), "the prestuffed item plays with no origin data");

            var http = java.net.http.HttpClient.newHttpClient();
            String listing = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + status.getPort() + "/cache")).header("Authorization", "Bearer " + CacheRig.ADMIN_TOKEN).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(listing);
            assertEquals(1, json.path("items").size(), listing);
            assertTrue(json.path("items").get(0).path("complete").asBoolean(), listing);
            assertEquals(packets, json.path("items").get(0).path("packetsStored").asLong(), listing);

            // A path no rule can fetch fails with a reason.
            code = Main.run(new String[] {"prestuff", "--status", "127.0.0.1:" + status.getPort(),
                "--admin-token-file", tokenFile.toString(), "missing.asf"},
                    new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
            assertEquals(1, code);
            assertTrue(err.toString().contains("failed"), err.toString());
        }
    }
}
