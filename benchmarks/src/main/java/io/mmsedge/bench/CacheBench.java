package io.mmsedge.bench;

import static io.mmsedge.bench.BenchSupport.pct;
import static io.mmsedge.bench.BenchSupport.start;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache against the origin, measured in the same run, both unpaced on loopback:
 * <ol>
 *   <li>time to first media Data packet of a cache hit at the edge against the origin directly
 *       (sessions alternate, so machine noise hits both alike);</li>
 *   <li>aggregate throughput of N concurrent players playing av.asf over and over from the
 *       edge's cache against the same players on the origin directly (phases alternate).</li>
 * </ol>
 * Two edges: one whose hits run the freshness check with the origin on every open (Connect,
 * Funnel, OpenFile, ReadBlock, CloseFile), as it does by default, and one that trusts its copy
 * for an hour ({@code trustSeconds}), so its hits never ask the origin.
 *
 * <p>Usage: {@code CacheBench [sessions] [players] [seconds per phase] [nofill]} (defaults 1000,
 * 200, 10; {@code nofill} skips the last part, the fill times).
 */
public final class CacheBench {

    private CacheBench() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int players = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path media = Fixtures.mediaDir();
        Path cacheDir = Files.createTempDirectory("mms-edge-bench-cache");
        Path trustedDir = Files.createTempDirectory("mms-edge-bench-cache-trusted");
        String originYaml = BenchSupport.unpacedOrigin(media);
        try (EdgeApplication origin = start(originYaml, media)) {
            String cache = "  cache: {dir: \"%s\", size: 256m, memory: 64m, trustSeconds: %d}\n";
            int originPort = origin.mmsAddress().getPort();
            try (EdgeApplication edge = start(BenchSupport.unpacedEdge(originPort, cache.formatted(cacheDir, 0)), media);
                 EdgeApplication trustedEdge = start(BenchSupport.unpacedEdge(originPort,
                         cache.formatted(trustedDir, 3600)), media)) {
                InetSocketAddress direct = origin.mmsAddress();
                InetSocketAddress cached = edge.edgeAddress();
                InetSocketAddress trusted = trustedEdge.edgeAddress();
                // Fill the caches, then warm up the three paths.
                playToEnd(cached, "audio.asf");
                playToEnd(cached, "av.asf");
                playToEnd(trusted, "audio.asf");
                playToEnd(trusted, "av.asf");
                playToEnd(trusted, "av.asf");
                double originPackets = mediaPackets(origin);
                InetSocketAddress[] paths = {direct, cached, trusted};
                for (int i = 0; i < Math.min(200, sessions); i++) {
                    for (InetSocketAddress a : paths) {
                        FirstPacketLatency.firstPacketNanos(a);
                    }
                }
                // Sessions rotate through the three paths (d c t, c t d, t d c, ...), so machine
                // noise and any drift hit them alike.
                long[][] ttfp = new long[3][sessions];
                for (int i = 0; i < sessions; i++) {
                    for (int k = 0; k < 3; k++) {
                        int path = (i + k) % 3;
                        ttfp[path][i] = FirstPacketLatency.firstPacketNanos(paths[path]);
                    }
                }
                for (long[] v : ttfp) {
                    Arrays.sort(v);
                }
                long[] d = ttfp[0];
                long[] c = ttfp[1];
                long[] t = ttfp[2];
                System.out.printf(Locale.ROOT, "time to first data packet, %d sessions each (loopback, unpaced, "
                        + "rotating)%n", sessions);
                System.out.printf(Locale.ROOT, "%-24s %8s %8s %8s%n", "", "p50 ms", "p90 ms", "p99 ms");
                row("origin direct", d);
                row("cache hit, checked", c);
                row("cache hit, trusted", t);
                ratios("checked hit / direct", c, d);
                ratios("trusted hit / direct", t, d);

                double[] directRates = new double[2];
                double[] cacheRates = new double[2];
                double[] trustedRates = new double[2];
                // Round 0 runs direct, checked, trusted; round 1 the reverse.
                directRates[0] = throughput(direct, players, seconds);
                cacheRates[0] = throughput(cached, players, seconds);
                trustedRates[0] = throughput(trusted, players, seconds);
                trustedRates[1] = throughput(trusted, players, seconds);
                cacheRates[1] = throughput(cached, players, seconds);
                directRates[1] = throughput(direct, players, seconds);
                double dr = (directRates[0] + directRates[1]) / 2;
                double cr = (cacheRates[0] + cacheRates[1]) / 2;
                double tr = (trustedRates[0] + trustedRates[1]) / 2;
                System.out.printf(Locale.ROOT, "throughput, %d concurrent players playing av.asf over and over, "
                        + "2 x %d s per path:%n", players, seconds);
                System.out.printf(Locale.ROOT, "  origin direct                 %8.1f Mbit/s (%.1f, %.1f)%n", dr,
                        directRates[0], directRates[1]);
                System.out.printf(Locale.ROOT, "  edge cache, checked each open %8.1f Mbit/s (%.1f, %.1f)  %.2fx direct%n",
                        cr, cacheRates[0], cacheRates[1], cr / dr);
                System.out.printf(Locale.ROOT, "  edge cache, trust window      %8.1f Mbit/s (%.1f, %.1f)  %.2fx direct%n",
                        tr, trustedRates[0], trustedRates[1], tr / dr);
                System.out.printf(Locale.ROOT, "origin media packets for the cache fills: %.0f (audio.asf and av.asf "
                        + "once per edge); the edges' hits then cost the origin only freshness checks%n", originPackets);
            }
        } finally {
            BenchSupport.deleteTree(cacheDir);
            BenchSupport.deleteTree(trustedDir);
        }
        if (!(args.length > 3 && args[3].equals("nofill"))) {
            fillTimes(media);
        }
    }

    /**
     * How long a prestuff of av.asf (12 s) takes from an origin pacing in real time, at the
     * origin's own pace (fillSpeed 1) against accelerated fills (dwAccelBandwidth), same run.
     */
    private static void fillTimes(Path media) throws Exception {
        String realTimeOrigin = BenchSupport.unpacedOrigin(media).replace("pacingSpeed: 0", "pacingSpeed: 1");
        double[] speeds = {1, 4, 8};
        double[] took = new double[speeds.length];
        try (EdgeApplication origin = start(realTimeOrigin, media)) {
            for (int i = 0; i < speeds.length; i++) {
                Path dir = Files.createTempDirectory("mms-edge-bench-fill");
                String cache = "  cache: {dir: \"%s\", size: 64m, memory: 16m, fillSpeed: %s}\n".formatted(dir,
                        speeds[i]);
                try (EdgeApplication edge = start(BenchSupport.unpacedEdge(origin.mmsAddress().getPort(), cache),
                        media)) {
                    long t0 = System.nanoTime();
                    var p = edge.proxy().prestuff("av.asf").get(30, java.util.concurrent.TimeUnit.SECONDS);
                    if (p.item() == null) {
                        throw new IllegalStateException("prestuff failed: " + p.error());
                    }
                    while (!p.item().complete()) {
                        if (System.nanoTime() - t0 > 60_000_000_000L) {
                            throw new IllegalStateException("fill did not complete: " + p.item().coverage());
                        }
                        Thread.sleep(5);
                    }
                    took[i] = (System.nanoTime() - t0) / 1e9;
                } finally {
                    BenchSupport.deleteTree(dir);
                }
            }
        }
        System.out.printf(Locale.ROOT, "prestuff of av.asf (12.1 s) from an origin pacing in real time:%n");
        for (int i = 0; i < speeds.length; i++) {
            System.out.printf(Locale.ROOT, "  fillSpeed %-4s %6.2f s  %.2fx the origin's own pace%n",
                    speeds[i] == 1 ? "1" : String.valueOf((int) speeds[i]), took[i], took[i] / took[0]);
        }
    }

    /** Aggregate Mbit/s of {@code players} clients each playing av.asf over and over for {@code seconds}. */
    private static double throughput(InetSocketAddress server, int players, int seconds) throws Exception {
        AtomicLong bytes = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(players);
        try {
            List<Future<?>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < players; i++) {
                fs.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        bytes.addAndGet(playToEnd(server, "av.asf"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            return bytes.get() * 8 / elapsed / 1e6;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One full play; returns the media payload bytes received. */
    static long playToEnd(InetSocketAddress server, String path) throws Exception {
        try (MmsTestClient c = MmsTestClient.connect(server, Duration.ofSeconds(30))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            if (c.open(path).hr() != 0) {
                throw new IllegalStateException("open " + path + " failed at " + server);
            }
            c.readHeader(2);
            c.selectStreams(path.equals("av.asf") ? new int[] {1, 2} : new int[] {1});
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, Integer.MAX_VALUE);
            if (r.lastEndOfStream().hr() != 0) {
                throw new IllegalStateException("EndOfStream hr=" + r.lastEndOfStream().hr());
            }
            return r.packets.stream().mapToLong(d -> d.payload().length).sum();
        }
    }

    private static double mediaPackets(EdgeApplication app) {
        var c = app.registry().find("mmsedge.data.packets.sent").tag("kind", "media").counter();
        return c == null ? 0 : c.count();
    }


    private static void row(String name, long[] v) {
        System.out.printf(Locale.ROOT, "%-24s %8.2f %8.2f %8.2f%n", name, pct(v, 50) / 1e6, pct(v, 90) / 1e6,
                pct(v, 99) / 1e6);
    }

    private static void ratios(String name, long[] v, long[] base) {
        System.out.printf(Locale.ROOT, "%-24s p50 %.2fx, p90 %.2fx, p99 %.2fx%n", name,
                (double) pct(v, 50) / pct(base, 50), (double) pct(v, 90) / pct(base, 90),
                (double) pct(v, 99) / pct(base, 99));
    }

}
