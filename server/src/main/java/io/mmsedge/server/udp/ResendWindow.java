package io.mmsedge.server.udp;

import io.mmsedge.protocol.mms.codec.DataDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The Data packets recently sent to one UDP player, by their 32-bit sequence number (the
 * Sequence variable whose low byte is AFFlags, §3.2.1), so that a RequestPacketListResend can
 * be answered with the packet exactly as it was sent (§3.2.5.13: "MUST NOT be modified").
 *
 * <p>A ring: sequence numbers of one play request are consecutive, so slot = sequence mod
 * capacity, and a newer packet evicts the one {@code capacity} before it. Payloads are held as
 * retained duplicates: a split's players hold the one shared buffer, not copies. Used on the
 * session's thread only.
 */
final class ResendWindow {

    private final int capacity;
    private final long maxAgeNanos;
    private final int[] sequences;
    private final int[] locations;
    private final byte[] incarnations;
    private final byte[] afFlags;
    private final long[] sentNanos;
    private final ByteBuf[] payloads;

    ResendWindow(int capacity, long maxAgeNanos) {
        this.capacity = Math.max(1, capacity);
        this.maxAgeNanos = maxAgeNanos;
        this.sequences = new int[this.capacity];
        this.locations = new int[this.capacity];
        this.incarnations = new byte[this.capacity];
        this.afFlags = new byte[this.capacity];
        this.sentNanos = new long[this.capacity];
        this.payloads = new ByteBuf[this.capacity];
    }

    int capacity() {
        return capacity;
    }

    /** Keeps a packet just sent; takes ownership of {@code payload} (a retained duplicate). */
    void put(int sequence, int locationId, int playIncarnation, int af, ByteBuf payload, long nowNanos) {
        int i = Integer.remainderUnsigned(sequence, capacity);
        if (payloads[i] != null) {
            payloads[i].release();
        }
        sequences[i] = sequence;
        locations[i] = locationId;
        incarnations[i] = (byte) playIncarnation;
        afFlags[i] = (byte) af;
        sentNanos[i] = nowNanos;
        payloads[i] = payload;
    }

    /** The slot of {@code sequence} if it was sent within the window's age; -1 if unknown or too old. */
    int find(int sequence, long nowNanos) {
        int i = Integer.remainderUnsigned(sequence, capacity);
        return payloads[i] != null && sequences[i] == sequence && nowNanos - sentNanos[i] <= maxAgeNanos ? i : -1;
    }

    /** Size of the datagram that resends slot {@code i}. */
    int datagramSize(int i) {
        return io.mmsedge.protocol.mms.DataPacket.HEADER_SIZE + payloads[i].readableBytes();
    }

    /** A new datagram carrying slot {@code i}'s packet exactly as it was first sent. */
    ByteBuf datagram(int i, ByteBufAllocator alloc) {
        return DataDatagram.encode(alloc, locations[i], incarnations[i] & 0xFF, afFlags[i] & 0xFF,
                payloads[i].retainedDuplicate());
    }

    /** Forgets every packet (a new play request restarts the sequence, §2.2.2). */
    void clear() {
        for (int i = 0; i < capacity; i++) {
            if (payloads[i] != null) {
                payloads[i].release();
                payloads[i] = null;
            }
        }
    }
}
