package io.mmsedge.cache;

import io.mmsedge.cache.CacheItem.StoredPacket;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The read path of one item: the memory tier first (chunks of {@link CacheSettings#chunkPackets()}
 * packets, parsed once and shared by every reader), else the disk tier through {@link ItemSlots},
 * loading a whole stored chunk into the memory tier on the way. Disk reads an event loop must not
 * wait for go to the store's read threads ({@link #prefetch}). Takes no lock but the item's state
 * monitor, briefly, through {@link ItemCoverage}.
 */
final class ItemReader {

    private final CacheItem item;
    private final CacheStore store;
    private final ItemCoverage coverage;
    private final ItemSlots slots;
    private final long packetCount;
    private final int chunkPackets;

    ItemReader(CacheItem item, CacheStore store, ItemCoverage coverage, ItemSlots slots) {
        this.item = item;
        this.store = store;
        this.coverage = coverage;
        this.slots = slots;
        this.packetCount = item.packetCount();
        this.chunkPackets = store.settings().chunkPackets();
    }

    long chunks() {
        return (packetCount + chunkPackets - 1) / chunkPackets;
    }

    /** See {@link CacheItem#prefetch}. */
    CompletableFuture<StoredPacket> prefetch(long n) {
        CompletableFuture<StoredPacket> f = new CompletableFuture<>();
        boolean queued = store.readInBackground(() -> {
            try {
                f.complete(read(n, true, false));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        if (!queued) {
            f.completeExceptionally(new CacheReadException(item.url() + ": the cache is closing"));
        }
        return f;
    }

    /** See {@link CacheItem#readAhead}. */
    CompletableFuture<Void> readAhead(long n) {
        if (n % chunkPackets != 0) {
            return null;
        }
        long start = n + chunkPackets;
        MemoryTier memory = store.memory();
        if (start >= packetCount || !memory.enabled() || memory.contains(item.id(), start / chunkPackets)) {
            return null;
        }
        if (!coverage.hasAll(start, Math.min(start + chunkPackets, packetCount))) {
            return null;
        }
        return prefetch(start).thenAccept(p -> p.content().release());
    }

    /**
     * Stored packet {@code n}, with its payloads when asked; null when {@code memoryOnly} and its
     * chunk is not in the memory tier. See {@link CacheItem#read(long)} for the buffer and errors.
     */
    StoredPacket read(long n, boolean withPayloads, boolean memoryOnly) {
        if (n < 0 || n >= packetCount) {
            throw new CacheReadException(item.url() + ": packet " + n + " outside [0, " + packetCount + ")");
        }
        long chunk = n / chunkPackets;
        long chunkStart = chunk * chunkPackets;
        long chunkEnd = Math.min(chunkStart + chunkPackets, packetCount);
        ItemCoverage.Readable readable = coverage.checkRead(n, chunkStart, chunkEnd);
        item.touch();
        MemoryTier memory = store.memory();
        if (memory.enabled() && readable.inIndex()) {
            MemoryTier.Chunk c = memory.get(item.id(), chunk);
            if (c == null && memoryOnly) {
                return null;
            }
            if (c == null && readable.chunkStored()) {
                c = slots.loadChunk(chunkStart, chunkEnd);
                memory.put(item.id(), chunk, c);
                if (!item.valid()) {
                    memory.invalidate(item.id(), chunk); // left the index meanwhile: don't keep it
                }
            }
            if (c != null) {
                int i = (int) (n - chunkStart);
                return new StoredPacket(c.packet(i), c.payloads(i));
            }
        }
        if (memoryOnly) {
            return null;
        }
        ByteBuf slot = slots.readSlot(n);
        return new StoredPacket(slot, withPayloads ? slots.payloads(n, slot) : List.of());
    }
}
