package io.mmsedge.protocol.mmsh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Framing of an MMSH response body ([MS-WMSP] §2.2.3): every packet starts with a 4-byte
 * Framing header (B flag and Frame 0x24, PacketID, little-endian PacketLength, §2.2.3.1.1).
 * {@code $H} and {@code $D} then carry the 8-byte MMS data packet header (LocationId,
 * Incarnation, AFFlags, PacketSize, §2.2.3.1.2) and their payload; {@code $E} and {@code $C}
 * carry a 4-byte Reason (an HRESULT). These helpers write the headers only, so that a shared
 * payload buffer can follow them unchanged.
 */
public final class MmshFrames {

    /** Frame with B = 0 (§2.2.3.1.1): '$'. */
    public static final int FRAME = 0x24;
    /** The B flag ("the next packet follows at once"); players ignore it, so we never set it. */
    public static final int B_FLAG = 0x80;

    public static final int HEADER = 'H';
    public static final int DATA = 'D';
    public static final int END_OF_STREAM = 'E';
    public static final int STREAM_CHANGE = 'C';
    public static final int METADATA = 'M';
    public static final int PACKET_PAIR = 'P';

    /** Framing header size (§2.2.3.1.1). */
    public static final int FRAMING_HEADER_SIZE = 4;
    /** MMS data packet header size (§2.2.3.1.2). */
    public static final int DATA_HEADER_SIZE = 8;
    /** Framing header plus MMS data packet header: what precedes a $H or $D payload. */
    public static final int PREFIX_SIZE = FRAMING_HEADER_SIZE + DATA_HEADER_SIZE;
    /** PacketLength is 16 bits and counts the 8-byte data header (§2.2.3.1.1). */
    public static final int MAX_PAYLOAD = 0xFFFF - DATA_HEADER_SIZE;

    /** AFFlags of $H pieces (§2.2.3.1.2, as MMS §2.2.2): a piece, and the last piece. */
    public static final int AF_HEADER_PART = 0x04;
    public static final int AF_HEADER_LAST = 0x0C;

    private MmshFrames() {
    }

    /**
     * The 12 bytes preceding a {@code $H} or {@code $D} payload of {@code payloadLength} bytes.
     * PacketLength and PacketSize both count the MMS data packet header and the payload: VLC
     * reads the payload length from PacketSize, FFmpeg from PacketLength.
     *
     * @throws IllegalArgumentException if the payload does not fit a 16-bit PacketLength
     */
    public static ByteBuf dataHeader(ByteBufAllocator alloc, int packetId, long locationId, int incarnation,
                                     int afFlags, int payloadLength) {
        return writeDataHeader(alloc.buffer(PREFIX_SIZE), packetId, locationId, incarnation, afFlags, payloadLength);
    }

    /**
     * Writes the {@value #PREFIX_SIZE}-byte prefix {@link #dataHeader} makes into {@code into}
     * (checked the same way before anything is written) and returns it.
     */
    public static ByteBuf writeDataHeader(ByteBuf into, int packetId, long locationId, int incarnation, int afFlags,
                                          int payloadLength) {
        if (!fitsPayload(payloadLength)) {
            into.release();
            throw tooLarge(packetId, payloadLength);
        }
        putDataHeader(into, packetId, locationId, incarnation, afFlags, payloadLength);
        return into;
    }

    /** The error for a payload that does not fit ({@link #fitsPayload}). */
    public static IllegalArgumentException tooLarge(int packetId, int payloadLength) {
        return new IllegalArgumentException("MMSH $" + (char) packetId + " payload of " + payloadLength
                + " bytes does not fit PacketLength (max " + MAX_PAYLOAD + ")");
    }

    /** Whether a payload of this many bytes fits one $H or $D (§2.2.3.1.1). */
    public static boolean fitsPayload(int payloadLength) {
        return payloadLength >= 0 && payloadLength <= MAX_PAYLOAD;
    }

    /**
     * Writes the prefix for a payload already checked with {@link #fitsPayload}, into a buffer
     * that is not the caller's to release (a loop's scratch memory).
     */
    public static void putDataHeader(ByteBuf into, int packetId, long locationId, int incarnation, int afFlags,
                                     int payloadLength) {
        int length = DATA_HEADER_SIZE + payloadLength;
        into.writeByte(FRAME).writeByte(packetId).writeShortLE(length);
        into.writeIntLE((int) locationId).writeByte(incarnation).writeByte(afFlags).writeShortLE(length);
    }

    /** A whole {@code $E} or {@code $C} packet: Framing header with PacketLength 4 and the Reason. */
    public static ByteBuf reasonPacket(ByteBufAllocator alloc, int packetId, int hr) {
        ByteBuf b = alloc.buffer(FRAMING_HEADER_SIZE + 4);
        b.writeByte(FRAME).writeByte(packetId).writeShortLE(4).writeIntLE(hr);
        return b;
    }

    /** {@code $E} (§2.2.3.4): hr 0 = the end, 1 (S_FALSE) = a playlist entry ended and $C follows. */
    public static ByteBuf endOfStream(ByteBufAllocator alloc, int hr) {
        return reasonPacket(alloc, END_OF_STREAM, hr);
    }

    /** {@code $C} (§2.2.3.2): the next playlist entry starts; its $H packets follow. */
    public static ByteBuf streamChange(ByteBufAllocator alloc, int hr) {
        return reasonPacket(alloc, STREAM_CHANGE, hr);
    }

    /** Bytes the three {@code $P} packets of a packet-pair experiment take, whatever the Reason. */
    public static final int PACKET_PAIR_BYTES = 3 * (FRAMING_HEADER_SIZE + 4) + 504 + 504 + 1048;

    /**
     * The three {@code $P} packets of a packet-pair experiment (§2.2.3.7), in order. The
     * Reason of each is {@code min(504, headBytes)}, the HTTP response's head size; PacketLength
     * is 504, 504 and 1048 as the spec fixes it, while the payloads are 504 - Reason (none when
     * the Reason is 504), 504, and 1048 + Reason bytes of random data: PacketLength is not the
     * payload's length here, and together they take {@link #PACKET_PAIR_BYTES} bytes.
     */
    public static ByteBuf packetPairs(ByteBufAllocator alloc, int headBytes, java.util.Random random) {
        int reason = Math.min(504, Math.max(0, headBytes));
        int[] lengthField = {504, 504, 1048};
        int[] payload = {reason == 504 ? 0 : 504 - reason, 504, 1048 + reason};
        ByteBuf b = alloc.buffer(PACKET_PAIR_BYTES);
        byte[] noise = new byte[1048 + 504];
        for (int i = 0; i < 3; i++) {
            random.nextBytes(noise);
            b.writeByte(FRAME).writeByte(PACKET_PAIR).writeShortLE(lengthField[i]).writeIntLE(reason);
            b.writeBytes(noise, 0, payload[i]);
        }
        return b;
    }

    /** True for the PacketIDs that carry an MMS data packet header ($H, $D). */
    public static boolean hasDataHeader(int packetId) {
        return packetId == HEADER || packetId == DATA;
    }
}
