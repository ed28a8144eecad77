package io.mmsedge.protocol.mms;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A Data packet (MS-MMSP §2.2.2): 8-byte header (LocationId u32, playIncarnation u8, AFFlags u8,
 * PacketSize u16) followed by the payload. {@link #content()} is the payload only; PacketSize is
 * derived ({@code HEADER_SIZE + content().readableBytes()}) when encoding.
 *
 * <p>Reference counted through its payload. The frame decoder hands out a retained slice of its
 * input (no copy); the frame encoder writes the payload buffer itself (no copy), so one payload may
 * be shared by many clients via {@link #retainedDuplicate()}.
 */
public class DataPacket extends DefaultByteBufHolder {

    /** Size of the Data packet header. */
    public static final int HEADER_SIZE = 8;
    /** Largest PacketSize (u16). */
    public static final int MAX_PACKET_SIZE = 0xFFFF;
    /** AFFlags of a non-final ASF file header packet. */
    public static final int AF_HEADER_PART = 0x04;
    /** AFFlags of the final ASF file header packet. */
    public static final int AF_HEADER_LAST = 0x0C;
    /** AFFlags of a final header part without the 0x04 bit, accepted as the spec allows. */
    public static final int AF_HEADER_LAST_ALT = 0x08;
    /** AFFlags of a packet-pair packet. */
    public static final int AF_PACKET_PAIR = 0x10;
    /** playIncarnation of packet-pair packets. */
    public static final int PACKET_PAIR_INCARNATION = 0xFF;

    private final int locationId;
    private final int playIncarnation;
    private final int afFlags;

    /**
     * @param playIncarnation 0..255 (the low 8 bits of the triggering message's playIncarnation)
     * @param afFlags 0..255
     * @param content the payload; ownership passes to this packet
     */
    public DataPacket(int locationId, int playIncarnation, int afFlags, ByteBuf content) {
        super(content);
        if ((playIncarnation & ~0xFF) != 0) {
            throw new IllegalArgumentException("playIncarnation must be 0..255: " + playIncarnation);
        }
        if ((afFlags & ~0xFF) != 0) {
            throw new IllegalArgumentException("afFlags must be 0..255: " + afFlags);
        }
        this.locationId = locationId;
        this.playIncarnation = playIncarnation;
        this.afFlags = afFlags;
    }

    public int locationId() {
        return locationId;
    }

    public int playIncarnation() {
        return playIncarnation;
    }

    public int afFlags() {
        return afFlags;
    }

    /** PacketSize as it is (or would be) on the wire: header + payload. */
    public int packetSize() {
        return HEADER_SIZE + content().readableBytes();
    }

    @Override
    public DataPacket copy() {
        return (DataPacket) super.copy();
    }

    @Override
    public DataPacket duplicate() {
        return (DataPacket) super.duplicate();
    }

    @Override
    public DataPacket retainedDuplicate() {
        return (DataPacket) super.retainedDuplicate();
    }

    /** A packet with the same header fields and the given payload. */
    @Override
    public DataPacket replace(ByteBuf content) {
        return new DataPacket(locationId, playIncarnation, afFlags, content);
    }

    /** A packet with the same payload buffer (retained) and another playIncarnation / AFFlags. */
    public DataPacket retainedWithHeader(int locationId, int playIncarnation, int afFlags) {
        return new DataPacket(locationId, playIncarnation, afFlags, content().retainedDuplicate());
    }

    @Override
    public DataPacket retain() {
        super.retain();
        return this;
    }

    @Override
    public DataPacket retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public DataPacket touch() {
        super.touch();
        return this;
    }

    @Override
    public DataPacket touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataPacket d && d.getClass() == getClass() && locationId == d.locationId
                && playIncarnation == d.playIncarnation && afFlags == d.afFlags && content().equals(d.content());
    }

    @Override
    public int hashCode() {
        return ((locationId * 31 + playIncarnation) * 31 + afFlags) * 31 + content().hashCode();
    }

    @Override
    public String toString() {
        return "DataPacket[locationId=" + Integer.toUnsignedString(locationId) + ", playIncarnation=" + playIncarnation
                + ", afFlags=0x" + Integer.toHexString(afFlags) + ", payload=" + content().readableBytes() + " bytes"
                + (refCnt() == 0 ? ", released" : "") + "]";
    }
}
