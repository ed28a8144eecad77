package io.mmsedge.cache.serve;

import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.server.media.MediaPacket;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.TreeMap;

/**
 * Packets an item's fills received but the disk tier did not store (full, read-only, failing):
 * kept in memory for the players reading the item, so that a failing disk degrades to relaying
 * without caching instead of failing them (issue #17). Each packet is a private heap copy,
 * shared read-only by every reader, as a memory-tier chunk is.
 *
 * <p>Bounded: packets before the slowest reader are dropped as it passes them; at
 * {@link #capacity()} packets the fills pause their upstream reads until a reader moves on (so
 * the origin is paced by the slowest player behind it, as a relay is), and at twice that — packets
 * already on their way when the reads paused — the oldest go. A reader that finds its packet gone
 * has a fill fetch it again. Thread-safe.
 */
final class UncachedWindow {

    /** One packet not stored, as the fill parsed it (payload offsets relative to the packet's first byte). */
    record Packet(long number, long sendTimeMs, boolean keyFrame, byte[] bytes, List<AsfPayload> payloads) {
        /** The packet as a session sends it: a read-only view the caller releases. */
        MediaPacket media() {
            return new MediaPacket(number, sendTimeMs, payloads, Unpooled.wrappedBuffer(bytes).asReadOnly());
        }
    }

    private final int capacity;
    // Guarded by this.
    private final TreeMap<Long, Packet> packets = new TreeMap<>();
    private long bytes;

    UncachedWindow(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    int capacity() {
        return capacity;
    }

    synchronized Packet get(long n) {
        return packets.get(n);
    }

    synchronized boolean isEmpty() {
        return packets.isEmpty();
    }

    synchronized int size() {
        return packets.size();
    }

    /** Heap bytes held. */
    synchronized long bytes() {
        return bytes;
    }

    /**
     * Adds {@code p}, first dropping the packets before {@code keepFrom} (no reader needs them).
     * True when the window is full: the fill pauses its upstream reads.
     */
    synchronized boolean put(Packet p, long keepFrom) {
        dropBefore(keepFrom);
        Packet old = packets.put(p.number(), p);
        bytes += p.bytes().length - (old == null ? 0 : old.bytes().length);
        while (packets.size() > 2 * capacity) {
            bytes -= packets.pollFirstEntry().getValue().bytes().length;
        }
        return packets.size() >= capacity;
    }

    /** Drops the packets before {@code keepFrom}; true when the window has room (paused fills may read on). */
    synchronized boolean trim(long keepFrom) {
        dropBefore(keepFrom);
        return packets.size() < capacity;
    }

    synchronized void clear() {
        packets.clear();
        bytes = 0;
    }

    private void dropBefore(long keepFrom) {
        while (!packets.isEmpty() && packets.firstKey() < keepFrom) {
            bytes -= packets.pollFirstEntry().getValue().bytes().length;
        }
    }
}
