package io.mmsedge.bench;

import io.mmsedge.distribution.EdgeApplication;
import io.netty.util.concurrent.EventExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * CPU time of this JVM's threads, split by whom they work for, for a benchmark that runs an
 * origin, edges and players in one process (CacheBench): what a shared machine's throughput
 * figure cannot say is how much of the work was the edge's own, which is what an edge on
 * hardware of its own is limited by. The JVM's own threads (GC, JIT) are not Java threads and
 * cannot be attributed: they are reported apart, as the process's CPU minus its threads'.
 */
final class ThreadCpu {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds by thread id, and the process's. */
    record Sample(Map<Long, Long> byThread, Map<Long, String> names, long processNanos) {
    }

    /** Nanoseconds of CPU between two samples, by party. */
    record Split(long origin, long edge, long other, long jvm) {
    }

    private ThreadCpu() {
    }

    /** The event-loop threads of {@code app} (each loop runs a task that names its thread). */
    static Set<Long> loopThreads(EdgeApplication app) throws Exception {
        Set<Long> ids = new HashSet<>();
        for (EventExecutor e : app.eventLoops()) {
            ids.add(e.submit(() -> Thread.currentThread().getId()).get());
        }
        return ids;
    }

    static Sample sample() {
        long[] ids = MX.getAllThreadIds();
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        ThreadInfo[] infos = MX.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = MX.getThreadCpuTime(ids[i]);
            if (t >= 0 && infos[i] != null) {
                cpu.put(ids[i], t);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Sample(cpu, names, os.getProcessCpuTime());
    }

    /**
     * Splits the CPU used between {@code a} and {@code b}: the origin's loops, the edge's (its
     * loops and the cache's threads, named mms-edge-*: only the edge under test is busy), and
     * everything else (the players). A thread that started after {@code a} counts from zero.
     */
    static Split between(Sample a, Sample b, Set<Long> origin, Set<Long> edge) {
        long o = 0;
        long e = 0;
        long rest = 0;
        for (var t : b.byThread().entrySet()) {
            long d = t.getValue() - a.byThread().getOrDefault(t.getKey(), 0L);
            if (origin.contains(t.getKey())) {
                o += d;
            } else if (edge.contains(t.getKey()) || b.names().get(t.getKey()).startsWith("mms-edge-")) {
                e += d;
            } else {
                rest += d;
            }
        }
        long jvm = (b.processNanos() - a.processNanos()) - o - e - rest;
        return new Split(o, e, rest, Math.max(0, jvm));
    }
}
