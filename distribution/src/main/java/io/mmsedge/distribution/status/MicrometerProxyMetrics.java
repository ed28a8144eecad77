package io.mmsedge.distribution.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mmsedge.proxy.ProxyMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ProxyMetrics} on Micrometer: {@code mmsedge_upstream_sessions} (gauge),
 * {@code mmsedge_upstream_sessions_opened_total}, {@code mmsedge_upstream_failures_total},
 * {@code mmsedge_upstream_bytes_total}, {@code mmsedge_redirects_total{direction,type}},
 * {@code mmsedge_denials_total{reason}}, {@code mmsedge_origin_up{origin}} (1 up, 0 down; an origin
 * appears once it first failed) and {@code mmsedge_origin_down_total{origin}} (times marked down).
 */
public final class MicrometerProxyMetrics implements ProxyMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter opened;
    private final Counter failed;
    private final Counter bytes;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> originUp = new ConcurrentHashMap<>();

    public MicrometerProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("mmsedge.upstream.sessions", open, AtomicInteger::get)
                .description("Open upstream sessions").register(registry);
        opened = Counter.builder("mmsedge.upstream.sessions.opened").description("Upstream sessions opened")
                .register(registry);
        failed = Counter.builder("mmsedge.upstream.failures").description("Upstream opens that failed")
                .register(registry);
        bytes = Counter.builder("mmsedge.upstream.bytes").baseUnit("bytes")
                .description("Data packet bytes received from origins").register(registry);
    }

    @Override
    public void upstreamOpened() {
        open.incrementAndGet();
        opened.increment();
    }

    @Override
    public void upstreamClosed() {
        open.decrementAndGet();
    }

    @Override
    public void upstreamFailed() {
        failed.increment();
    }

    @Override
    public void upstreamBytes(long n) {
        bytes.increment(n);
    }

    @Override
    public void redirectFromUpstream(int type) {
        counter("mmsedge.redirects", "direction", "from_upstream", "type", Integer.toString(type)).increment();
    }

    @Override
    public void redirectToPlayer(int type) {
        counter("mmsedge.redirects", "direction", "to_player", "type", Integer.toString(type)).increment();
    }

    @Override
    public void splitOpened() {
        counter("mmsedge.splits.opened").increment();
    }

    @Override
    public void splitClosed() {
        counter("mmsedge.splits.closed").increment();
    }

    @Override
    public void splitJoined() {
        counter("mmsedge.splits.joined").increment();
    }

    @Override
    public void upstreamReconnected() {
        counter("mmsedge.upstream.reconnects").increment();
    }

    @Override
    public void originState(String origin, boolean up) {
        originUp.computeIfAbsent(origin, o -> {
            AtomicInteger v = new AtomicInteger(1);
            Gauge.builder("mmsedge.origin.up", v, AtomicInteger::get).tag("origin", o)
                    .description("1 while the origin is up, 0 while opens skip it").register(registry);
            return v;
        }).set(up ? 1 : 0);
        if (!up) {
            counter("mmsedge.origin.down", "origin", origin).increment();
        }
    }

    @Override
    public void denied(String reason) {
        counter("mmsedge.denials", "reason", reason).increment();
    }

    private Counter counter(String name, String... tags) {
        String key = name + String.join(",", tags);
        return counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
    }
}
