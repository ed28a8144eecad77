package io.mmsedge.protocol.mmsh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Decodes an MMSH response body ([MS-WMSP] §2.2.3) into {@link MmshFrame}s: for tests and the
 * upstream client. Bounded by construction (PacketLength is 16 bits) and by {@code maxFrame};
 * a bad Frame byte, an unknown PacketID or inconsistent lengths fail the stream, which can no
 * longer be trusted.
 */
public final class MmshFrameDecoder extends ByteToMessageDecoder {

    private final int maxFrame;

    /** @param maxFrame the largest PacketLength accepted (at most 65535) */
    public MmshFrameDecoder(int maxFrame) {
        this.maxFrame = Math.min(maxFrame, 0xFFFF);
    }

    public MmshFrameDecoder() {
        this(0xFFFF);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        MmshFrame f;
        while ((f = decodeOne(in, maxFrame)) != null) {
            out.add(f);
        }
    }

    /**
     * Decodes one packet from {@code in}, or returns null (reading nothing) if it is not complete.
     *
     * @throws CorruptedFrameException if the bytes are not an MMSH packet
     */
    public static MmshFrame decodeOne(ByteBuf in, int maxFrame) {
        if (in.readableBytes() < MmshFrames.FRAMING_HEADER_SIZE) {
            return null;
        }
        int start = in.readerIndex();
        int first = in.getUnsignedByte(start);
        if ((first & 0x7F) != MmshFrames.FRAME) {
            throw new CorruptedFrameException("MMSH framing: Frame is 0x" + Integer.toHexString(first & 0x7F)
                    + ", not 0x24");
        }
        int id = in.getUnsignedByte(start + 1);
        int length = in.getUnsignedShortLE(start + 2);
        if (length > maxFrame) {
            throw new CorruptedFrameException("MMSH $" + (char) id + " PacketLength " + length + " > " + maxFrame);
        }
        boolean dataHeader = MmshFrames.hasDataHeader(id);
        boolean reason = id == MmshFrames.END_OF_STREAM || id == MmshFrames.STREAM_CHANGE;
        if (!dataHeader && !reason && id != MmshFrames.METADATA && id != MmshFrames.PACKET_PAIR) {
            throw new CorruptedFrameException("MMSH unknown PacketID 0x" + Integer.toHexString(id));
        }
        if ((dataHeader && length < MmshFrames.DATA_HEADER_SIZE) || (reason && length < 4)) {
            throw new CorruptedFrameException("MMSH $" + (char) id + " PacketLength " + length + " too short");
        }
        if (in.readableBytes() < MmshFrames.FRAMING_HEADER_SIZE + length) {
            return null;
        }
        in.skipBytes(MmshFrames.FRAMING_HEADER_SIZE);
        boolean b = (first & MmshFrames.B_FLAG) != 0;
        if (dataHeader) {
            long loc = in.readUnsignedIntLE();
            int inc = in.readUnsignedByte();
            int af = in.readUnsignedByte();
            int packetSize = in.readUnsignedShortLE();
            if (packetSize != length) {
                in.readerIndex(start);
                throw new CorruptedFrameException("MMSH $" + (char) id + " PacketSize " + packetSize
                        + " != PacketLength " + length);
            }
            return new MmshFrame(id, b, loc, inc, af, 0, in.readRetainedSlice(length - MmshFrames.DATA_HEADER_SIZE));
        }
        if (reason) {
            int hr = in.readIntLE();
            // §2.2.3.2: a $C MAY carry more; it is skipped (its $H packets follow anyway).
            in.skipBytes(length - 4);
            return new MmshFrame(id, b, 0, 0, 0, hr, in.alloc().buffer(0));
        }
        return new MmshFrame(id, b, 0, 0, 0, 0, in.readRetainedSlice(length));
    }
}
