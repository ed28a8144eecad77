package io.mmsedge.distribution.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheStore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@link CacheMetrics} on Micrometer: {@code mmsedge_cache_requests_total{result=hit|miss|stale}},
 * {@code mmsedge_cache_revalidations_total{result=same|changed}},
 * {@code mmsedge_cache_bytes_served_bytes_total{source=cache|origin}} (each byte sent to a player once: cache =
 * cached when its play request began, origin = fetched while it played), {@code mmsedge_cache_filled_bytes_total}
 * (what fills stored, each byte once, prestuffing included), {@code mmsedge_cache_fills_in_flight},
 * {@code mmsedge_cache_evictions_total}, {@code mmsedge_cache_discards_total}, the disk-trouble counters
 * {@code mmsedge_cache_disk_write_failures_total} (episodes of a disk tier refusing writes),
 * {@code mmsedge_cache_uncached_bytes_total} (relayed to players without being stored) and
 * {@code mmsedge_cache_dropped_packets_total} (failed their checksum on read, fetched again), and the gauges
 * {@code mmsedge_cache_disk_bytes}, {@code mmsedge_cache_memory_bytes}, {@code mmsedge_cache_items}.
 */
public final class MicrometerCacheMetrics implements CacheMetrics {

    private final Counter hits;
    private final Counter misses;
    private final Counter stale;
    private final Counter same;
    private final Counter changed;
    private final Counter fromCache;
    private final Counter fromOrigin;
    private final Counter filled;
    private final Counter evictions;
    private final Counter discards;
    private final Counter diskWriteFailures;
    private final Counter uncached;
    private final Counter dropped;
    private final AtomicInteger fills = new AtomicInteger();

    public MicrometerCacheMetrics(MeterRegistry registry, Supplier<CacheStore> store) {
        hits = request(registry, "hit");
        misses = request(registry, "miss");
        stale = request(registry, "stale");
        same = Counter.builder("mmsedge.cache.revalidations").tag("result", "same")
                .description("Freshness checks with the origin, by outcome").register(registry);
        changed = Counter.builder("mmsedge.cache.revalidations").tag("result", "changed")
                .description("Freshness checks with the origin, by outcome").register(registry);
        fromCache = Counter.builder("mmsedge.cache.bytes.served").baseUnit("bytes").tag("source", "cache")
                .description("Packet bytes of cached content sent to players, by where they came from")
                .register(registry);
        fromOrigin = Counter.builder("mmsedge.cache.bytes.served").baseUnit("bytes").tag("source", "origin")
                .description("Packet bytes of cached content sent to players, by where they came from")
                .register(registry);
        filled = Counter.builder("mmsedge.cache.filled").baseUnit("bytes")
                .description("Packet bytes fills fetched from origins and stored").register(registry);
        evictions = Counter.builder("mmsedge.cache.evictions").description("Items evicted from the disk tier")
                .register(registry);
        discards = Counter.builder("mmsedge.cache.discards")
                .description("Items found truncated or corrupt and thrown away").register(registry);
        diskWriteFailures = Counter.builder("mmsedge.cache.disk.write.failures")
                .description("Times the disk tier refused writes (full, read-only, failing) and the cache served "
                        + "without storing").register(registry);
        uncached = Counter.builder("mmsedge.cache.uncached").baseUnit("bytes")
                .description("Packet bytes fills relayed to players without storing them").register(registry);
        dropped = Counter.builder("mmsedge.cache.dropped.packets")
                .description("Cached packets that failed their checksum on read and were fetched again")
                .register(registry);
        Gauge.builder("mmsedge.cache.fills.in.flight", fills, AtomicInteger::get)
                .description("Upstream fills running").register(registry);
        Gauge.builder("mmsedge.cache.disk", () -> store.get() == null ? 0 : store.get().diskBytes()).baseUnit("bytes")
                .description("Bytes held by the disk tier").register(registry);
        Gauge.builder("mmsedge.cache.memory", () -> store.get() == null ? 0 : store.get().memoryBytes())
                .baseUnit("bytes").description("Bytes held by the memory tier").register(registry);
        Gauge.builder("mmsedge.cache.items", () -> store.get() == null ? 0 : store.get().itemCount())
                .description("Items in the cache").register(registry);
    }

    private static Counter request(MeterRegistry registry, String result) {
        return Counter.builder("mmsedge.cache.requests").tag("result", result)
                .description("Player opens of cacheable content, by outcome").register(registry);
    }

    @Override
    public void hit() {
        hits.increment();
    }

    @Override
    public void miss() {
        misses.increment();
    }

    @Override
    public void servedStale() {
        stale.increment();
    }

    @Override
    public void revalidated(boolean wasChanged) {
        (wasChanged ? changed : same).increment();
    }

    @Override
    public void bytesFromCache(long bytes) {
        fromCache.increment(bytes);
    }

    @Override
    public void bytesFromOrigin(long bytes) {
        fromOrigin.increment(bytes);
    }

    @Override
    public void bytesFilled(long bytes) {
        filled.increment(bytes);
    }

    @Override
    public void fillsInFlight(int delta) {
        fills.addAndGet(delta);
    }

    @Override
    public void evicted(long bytes) {
        evictions.increment();
    }

    @Override
    public void discarded() {
        discards.increment();
    }

    @Override
    public void diskWriteFailed() {
        diskWriteFailures.increment();
    }

    @Override
    public void bytesUncached(long bytes) {
        uncached.increment(bytes);
    }

    @Override
    public void packetDropped() {
        dropped.increment();
    }
}
