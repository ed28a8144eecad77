package io.mmsedge.protocol.mms;

import io.netty.buffer.ByteBuf;

/**
 * TcpMessageHeader (MS-MMSP §2.2.3): the 32-byte header in front of the MMS messages of a command
 * sent over TCP.
 *
 * <p>Unsigned 8/16-bit fields are held as non-negative {@code int}s, unsigned 32-bit fields in
 * {@code int} (bit pattern), {@code timeSent} in {@code long}.
 *
 * <p>{@code messageLength} is the size of the MMS message field plus 16, so the whole command is
 * {@code messageLength + 16} bytes. Every real client and server writes {@code chunkCount =
 * messageLength / 8} (the spec's text disagrees); receivers read by {@code messageLength} only.
 */
public record TcpMessageHeader(int rep, int version, int versionMinor, int padding, int sessionId, int messageLength,
        int seal, int chunkCount, int seq, int mbz, long timeSent) {

    /** Size of the header in bytes. */
    public static final int SIZE = 32;
    /** The fixed sessionId value (2953575118). */
    public static final int SESSION_ID = 0xB00BFACE;
    /** The fixed seal value, ASCII "MMS ". */
    public static final int SEAL = 0x20534D4D;
    /** Bytes of the command counted by messageLength that precede the MMS messages. */
    public static final int LENGTH_BIAS = 16;

    /**
     * A canonical header for an MMS message field of {@code bodyLength} bytes (a multiple of 8):
     * rep 1, version 0.0, MBZ 0, chunkCount = messageLength / 8.
     */
    public static TcpMessageHeader of(int seq, long timeSent, int bodyLength) {
        if (bodyLength < 0 || (bodyLength & 7) != 0) {
            throw new IllegalArgumentException("body length must be a non-negative multiple of 8: " + bodyLength);
        }
        int messageLength = bodyLength + LENGTH_BIAS;
        return new TcpMessageHeader(1, 0, 0, 0, SESSION_ID, messageLength, SEAL, messageLength >>> 3,
                seq & 0xFFFF, 0, timeSent);
    }

    /** Total size of the command (header + MMS messages) in bytes, from messageLength. */
    public long totalLength() {
        return Integer.toUnsignedLong(messageLength) + LENGTH_BIAS;
    }

    /**
     * Why chunkCount is implausible, or null. Receivers read by messageLength, but a chunkCount
     * that is neither what every player writes (messageLength / 8) nor what §2.2.3's text says
     * (the whole command, (messageLength + 16) / 8) marks a sender that is not a player (issue
     * #17, finding 7).
     */
    public String chunkCountProblem() {
        long players = Integer.toUnsignedLong(messageLength) / 8;
        long spec = totalLength() / 8;
        long have = Integer.toUnsignedLong(chunkCount);
        return have == players || have == spec ? null
                : "chunkCount " + have + " is neither messageLength/8 (" + players + ") nor the command's size/8 ("
                        + spec + ")";
    }

    /** Writes the 32 header bytes at the writer index. */
    public void encode(ByteBuf out) {
        out.writeByte(rep);
        out.writeByte(version);
        out.writeByte(versionMinor);
        out.writeByte(padding);
        out.writeIntLE(sessionId);
        out.writeIntLE(messageLength);
        out.writeIntLE(seal);
        out.writeIntLE(chunkCount);
        out.writeShortLE(seq);
        out.writeShortLE(mbz);
        out.writeLongLE(timeSent);
    }

    /**
     * Reads the 32 header bytes at {@code index} without moving any index. Does not validate
     * sessionId or seal (the frame decoder does).
     *
     * @throws MmsDecodeException if fewer than 32 bytes are readable from {@code index}
     */
    public static TcpMessageHeader decode(ByteBuf in, int index) {
        if (index < in.readerIndex() || in.writerIndex() - index < SIZE) {
            throw new MmsDecodeException("TcpMessageHeader", "rep",
                    "truncated: need " + SIZE + " bytes, have " + Math.max(0, in.writerIndex() - index));
        }
        return new TcpMessageHeader(
                in.getUnsignedByte(index),
                in.getUnsignedByte(index + 1),
                in.getUnsignedByte(index + 2),
                in.getUnsignedByte(index + 3),
                in.getIntLE(index + 4),
                in.getIntLE(index + 8),
                in.getIntLE(index + 12),
                in.getIntLE(index + 16),
                in.getUnsignedShortLE(index + 20),
                in.getUnsignedShortLE(index + 22),
                in.getLongLE(index + 24));
    }
}
