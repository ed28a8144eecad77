/**
 * On-demand content cache: a bounded memory tier (Caffeine) over a crash-safe disk tier,
 * filled write-through from the origin and exposed as a media source to the server session.
 *
 * <p>Disk layout (one directory, {@link io.mmsedge.cache.CacheSettings#dir()}): per item
 * {@code <hash16(url)>-<generation>.meta} (see {@code ItemMeta}; replaced by temp file, fsync,
 * atomic rename) and {@code .data}, fixed-size slots, one per packet, each with its own length
 * and CRC32C (see {@code SlotFormat}). {@link io.mmsedge.cache.CacheStore#open} rebuilds the
 * index and the coverage from these files alone.
 */
package io.mmsedge.cache;
