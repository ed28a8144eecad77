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
import java.util.Set;
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
 * Three edges: one whose hits run the freshness check with the origin on every open (Connect,
 * Funnel, OpenFile, ReadBlock, CloseFile) before answering the player, as it does by default;
 * one that runs the same check beside the player's commands ({@code overlapCheck}); and one
 * that trusts its copy for an hour ({@code trustSeconds}), so its hits never ask the origin.
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
        List<Path> dirs = new ArrayList<>();
        List<EdgeApplication> edges = new ArrayList<>();
        String originYaml = BenchSupport.unpacedOrigin(media);
        try (EdgeApplication origin = start(originYaml, media)) {
            int originPort = origin.mmsAddress().getPort();
            List<String> names = new ArrayList<>(List.of("origin direct"));
            List<InetSocketAddress> paths = new ArrayList<>(List.of(origin.mmsAddress()));
            String[][] kinds = {
                {"cache hit, checked", "trustSeconds: 0"},
                {"cache hit, overlapped", "trustSeconds: 0, overlapCheck: true"},
                {"cache hit, trusted", "trustSeconds: 3600"},
            };
            for (String[] kind : kinds) {
                Path dir = Files.createTempDirectory("mms-edge-bench-cache");
                dirs.add(dir);
                String cache = "  cache: {dir: \"%s\", size: 256m, memory: 64m, %s}\n".formatted(dir, kind[1]);
                EdgeApplication edge;
                try {
                    edge = start(BenchSupport.unpacedEdge(originPort, cache), media);
                } catch (Exception e) {
                    // An edge built before overlapCheck existed refuses the key: measure the others.
                    System.out.printf(Locale.ROOT, "(%s left out: %s)%n", kind[0], e.getMessage());
                    continue;
                }
                edges.add(edge);
                names.add(kind[0]);
                paths.add(edge.edgeAddress());
                // Fill the cache (the second play of a trusted edge is a trusted hit).
                playToEnd(edge.edgeAddress(), "audio.asf");
                playToEnd(edge.edgeAddress(), "av.asf");
                playToEnd(edge.edgeAddress(), "av.asf");
            }
            double originPackets = mediaPackets(origin);
            int n = paths.size();
            for (int i = 0; i < Math.min(200, sessions); i++) {
                for (InetSocketAddress a : paths) {
                    FirstPacketLatency.firstPacketNanos(a);
                }
            }
            // Sessions rotate through the paths (d c o t, c o t d, ...), so machine noise and any
            // drift hit them alike.
            long[][] ttfp = new long[n][sessions];
            for (int i = 0; i < sessions; i++) {
                for (int k = 0; k < n; k++) {
                    int path = (i + k) % n;
                    ttfp[path][i] = FirstPacketLatency.firstPacketNanos(paths.get(path));
                }
            }
            for (long[] v : ttfp) {
                Arrays.sort(v);
            }
            System.out.printf(Locale.ROOT, "time to first data packet, %d sessions each (loopback, unpaced, "
                    + "rotating)%n", sessions);
            System.out.printf(Locale.ROOT, "%-24s %8s %8s %8s%n", "", "p50 ms", "p90 ms", "p99 ms");
            for (int k = 0; k < n; k++) {
                row(names.get(k), ttfp[k]);
            }
            for (int k = 1; k < n; k++) {
                ratios(names.get(k) + " / direct", ttfp[k], ttfp[0]);
            }

            // A warm-up phase per path first (not counted): the first measured phase ran cold
            // and read up to 30% low. Then round 0 runs the paths in order, round 1 in reverse.
            for (InetSocketAddress a : paths) {
                throughput(a, players, Math.max(2, seconds / 2));
            }
            Set<Long> originLoops = ThreadCpu.loopThreads(origin);
            List<Set<Long>> edgeLoops = new ArrayList<>(List.of(Set.of()));
            for (EdgeApplication e : edges) {
                edgeLoops.add(ThreadCpu.loopThreads(e));
            }
            double[][] rates = new double[n][2];
            long[][] cpu = new long[n][5]; // origin, edge, players, JVM nanoseconds; bytes
            for (int k = 0; k < n; k++) {
                rates[k][0] = throughput(paths.get(k), players, seconds, originLoops, edgeLoops.get(k), cpu[k]);
            }
            for (int k = n - 1; k >= 0; k--) {
                rates[k][1] = throughput(paths.get(k), players, seconds, originLoops, edgeLoops.get(k), cpu[k]);
            }
            System.out.printf(Locale.ROOT, "throughput, %d concurrent players playing av.asf over and over, "
                    + "2 x %d s per path:%n", players, seconds);
            double dr = (rates[0][0] + rates[0][1]) / 2;
            for (int k = 0; k < n; k++) {
                double r = (rates[k][0] + rates[k][1]) / 2;
                System.out.printf(Locale.ROOT, "  %-22s %8.1f Mbit/s (%.1f, %.1f)  %.2fx direct%n", names.get(k), r,
                        rates[k][0], rates[k][1], r / dr);
            }
            // Where the CPU went, per GB the players received: the throughput above is the whole
            // machine's (origin, edge and players share its cores), an edge of its own is limited
            // by its own CPU per GB, and the origin's direct figure is what an origin needs for
            // the same players.
            System.out.printf(Locale.ROOT, "CPU per GB delivered, by thread (both rounds): origin, edge (its loops and "
                    + "cache threads), players, JVM (GC, JIT; not attributable)%n");
            double originDirect = cpu[0][0] / 1e9 / (cpu[0][4] / 1e9);
            for (int k = 0; k < n; k++) {
                double gb = cpu[k][4] / 1e9;
                double o = cpu[k][0] / 1e9 / gb;
                double e = cpu[k][1] / 1e9 / gb;
                System.out.printf(Locale.ROOT, "  %-22s origin %.2f  edge %.2f  players %.2f  JVM %.2f s/GB%s%n",
                        names.get(k), o, e, cpu[k][2] / 1e9 / gb, cpu[k][3] / 1e9 / gb,
                        k == 0 ? "" : String.format(Locale.ROOT, "; edge alone %.2fx, edge + origin %.2fx the origin "
                                + "direct", e / originDirect, (e + o) / originDirect));
            }
            System.out.printf(Locale.ROOT, "origin media packets for the cache fills: %.0f (audio.asf and av.asf "
                    + "once per edge); the edges' hits then cost the origin only freshness checks%n", originPackets);
        } finally {
            for (EdgeApplication e : edges) {
                e.close();
            }
            for (Path dir : dirs) {
                BenchSupport.deleteTree(dir);
            }
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
        return throughput(server, players, seconds, Set.of(), Set.of(), new long[5]);
    }

    /** As above; adds the CPU nanoseconds by party ({@link ThreadCpu}) and the bytes to {@code cpu}. */
    private static double throughput(InetSocketAddress server, int players, int seconds, Set<Long> originLoops,
                                     Set<Long> edgeLoops, long[] cpu) throws Exception {
        AtomicLong bytes = new AtomicLong();
        ThreadCpu.Sample before = ThreadCpu.sample();
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
            // Before the pool ends: a thread that has ended takes its CPU time with it.
            ThreadCpu.Split split = ThreadCpu.between(before, ThreadCpu.sample(), originLoops, edgeLoops);
            cpu[0] += split.origin();
            cpu[1] += split.edge();
            cpu[2] += split.other();
            cpu[3] += split.jvm();
            cpu[4] += bytes.get();
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
