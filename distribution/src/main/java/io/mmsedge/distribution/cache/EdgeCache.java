package io.mmsedge.distribution.cache;

import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.serve.CacheService;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.status.MicrometerCacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's on-demand cache service and where it lives: {@code edge.cache.dir}, or a temporary
 * directory that goes when the edge stops.
 */
public record EdgeCache(CacheService service, Path dir, boolean temporary) {

    private static final Logger log = LoggerFactory.getLogger(EdgeCache.class);

    /** Opens the store (recovering what its directory holds) with its metrics bound to {@code registry}. */
    public static EdgeCache open(ConfigLoader.CacheSection c, PrometheusMeterRegistry registry) throws IOException {
        boolean temporary = c.dir() == null;
        Path dir = temporary ? Files.createTempDirectory("mms-edge-cache") : c.dir();
        CacheStore[] holder = new CacheStore[1];
        var cacheMetrics = new MicrometerCacheMetrics(registry, () -> holder[0]);
        holder[0] = CacheStore.open(new CacheSettings(dir, c.size(), c.memory()), cacheMetrics);
        log.info("cache in {}{}: disk quota {} MiB, memory {} MiB, {} items found; trust window {} s, serve stale {}",
                dir, temporary ? " (temporary)" : "", c.size() >> 20, c.memory() >> 20, holder[0].itemCount(),
                c.policy().trustMillis() / 1000, c.policy().serveStale());
        return new EdgeCache(new CacheService(holder[0], cacheMetrics, c.policy()), dir, temporary);
    }

    /** Closes the store; a temporary directory is removed with what it holds. */
    public void close() {
        service.close();
        if (temporary) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException e) {
                log.warn("cannot remove the temporary cache directory {}: {}", dir, e.toString());
            }
        }
    }
}
