package io.mmsedge.proxy.origin;

import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.route.Hop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which origins answer (issue #13 §2). Without it a dead origin costs every open its connect
 * timeout, forever. An origin is marked down after a connection-level failure (refused, timed
 * out, no reply, a stall); opens skip it while it is down unless every candidate is down (then
 * they try anyway, so nothing is refused on stale knowledge). A background probe, scheduled on
 * one daemon thread, checks a down origin with exponential backoff ({@code initialBackoff} doubling up to
 * {@code maxBackoff}); a probe that succeeds marks it up again (a half-open state: the next open
 * tries it; its consecutive-failure count, which sets the backoff, resets only when an open
 * succeeds, so an origin that accepts TCP but never answers MMS is probed ever less often).
 * {@link #close()} stops the probes.
 *
 * <p>Origins are keyed by what the edge connects to, "host:port" (an MMS proxy in front of
 * them counts as the origin). Thread-safe.
 */
public final class OriginHealth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OriginHealth.class);

    /**
     * Checks in the background that a down origin answers again: completes with true when it
     * does. Must bound its own wait (the connector's connect and reply timeouts do).
     */
    @FunctionalInterface
    public interface Prober {
        CompletableFuture<Boolean> probe(Hop hop);
    }

    /**
     * One origin's state, for {@code /status}.
     *
     * @param origin    "host:port"
     * @param up        false while opens skip it
     * @param failures  consecutive failures since the last successful open
     * @param lastError the last failure's reason, or null
     * @param downSince System.currentTimeMillis() when it went down (0 while up)
     * @param probes    probes made since it went down
     */
    public record Status(String origin, boolean up, int failures, String lastError, long downSince, int probes) {
    }

    /** Health tracking that tracks nothing: every origin is always up (tests with scripted connectors). */
    public static OriginHealth disabled() {
        return new OriginHealth(null, Duration.ofSeconds(1), Duration.ofSeconds(1), ProxyMetrics.NONE);
    }

    /**
     * Origins tracked at most: in forward mode players name the hosts, so the table is bounded;
     * beyond it an origin that is up makes room, and a failure with no room is not tracked.
     */
    static final int MAX_ORIGINS = 1024;

    private final Prober prober;
    private final int maxOrigins;
    private final long initialMs;
    private final long maxMs;
    private final ProxyMetrics metrics;
    private final Map<String, Entry> origins = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;

    /**
     * @param prober         checks a down origin in the background; null disables tracking
     * @param initialBackoff the first probe's delay after a failure
     * @param maxBackoff     the longest delay between two probes
     */
    public OriginHealth(Prober prober, Duration initialBackoff, Duration maxBackoff, ProxyMetrics metrics) {
        this(prober, initialBackoff, maxBackoff, metrics, MAX_ORIGINS);
    }

    OriginHealth(Prober prober, Duration initialBackoff, Duration maxBackoff, ProxyMetrics metrics, int maxOrigins) {
        this.prober = prober;
        this.maxOrigins = maxOrigins;
        this.initialMs = Math.max(1, initialBackoff.toMillis());
        this.maxMs = Math.max(initialMs, maxBackoff.toMillis());
        this.metrics = metrics;
        if (prober == null) {
            scheduler = null;
        } else {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "mms-edge-origin-probe");
                t.setDaemon(true);
                return t;
            });
            s.setRemoveOnCancelPolicy(true);
            scheduler = s;
        }
    }

    /**
     * A probe that opens a TCP connection and closes it: it tells a refused port from an open
     * one, but an origin that accepts and never answers looks up to it (tests use it; the edge
     * probes with a real open, see {@link OriginOpener}). Runs on the probe thread.
     */
    public static Prober tcpProber(Duration timeout) {
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        return hop -> {
            InetSocketAddress a = new InetSocketAddress(hop.connectTo().getHostString(), hop.connectTo().getPort());
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(a, ms);
                return CompletableFuture.completedFuture(true);
            } catch (java.io.IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /** "host:port" of what {@code hop} connects to. */
    public static String key(Hop hop) {
        return hop.connectTo().getHostString() + ":" + hop.connectTo().getPort();
    }

    /** True while opens skip the origin {@code hop} connects to. */
    public boolean isDown(Hop hop) {
        Entry e = origins.get(key(hop));
        return e != null && !e.up;
    }

    /**
     * The candidates to try, in order: the ones that are up, in their order; the ones that are
     * down after them, tried only when every one that is up failed (and all of them when every
     * candidate is down).
     */
    public List<Hop> order(List<Hop> candidates) {
        if (prober == null || candidates.size() < 2) {
            return candidates;
        }
        List<Hop> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparing(this::isDown)); // stable: keeps the route's order within each group
        return sorted;
    }

    /** An open at {@code hop} succeeded: the origin is up and its failure count resets. */
    public void succeeded(Hop hop) {
        if (prober == null) {
            return;
        }
        Entry e = origins.get(key(hop));
        if (e == null) {
            return;
        }
        synchronized (e) {
            boolean wasDown = !e.up;
            e.up = true;
            e.failures = 0;
            e.cancelProbe();
            if (wasDown) {
                log.info("origin {} is up again (an open succeeded)", e.origin);
                metrics.originState(e.origin, true);
            }
        }
    }

    /**
     * The origin {@code hop} connects to failed at the connection level (not a content answer):
     * it goes down and is probed in the background.
     */
    public void failed(Hop hop, String reason) {
        if (prober == null) {
            return;
        }
        String k = key(hop);
        if (!origins.containsKey(k) && origins.size() >= maxOrigins && !makeRoom()) {
            log.debug("origin {} failed ({}) but {} origins are down already: not tracked", k, reason, maxOrigins);
            return;
        }
        Entry e = origins.computeIfAbsent(k, x -> new Entry(x, hop));
        synchronized (e) {
            e.failures++;
            e.lastError = reason;
            if (!e.up) {
                return; // already down; its probe is scheduled
            }
            e.up = false;
            e.downSince = System.currentTimeMillis();
            e.probes = 0;
            long delay = backoff(e.failures);
            log.warn("origin {} marked down ({} consecutive failure{}): {}; opens skip it, probing in {} ms", k,
                    e.failures, e.failures == 1 ? "" : "s", reason, delay);
            metrics.originState(k, false);
            schedule(e, delay);
        }
    }

    /** Drops one origin that is up from the table; false when every one tracked is down. */
    private boolean makeRoom() {
        for (Map.Entry<String, Entry> m : origins.entrySet()) {
            Entry e = m.getValue();
            synchronized (e) {
                if (e.up && origins.remove(m.getKey(), e)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every origin seen so far, sorted by name. */
    public List<Status> snapshot() {
        List<Status> out = new ArrayList<>();
        for (Entry e : origins.values()) {
            synchronized (e) {
                out.add(new Status(e.origin, e.up, e.failures, e.lastError, e.up ? 0 : e.downSince, e.probes));
            }
        }
        out.sort(Comparator.comparing(Status::origin));
        return out;
    }

    /** Stops probing; the states stay as they are. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** initial × 2^(failures-1), at most the maximum. */
    private long backoff(int failures) {
        int shift = Math.min(Math.max(failures - 1, 0), 30);
        return Math.min(maxMs, initialMs << shift);
    }

    private void schedule(Entry e, long delayMs) {
        try {
            e.probe = scheduler.schedule(() -> probe(e), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            e.probe = null; // closed: no more probes
        }
    }

    private void probe(Entry e) {
        CompletableFuture<Boolean> f;
        try {
            f = prober.probe(e.hop);
        } catch (RuntimeException ex) {
            f = CompletableFuture.failedFuture(ex);
        }
        // A safety bound beyond the prober's own timeouts: a probe that never completes must not
        // end the probing.
        f.orTimeout(maxMs + 60_000, TimeUnit.MILLISECONDS).whenComplete((ok, err) -> {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err;
            boolean up = err == null && Boolean.TRUE.equals(ok);
            probed(e, up, up ? null : cause == null ? "the probe failed"
                    : cause.getMessage() != null ? cause.getMessage() : cause.toString());
        });
    }

    private void probed(Entry e, boolean ok, String why) {
        synchronized (e) {
            if (e.up) {
                return; // an open succeeded meanwhile
            }
            e.probes++;
            if (ok) {
                e.up = true;
                e.probe = null;
                log.info("origin {} answers a probe after {} ms down: opens try it again", e.origin,
                        System.currentTimeMillis() - e.downSince);
                metrics.originState(e.origin, true);
                return;
            }
            e.lastError = why;
            long delay = backoff(e.failures + e.probes);
            log.debug("origin {} still down: {}; next probe in {} ms", e.origin, why, delay);
            schedule(e, delay);
        }
    }

    /** One origin's state; guarded by itself. */
    private static final class Entry {
        final String origin;
        /** The hop whose failure marked it down: what the probe opens. */
        final Hop hop;
        boolean up = true;
        int failures;
        String lastError;
        long downSince;
        int probes;
        ScheduledFuture<?> probe;

        Entry(String origin, Hop hop) {
            this.origin = origin;
            this.hop = hop;
        }

        void cancelProbe() {
            if (probe != null) {
                probe.cancel(false);
                probe = null;
            }
        }
    }
}
