package io.mmsedge.bench;

import static io.mmsedge.bench.BenchSupport.start;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.load.LoadGenerator;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Origin (looped av.asf broadcast, real-time pacing) + splitting edge + load generator, in one
 * JVM on loopback: players held, delivered Mbit/s, lag, continuity, and sessions at the origin.
 * Usage: {@code SplitLoad [players] [seconds]}.
 */
public final class SplitLoad {

    private SplitLoad() {
    }

    public static void main(String[] args) throws Exception {
        int players = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path base = Fixtures.mediaDir();
        String originYaml = """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1}
                publishingPoints:
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(Fixtures.media("av.asf"));
        try (EdgeApplication origin = start(originYaml, base)) {
            String edgeYaml = """
                    edge:
                      bind: 127.0.0.1
                      port: 0
                      reverse:
                        - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                    """.formatted(origin.mmsAddress().getPort());
            try (EdgeApplication edge = start(edgeYaml, base)) {
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime();
                LoadGenerator.Result r = new LoadGenerator(edge.edgeAddress(), "live")
                        .run(players, seconds, Math.max(1, players / 500));
                long cpu = os.getProcessCpuTime() - cpu0;
                double opened = origin.registry().get("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                        .counter().count();
                Runtime rt = Runtime.getRuntime();
                System.out.println(r.summary());
                System.out.printf(Locale.ROOT, "origin sessions opened=%.0f  process CPU=%.1f s (edge+origin+load "
                        + "generator, one JVM)  heap used=%d MB%n", opened, cpu / 1e9,
                        (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024));
            }
        }
    }

}
