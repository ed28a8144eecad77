package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * A Data packet (MS-MMSP §2.2.2) sent over UDP: exactly one packet per datagram, its PacketSize
 * the datagram's length (§2.2.3: TcpMessageHeader is not used over UDP). Also the two
 * packet-pair packets the server sends over UDP before the header (§3.2.5.8, §4.4.1).
 */
public final class DataDatagram {

    /** LocationId of the first packet-pair packet; the second is this + 1 (§2.2.2). */
    public static final int PACKET_PAIR_LOCATION = 0xF0F0F000;
    /** §3.2.5.8: each packet-pair payload SHOULD be 1,464 bytes (1,472 with the header, §4.4.1). */
    public static final int PACKET_PAIR_PAYLOAD = 1464;

    private DataDatagram() {
    }

    /**
     * The datagram's bytes: a fresh 8-byte header and {@code payload} behind it, without copying
     * the payload. Takes ownership of {@code payload}.
     *
     * @throws IllegalArgumentException (payload released) if the packet exceeds PacketSize 65535
     */
    public static ByteBuf encode(ByteBufAllocator alloc, int locationId, int playIncarnation, int afFlags,
                                 ByteBuf payload) {
        return encode(alloc.buffer(DataPacket.HEADER_SIZE), locationId, playIncarnation, afFlags, payload);
    }

    /**
     * The same with the header written into {@code header}, an empty buffer with 8 writable bytes
     * (on the streaming path, a slice of the event loop's prefix block instead of an allocation
     * per datagram per player). Takes ownership of both buffers.
     *
     * @throws IllegalArgumentException (both released) if the packet exceeds PacketSize 65535
     */
    public static ByteBuf encode(ByteBuf header, int locationId, int playIncarnation, int afFlags, ByteBuf payload) {
        int size;
        try {
            size = MmsFrameEncoder.dataPacketSize(payload);
        } catch (IllegalArgumentException tooLarge) {
            payload.release();
            header.release();
            throw tooLarge;
        }
        MmsFrameEncoder.writeDataHeader(header, locationId, playIncarnation, afFlags, size);
        return Unpooled.wrappedUnmodifiableBuffer(header, payload);
    }

    /**
     * Decodes one datagram as a Data packet whose content is a retained slice of {@code datagram}
     * (indices unchanged). The caller releases the packet.
     *
     * @throws MmsDecodeException if the datagram is shorter than a header or PacketSize differs
     *                            from its length
     */
    public static DataPacket decode(ByteBuf datagram) {
        int start = datagram.readerIndex();
        int len = datagram.readableBytes();
        if (len < DataPacket.HEADER_SIZE) {
            throw new MmsDecodeException("Data", "PacketSize", "datagram of " + len + " bytes has no header");
        }
        int size = datagram.getUnsignedShortLE(start + 6);
        if (size != len) {
            throw new MmsDecodeException("Data", "PacketSize", "says " + size + " bytes, datagram has " + len);
        }
        return new DataPacket(datagram.getIntLE(start), datagram.getUnsignedByte(start + 4),
                datagram.getUnsignedByte(start + 5),
                datagram.retainedSlice(start + DataPacket.HEADER_SIZE, len - DataPacket.HEADER_SIZE));
    }

    /** True for a packet-pair packet (§2.2.2: AFFlags 0x10, playIncarnation 0xFF). */
    public static boolean isPacketPair(DataPacket p) {
        return p.afFlags() == DataPacket.AF_PACKET_PAIR && p.playIncarnation() == DataPacket.PACKET_PAIR_INCARNATION;
    }
}
