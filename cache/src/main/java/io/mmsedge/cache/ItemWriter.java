package io.mmsedge.cache;

import io.mmsedge.cache.CacheItem.WriteResult;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path of one item: one fill writes at a time (the item's write lock, the first lock
 * in the item's order): it checks the coverage, reserves quota in the store, writes the slot, and
 * only then covers the packet, so a packet counts as stored only once its bytes are on disk.
 */
final class ItemWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ItemWriter.class);

    private final CacheItem item;
    private final CacheStore store;
    private final ItemLifecycle state;
    private final ItemCoverage coverage;
    private final ItemSlots slots;
    private final long packetCount;
    private final int packetSize;
    private final int slotSize;
    private final ReentrantLock writeLock = new ReentrantLock();

    ItemWriter(CacheItem item, CacheStore store, ItemLifecycle state, ItemCoverage coverage, ItemSlots slots,
            int packetSize, int slotSize) {
        this.item = item;
        this.store = store;
        this.state = state;
        this.coverage = coverage;
        this.slots = slots;
        this.packetCount = item.packetCount();
        this.packetSize = packetSize;
        this.slotSize = slotSize;
    }

    /** See {@link CacheItem#write}. */
    WriteResult write(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame) {
        Objects.requireNonNull(packet, "packet");
        int length = packet.readableBytes();
        if (n < 0 || n >= packetCount || length == 0 || length > packetSize) {
            return WriteResult.REFUSED;
        }
        CacheStore.Reservation reservation = null;
        List<CacheItem> evicted = new ArrayList<>();
        WriteResult result;
        writeLock.lock();
        try {
            result = coverage.checkWrite(n);
            if (result == null) {
                reservation = store.reserve(item, slotSize);
                result = reservation.granted() ? storeSlot(n, packet, sendTimeMs, keyFrame, evicted)
                        : WriteResult.REFUSED;
            }
        } finally {
            writeLock.unlock();
        }
        if (reservation != null) {
            store.retired(reservation.evicted());
        }
        store.retired(evicted);
        if (result == WriteResult.WRITTEN) {
            state.fireWritten();
        }
        return result;
    }

    /** Runs {@code task} with no fill writing (the store's close saves the item so). */
    void exclusive(Runnable task) {
        writeLock.lock();
        try {
            task.run();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes the slot for which quota is reserved, then covers it. Under the write lock. A full
     * file system (the quota is larger than the disk, or others share it) first evicts what nobody
     * reads, one item at a time, retrying after each; a write that still fails leaves the packet
     * unstored and the disk tier failing for a while ({@link DiskHealth}).
     */
    private WriteResult storeSlot(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame, List<CacheItem> evicted) {
        DiskHealth disk = store.disk();
        if (!disk.mayWrite()) {
            store.release(item, slotSize);
            return WriteResult.UNSTORED;
        }
        IOException failure = writeSlot(n, packet, sendTimeMs, keyFrame);
        while (failure != null && DiskHealth.noSpace(failure) && store.evictForSpace(item, evicted)) {
            failure = writeSlot(n, packet, sendTimeMs, keyFrame);
        }
        if (failure != null) {
            store.release(item, slotSize);
            if (!item.valid()) {
                return WriteResult.REFUSED;
            }
            disk.failed(item.url(), n, failure, evicted.size());
            return WriteResult.UNSTORED;
        }
        disk.succeeded();
        ItemCoverage.Covered covered = coverage.cover(n, sendTimeMs, keyFrame);
        if (covered == ItemCoverage.Covered.REFUSED) {
            // Left the index during the write: nothing is covered, give the room back.
            store.release(item, slotSize);
            return WriteResult.REFUSED;
        }
        if (covered == ItemCoverage.Covered.NOW_COMPLETE) {
            markComplete();
        }
        return WriteResult.WRITTEN;
    }

    /** Writes slot {@code n}; the failure, or null. A torn slot fails its checksum: it is never read. */
    private IOException writeSlot(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame) {
        try {
            slots.write(n, packet, sendTimeMs, keyFrame);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * Every packet is stored: complete from now on. Recording it on disk waits for fsyncs, so it
     * runs on the store's I/O thread, never on the event loop that wrote the last packet: the
     * data is forced first, then the metadata says complete. Until then a restart re-verifies
     * the slots, and finds the item complete if they all verify. An item that left the index
     * meanwhile stays out of it: its files are going (or stay as they are for the next start).
     */
    void markComplete() {
        boolean again = state.state() == ItemState.COMPLETE; // a dropped packet was stored again
        if (again ? state.completeAgain() : state.complete()) {
            store.inBackground(this::recordComplete);
        }
    }

    private void recordComplete() {
        try {
            slots.force();
        } catch (IOException e) {
            if (item.valid()) {
                LOG.warn("cache: could not flush {} to disk; the next start verifies it again: {}", item.url(),
                        e.toString());
            }
            return;
        }
        try {
            item.writeMeta();
        } catch (IOException e) {
            if (item.valid()) {
                LOG.warn("cache: could not record {} as complete: {}", item.url(), e.toString());
            }
        }
    }
}
