package io.mmsedge.bench;

import io.mmsedge.fixtures.load.LoadGenerator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The load-generator process of {@code bench/split-fanout.sh}: runs {@link LoadGenerator} (MMS
 * players, MMSH players with {@code --mmsh}, MMS players taking their Data by UDP with
 * {@code --udp}, or raw readers with {@code --raw}) against a server
 * running in another process, and reads that process's CPU time ({@code /proc/PID/stat}
 * utime+stime) and resident memory ({@code /proc/PID/status} VmRSS) when the measurement window
 * opens and just before it closes,
 * so that CPU and bytes are counted over the same window. Prints one {@code key=value} line.
 *
 * <p>Usage: {@code FanoutLoad --port PORT --watch-pid PID [--path live [--paths B] [--mmsh | --udp] | --raw --packet-size N]
 * [--players N] [--seconds S] [--ramp-seconds R] [--settle-seconds T] [--clk-tck 100]} (--paths B: the players
 * spread round-robin over the broadcasts live0 .. live(B-1))
 */
public final class FanoutLoad {

    private FanoutLoad() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        long pid = -1;
        String path = "live";
        boolean raw = false;
        boolean mmsh = false;
        boolean udp = false;
        int packetSize = 0;
        int players = 1000;
        int seconds = 30;
        int ramp = -1;
        int settle = 5;
        int clkTck = 100;
        int paths = 1;
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (k.equals("--raw")) {
                raw = true;
                continue;
            }
            if (k.equals("--mmsh")) {
                mmsh = true;
                continue;
            }
            if (k.equals("--udp")) {
                udp = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(k + " needs a value");
            }
            String v = args[++i];
            switch (k) {
                case "--port" -> port = Integer.parseInt(v);
                case "--watch-pid" -> pid = Long.parseLong(v);
                case "--path" -> path = v;
                case "--packet-size" -> packetSize = Integer.parseInt(v);
                case "--players" -> players = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--ramp-seconds" -> ramp = Integer.parseInt(v);
                case "--settle-seconds" -> settle = Integer.parseInt(v);
                case "--clk-tck" -> clkTck = Integer.parseInt(v);
                case "--paths" -> paths = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + k);
            }
        }
        if (pid <= 0) {
            throw new IllegalArgumentException("--watch-pid PID is required");
        }
        if (ramp < 0) {
            ramp = Math.max(1, players / 500);
        }
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        LoadGenerator g = raw ? LoadGenerator.raw(server, packetSize) : new LoadGenerator(server, path);
        g = mmsh ? g.withMmsh() : udp ? g.withUdp() : g;
        g = paths > 1 ? g.withPaths(paths) : g;
        Probe probe = new Probe(pid, clkTck);
        LoadGenerator.Result r = g.run(players, seconds, ramp, settle, probe);
        System.out.printf(Locale.ROOT, "players=%d playing=%d seconds=%.3f bytes=%d packets=%d mbps=%.3f "
                        + "lag_p50_ms=%d lag_p99_ms=%d lag_max_ms=%d continuity_errors=%d missed_packets=%d "
                        + "failures=%d min_packets_per_player=%d cpu_s=%.3f rss_open_kb=%d rss_close_kb=%d rss_gc_kb=%d load_cpu_s=%.3f machine_cpu_s=%.3f%n",
                r.players(), r.playing(), r.seconds(), r.bytes(), r.packets(), r.mbitPerSecond(), r.lagPercentile(50),
                r.lagPercentile(99), r.lagPercentile(100), r.continuityErrors(), r.missedPackets(), r.failures(),
                r.minPacketsPerPlayer(), probe.cpuSeconds(), probe.rssOpenKb, probe.rssCloseKb, probe.rssAfterGcKb, probe.selfCpuSeconds(), probe.machineCpuSeconds());
    }

    /** CPU and RSS of another process at the window's edges. */
    static final class Probe implements LoadGenerator.Window {
        private final long pid;
        private final int clkTck;
        private long ticksOpen;
        private long ticksClose;
        private long selfOpen;
        private long selfClose;
        private long machineOpen;
        private long machineClose;
        long rssOpenKb;
        long rssCloseKb;
        long rssAfterGcKb;

        Probe(long pid, int clkTck) {
            this.pid = pid;
            this.clkTck = clkTck;
        }

        @Override
        public void opened() {
            ticksOpen = cpuTicks(pid);
            selfOpen = cpuTicks(ProcessHandle.current().pid());
            machineOpen = machineBusyTicks();
            rssOpenKb = rssKb(pid);
        }

        @Override
        public void closing() {
            ticksClose = cpuTicks(pid);
            selfClose = cpuTicks(ProcessHandle.current().pid());
            machineClose = machineBusyTicks();
            rssCloseKb = rssKb(pid);
            // What the players hold, without the garbage a lazily collected heap carries: after a
            // full GC (players still connected; CPU was read before it).
            rssAfterGcKb = fullGcThenRssKb(pid);
        }

        /** Asks the JVM {@code pid} for a full GC (jcmd GC.run), then reads its VmRSS; -1 without jcmd. */
        static long fullGcThenRssKb(long pid) {
            try {
                Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    return -1;
                }
                Thread.sleep(500);
                return rssKb(pid);
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        double cpuSeconds() {
            return (ticksClose - ticksOpen) / (double) clkTck;
        }

        /** CPU seconds the whole machine was busy over the window (every process, kernel included). */
        double machineCpuSeconds() {
            return (machineClose - machineOpen) / (double) clkTck;
        }

        /** Busy clock ticks of all CPUs since boot: /proc/stat "cpu" line less idle and iowait. */
        static long machineBusyTicks() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long busy = 0;
                for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                    if (i != 4 && i != 5) {
                        busy += Long.parseLong(f[i]);
                    }
                }
                return busy;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read /proc/stat", e);
            }
        }

        /** CPU seconds the load generator itself used over the window. */
        double selfCpuSeconds() {
            return (selfClose - selfOpen) / (double) clkTck;
        }

        /** utime + stime of a process, in clock ticks (proc(5): fields 14 and 15). */
        static long cpuTicks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                // The command name (field 2) is in parentheses and may contain spaces.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
            }
        }

        /** VmRSS of a process in KiB. */
        static long rssKb(long pid) {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (l.startsWith("VmRSS:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", ""));
                    }
                }
                throw new IllegalStateException("no VmRSS for " + pid);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read /proc/" + pid + "/status", e);
            }
        }
    }
}
