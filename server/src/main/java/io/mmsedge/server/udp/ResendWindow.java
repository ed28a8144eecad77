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
 * retained duplicates; a split's players keep only the header fields of a packet whose payload
 * is in the split's {@link SharedResendWindow} and take it from there when asked. Used on the
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
    /** Slots whose payload is {@link #shared}'s packet of the slot's LocationId. */
    private final boolean[] inShared;
    private final int[] lengths;
    private final SharedResendWindow shared;

    ResendWindow(int capacity, long maxAgeNanos) {
        this(capacity, maxAgeNanos, null);
    }

    /** @param shared where the payloads of a split's packets are kept, or null */
    ResendWindow(int capacity, long maxAgeNanos, SharedResendWindow shared) {
        this.shared = shared;
        this.capacity = Math.max(1, capacity);
        this.maxAgeNanos = maxAgeNanos;
        this.sequences = new int[this.capacity];
        this.locations = new int[this.capacity];
        this.incarnations = new byte[this.capacity];
        this.afFlags = new byte[this.capacity];
        this.sentNanos = new long[this.capacity];
        this.payloads = new ByteBuf[this.capacity];
        this.inShared = new boolean[this.capacity];
        this.lengths = new int[this.capacity];
    }

    int capacity() {
        return capacity;
    }

    /**
     * Keeps a packet just sent; takes ownership of {@code payload} (a retained duplicate), or,
     * if {@code payload} is null, remembers that its payload is the shared window's
     * {@code locationId}.
     */
    void put(int sequence, int locationId, int playIncarnation, int af, ByteBuf payload, long nowNanos) {
        int i = Integer.remainderUnsigned(sequence, capacity);
        if (payloads[i] != null) {
            payloads[i].release();
        }
        inShared[i] = payload == null;
        lengths[i] = payload == null ? 0 : payload.readableBytes();
        sequences[i] = sequence;
        locations[i] = locationId;
        incarnations[i] = (byte) playIncarnation;
        afFlags[i] = (byte) af;
        sentNanos[i] = nowNanos;
        payloads[i] = payload;
    }

    /** True if slot {@code i}'s payload is the shared window's (the player kept no buffer of its own). */
    boolean sharedSlot(int i) {
        return inShared[i];
    }

    /** The slot of {@code sequence} if it was sent within the window's age; -1 if unknown or too old. */
    int find(int sequence, long nowNanos) {
        int i = Integer.remainderUnsigned(sequence, capacity);
        return (payloads[i] != null || inShared[i]) && sequences[i] == sequence && nowNanos - sentNanos[i] <= maxAgeNanos ? i : -1;
    }

    /** Size of the datagram that resends slot {@code i} (a player's own payload; see {@link #sharedSlot}). */
    int datagramSize(int i) {
        return io.mmsedge.protocol.mms.DataPacket.HEADER_SIZE + lengths[i];
    }

    /**
     * A new datagram carrying slot {@code i}'s packet exactly as it was first sent: its payload
     * behind this player's header; null if the payload was in the shared window and has left it.
     */
    ByteBuf datagram(int i, ByteBufAllocator alloc) {
        ByteBuf payload = inShared[i] ? shared.retainedPayload(locations[i]) : payloads[i].retainedDuplicate();
        if (payload == null) {
            return null;
        }
        return DataDatagram.encode(alloc, locations[i], incarnations[i] & 0xFF, afFlags[i] & 0xFF, payload);
    }

    /** Forgets every packet (a new play request restarts the sequence, §2.2.2). */
    void clear() {
        for (int i = 0; i < capacity; i++) {
            if (payloads[i] != null) {
                payloads[i].release();
                payloads[i] = null;
            }
            inShared[i] = false;
        }
    }
}
