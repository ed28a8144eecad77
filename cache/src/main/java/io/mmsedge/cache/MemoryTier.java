package io.mmsedge.cache;

import io.mmsedge.protocol.asf.AsfPayload;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The memory tier: hot chunks of consecutive packets as immutable heap arrays in a Caffeine
 * cache bounded by weight. Nothing is released on eviction (there is no removal listener): a
 * chunk is a plain array that the garbage collector reclaims once no reader's view of it is
 * left, so evicting a chunk can never free memory a reader still uses.
 *
 * <p>Maintenance runs on the calling thread and after every insert, so {@link #weightedSize()}
 * is within the bound whenever an operation has returned.
 */
final class MemoryTier {

    /** Fixed weight added to every chunk for the key, the entry and the arrays' headers. */
    static final int ENTRY_OVERHEAD = 64;

    /** A chunk of an item: key (item id, chunk index). */
    record ChunkKey(String itemId, long chunk) {
    }

    /**
     * The stored bytes of consecutive packets, packet {@code i} at {@code [offsets[i], offsets[i + 1])},
     * with each packet's payloads parsed once for every reader (offsets relative to the packet's
     * first byte). Never modified after construction.
     */
    static final class Chunk {
        /** Estimated heap per parsed payload (the record and its list slot), for the weight. */
        private static final int PAYLOAD_WEIGHT = 96;
        private final byte[] bytes;
        private final int[] offsets;
        private final List<List<AsfPayload>> payloads;
        private final int payloadCount;

        Chunk(byte[] bytes, int[] offsets, List<List<AsfPayload>> payloads) {
            this.bytes = bytes;
            this.offsets = offsets;
            this.payloads = List.copyOf(payloads);
            this.payloadCount = payloads.stream().mapToInt(List::size).sum();
        }

        int weight() {
            return bytes.length + 4 * offsets.length + PAYLOAD_WEIGHT * payloadCount + ENTRY_OVERHEAD;
        }

        /** The parsed payloads of packet {@code i} (unmodifiable, shared by every reader). */
        List<AsfPayload> payloads(int i) {
            return payloads.get(i);
        }

        /** A read-only view of packet {@code i} of the chunk (no copy). */
        ByteBuf packet(int i) {
            return Unpooled.wrappedBuffer(bytes, offsets[i], offsets[i + 1] - offsets[i]).asReadOnly();
        }
    }

    private final long maximumWeight;
    private final Cache<ChunkKey, Chunk> cache; // null: memory tier disabled

    MemoryTier(long maximumWeight) {
        this.maximumWeight = maximumWeight;
        this.cache = maximumWeight <= 0 ? null
                : Caffeine.newBuilder()
                        .maximumWeight(maximumWeight)
                        .weigher((ChunkKey k, Chunk c) -> c.weight())
                        .executor(Runnable::run)
                        .build();
    }

    boolean enabled() {
        return cache != null;
    }

    Chunk get(String itemId, long chunk) {
        return cache == null ? null : cache.getIfPresent(new ChunkKey(itemId, chunk));
    }

    boolean contains(String itemId, long chunk) {
        return get(itemId, chunk) != null;
    }

    /** Caches {@code c} unless it alone outweighs the tier. */
    void put(String itemId, long chunk, Chunk c) {
        if (cache == null || c.weight() > maximumWeight) {
            return;
        }
        cache.put(new ChunkKey(itemId, chunk), c);
        cache.cleanUp();
    }

    void invalidate(String itemId, long chunk) {
        if (cache != null) {
            cache.invalidate(new ChunkKey(itemId, chunk));
        }
    }

    /** Drops chunks {@code 0 .. chunks-1} of an item. */
    void invalidateItem(String itemId, long chunks) {
        if (cache == null) {
            return;
        }
        for (long c = 0; c < chunks; c++) {
            cache.invalidate(new ChunkKey(itemId, c));
        }
        cache.cleanUp();
    }

    void invalidateAll() {
        if (cache != null) {
            cache.invalidateAll();
            cache.cleanUp();
        }
    }

    long weightedSize() {
        if (cache == null) {
            return 0;
        }
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }
}
