package io.mmsedge.bench;

import static io.mmsedge.bench.BenchSupport.pct;
import static io.mmsedge.bench.BenchSupport.start;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Start-up latency through the edge against direct to the origin, measured in the same run:
 * the time from TCP connect to the first media Data packet (Connect, FunnelInfo, ConnectFunnel,
 * OpenFile, ReadBlock and the whole header, StreamSwitch, StartPlaying). Sessions alternate
 * direct/edge so that machine noise hits both alike. Prints p50/p90/p99 and the edge's cost.
 * Both servers run unpaced: §3.2.5.8.1 paces the header at the content bit rate (seconds for a
 * low-rate file), which would drown what this measures — the relay's own cost.
 *
 * <p>Usage: {@code FirstPacketLatency [sessions] [warmup]} (defaults 1000, 200).
 */
public final class FirstPacketLatency {

    private FirstPacketLatency() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path media = Fixtures.mediaDir();
        String originYaml = BenchSupport.unpacedOrigin(media);
        try (EdgeApplication origin = start(originYaml, media)) {
            String edgeYaml = BenchSupport.unpacedEdge(origin.mmsAddress().getPort(), "");
            try (EdgeApplication edge = start(edgeYaml, media)) {
                InetSocketAddress direct = origin.mmsAddress();
                InetSocketAddress viaEdge = edge.edgeAddress();
                for (int i = 0; i < warmup; i++) {
                    firstPacketNanos(direct);
                    firstPacketNanos(viaEdge);
                }
                long[] d = new long[sessions];
                long[] e = new long[sessions];
                for (int i = 0; i < sessions; i++) {
                    if ((i & 1) == 0) {
                        d[i] = firstPacketNanos(direct);
                        e[i] = firstPacketNanos(viaEdge);
                    } else {
                        e[i] = firstPacketNanos(viaEdge);
                        d[i] = firstPacketNanos(direct);
                    }
                }
                report(sessions, d, e);
            }
        }
    }


    static long firstPacketNanos(InetSocketAddress server) throws Exception {
        long t0 = System.nanoTime();
        try (MmsTestClient c = MmsTestClient.connect(server, Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            if (c.open("audio.asf").hr() != 0) {
                throw new IllegalStateException("open failed at " + server);
            }
            c.readHeader(2);
            c.selectStreams(1);
            c.startPlaying(0, 4);
            Received r = c.nextAnsweringPings();
            if (!(r instanceof Received.Data)) {
                throw new IllegalStateException("expected a Data packet, got " + r);
            }
            return System.nanoTime() - t0;
        }
    }

    private static void report(int n, long[] direct, long[] edge) {
        Arrays.sort(direct);
        Arrays.sort(edge);
        System.out.printf(Locale.ROOT, "time to first data packet, %d sessions each (loopback, alternating)%n", n);
        System.out.printf(Locale.ROOT, "%-8s %10s %10s %10s%n", "", "p50 ms", "p90 ms", "p99 ms");
        row("direct", direct);
        row("edge", edge);
        System.out.printf(Locale.ROOT, "edge adds %.2f ms at p50 (%.2fx), %.2f ms at p99 (%.2fx)%n",
                ms(pct(edge, 50) - pct(direct, 50)), (double) pct(edge, 50) / pct(direct, 50),
                ms(pct(edge, 99) - pct(direct, 99)), (double) pct(edge, 99) / pct(direct, 99));
    }

    private static void row(String name, long[] v) {
        System.out.printf(Locale.ROOT, "%-8s %10.2f %10.2f %10.2f%n", name, ms(pct(v, 50)), ms(pct(v, 90)), ms(pct(v, 99)));
    }


    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
