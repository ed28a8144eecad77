package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mmsedge_cache_bytes_served_bytes_total{source=cache|origin}} counts each byte a player
 * is sent exactly once, under where it came from (issue #13 §6: a miss's bytes were counted
 * twice, as origin when the fill stored them and as cache when the player's cursor read them).
 */
class EdgeCacheMetricsTest {

    private static final String SERVED = "mmsedge.cache.bytes.served";

    @TempDir
    Path tmp;

    @Test
    void eachByteSentToAPlayerIsCountedOnceUnderItsSource() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n")) {
            long fileBytes = EdgeCacheTest.packetsOf(rig.media.resolve("av.asf")).stream()
                    .mapToLong(p -> p.length).sum();

            long missBytes = received(EdgeCacheTest.playFrom(rig, "av.asf", 0, 3));
            rig.awaitComplete("av.asf", Duration.ofSeconds(30));
            assertEquals(fileBytes, missBytes, "the player got the whole file");
            double origin = rig.edgeCounter(SERVED, "source", "origin");
            double cache = rig.edgeCounter(SERVED, "source", "cache");
            assertEquals(missBytes, origin + cache, "a miss: each byte the player was sent counted once");
            assertEquals(missBytes, origin, "a miss: nothing was cached when it began, all came from the origin");
            assertEquals(fileBytes, rig.edgeCount("mmsedge.cache.filled"), "the fill stored each byte once");

            long hitBytes = received(EdgeCacheTest.playFrom(rig, "av.asf", 0, 4));
            assertEquals(origin, rig.edgeCounter(SERVED, "source", "origin"), "a hit: the origin's share did not grow");
            assertEquals(cache + hitBytes, rig.edgeCounter(SERVED, "source", "cache"), "a hit: all from the cache");
            assertEquals(fileBytes, rig.edgeCount("mmsedge.cache.filled"), "a hit fetches nothing");
        }
    }

    private static long received(MmsTestClient.PlayResult r) {
        return r.packets.stream().map(Received.Data::payload).mapToLong(p -> p.length).sum();
    }
}
