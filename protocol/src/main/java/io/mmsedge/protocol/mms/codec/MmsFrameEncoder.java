package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.TcpMessageHeader;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.Objects;

/**
 * Encodes {@link MmsMessage}s into TcpMessageHeader frames (exactly one message per frame, §3.2.5.2)
 * and {@link DataPacket}s into an 8-byte header buffer followed by the payload buffer itself (never
 * copied). Other messages pass through.
 *
 * <p>Stateful (seq and the time base are per channel): one instance per channel, not sharable.
 * Frames carry rep 1, seq counting from 0, timeSent = milliseconds since the first frame,
 * messageLength = total − 16, chunkCount = messageLength / 8, MBZ 0.
 */
public class MmsFrameEncoder extends MessageToMessageEncoder<Object> {

    private int seq;
    private long firstFrameNanos;
    private boolean started;

    public MmsFrameEncoder() {
        super(Object.class);
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof MmsMessage || msg instanceof DataPacket;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof MmsMessage m) {
            long now = System.nanoTime();
            if (!started) {
                started = true;
                firstFrameNanos = now;
            }
            long timeSent = (now - firstFrameNanos) / 1_000_000L;
            ByteBuf frame = encodeFrame(ctx.alloc(), seq, timeSent, m);
            seq = (seq + 1) & 0xFFFF;
            out.add(frame);
        } else {
            DataPacket p = (DataPacket) msg;
            ByteBuf payload = p.content();
            out.add(dataHeader(ctx.alloc(), p.locationId(), p.playIncarnation(), p.afFlags(), payload));
            out.add(payload.retain());
        }
    }

    /** Sequence number of the next command frame. */
    public int nextSeq() {
        return seq;
    }

    /**
     * The 8-byte header of a Data packet carrying {@code payload} (§2.2.2), in a buffer of its own
     * from {@code alloc}, for sending in front of a payload shared by many players.
     *
     * @throws IllegalArgumentException if the packet would exceed PacketSize 65535
     */
    public static ByteBuf dataHeader(io.netty.buffer.ByteBufAllocator alloc, int locationId, int playIncarnation,
                                     int afFlags, ByteBuf payload) {
        int size = dataPacketSize(payload);
        ByteBuf header = alloc.buffer(DataPacket.HEADER_SIZE);
        writeDataHeader(header, locationId, playIncarnation, afFlags, size);
        return header;
    }

    /**
     * PacketSize of a Data packet carrying {@code payload} (§2.2.2).
     *
     * @throws IllegalArgumentException if it would exceed 65535
     */
    public static int dataPacketSize(ByteBuf payload) {
        int size = DataPacket.HEADER_SIZE + payload.readableBytes();
        if (size > DataPacket.MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("Data packet of " + size + " bytes exceeds PacketSize 65535");
        }
        return size;
    }

    /** Writes the 8-byte Data packet header. */
    public static void writeDataHeader(ByteBuf out, int locationId, int playIncarnation, int afFlags, int packetSize) {
        out.writeIntLE(locationId);
        out.writeByte(playIncarnation);
        out.writeByte(afFlags);
        out.writeShortLE(packetSize);
    }

    /** One complete command frame: canonical TcpMessageHeader followed by the encoded message. */
    public static ByteBuf encodeFrame(ByteBufAllocator alloc, int seq, long timeSent, MmsMessage message) {
        Objects.requireNonNull(message, "message");
        ByteBuf buf = alloc.buffer(128);
        try {
            buf.writeZero(TcpMessageHeader.SIZE);
            MmsMessageCodec.encode(message, buf);
            int body = buf.readableBytes() - TcpMessageHeader.SIZE;
            int end = buf.writerIndex();
            buf.writerIndex(buf.readerIndex());
            TcpMessageHeader.of(seq, timeSent, body).encode(buf);
            buf.writerIndex(end);
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }
}
