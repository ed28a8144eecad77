package io.mmsedge.cache;

import java.nio.file.Path;

/**
 * Bounds of the on-demand cache.
 *
 * @param dir             where the disk tier lives (created if missing)
 * @param diskQuotaBytes  bytes of packet data and metadata the disk tier may hold
 * @param memoryBytes     weight bound of the memory tier (hot packet chunks)
 * @param chunkPackets    packets per memory-tier chunk (a chunk is cached once all its packets are)
 */
public record CacheSettings(Path dir, long diskQuotaBytes, long memoryBytes, int chunkPackets) {

    public static final int DEFAULT_CHUNK_PACKETS = 32;

    public CacheSettings {
        if (dir == null) {
            throw new IllegalArgumentException("cache dir is required");
        }
        if (diskQuotaBytes <= 0 || memoryBytes < 0 || chunkPackets < 1) {
            throw new IllegalArgumentException("cache bounds must be positive");
        }
    }

    public CacheSettings(Path dir, long diskQuotaBytes, long memoryBytes) {
        this(dir, diskQuotaBytes, memoryBytes, DEFAULT_CHUNK_PACKETS);
    }
}
