package io.mmsedge.server.mmsh;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.mmsedge.server.net.PacketBatch;
import io.mmsedge.server.play.PlayerTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Frames the play session's output as MMSH packets ([MS-WMSP] §2.2.3): the ASF header as
 * {@code $H}, data packets as {@code $D}, each a small per-player prefix followed by the shared
 * payload buffer as is (padding stays stripped: FFmpeg and VLC pad a short $D to the packet
 * size themselves, §2.2.3.3).
 *
 * <p>The whole ASF header goes in one {@code $H}: FFmpeg parses the first $H it gets as the
 * whole header and fails on one split across several. A header larger than one $H can carry
 * (65,527 bytes, §2.2.3.1.1) goes in several, which VLC joins.
 */
final class MmshFraming implements PlayerTransport {

    /** Where framed bytes go (the connection, in order); takes ownership. */
    interface Out {
        void write(ByteBuf buf);

        /**
         * A {@code $D} of {@code payload} (checked to fit), whose prefix carries this LocationId
         * and AFFlags: the connection writes it behind its own prefix ({@link #DATA_PREFIX}).
         */
        void writePacket(int locationId, int afFlags, ByteBuf payload);
    }

    /** A {@code $D}'s 12-byte prefix (§2.2.3.1), from the LocationId and AFFlags in its fields. */
    static final PacketBatch.Prefix DATA_PREFIX = new PacketBatch.Prefix() {
        @Override
        public int size() {
            return MmshFrames.PREFIX_SIZE;
        }

        @Override
        public void write(ByteBuf out, long fields, int payloadBytes) {
            MmshFrames.putDataHeader(out, MmshFrames.DATA, (int) fields, 0, (int) (fields >>> 32) & 0xFF, payloadBytes);
        }
    };

    /** The fields {@link #DATA_PREFIX} writes from. */
    static long dataFields(int locationId, int afFlags) {
        return (locationId & 0xFFFFFFFFL) | (long) (afFlags & 0xFF) << 32;
    }

    private final Out out;
    private final ByteBufAllocator alloc;
    /** AFFlags of the next $D: a sequence number, as over MMS (§2.2.3.1.2). */
    private int sequence;

    MmshFraming(Out out, ByteBufAllocator alloc) {
        this.out = out;
        this.alloc = alloc;
    }

    /** Bytes a whole header of {@code size} bytes takes framed: what a Describe's Content-Length says. */
    static int framedHeaderSize(int size) {
        int packets = Math.max(1, (size + MmshFrames.MAX_PAYLOAD - 1) / MmshFrames.MAX_PAYLOAD);
        return size + packets * MmshFrames.PREFIX_SIZE;
    }

    /**
     * One $H per piece; the core sends the whole header as one piece unless it is larger than a
     * $H can carry (see {@link #maxHeaderPart}).
     */
    @Override
    public void sendHeaderPart(int index, ByteBuf part, boolean last) {
        ByteBuf prefix;
        try {
            prefix = MmshFrames.dataHeader(alloc, MmshFrames.HEADER, index, 0,
                    last ? MmshFrames.AF_HEADER_LAST : MmshFrames.AF_HEADER_PART, part.readableBytes());
        } catch (IllegalArgumentException tooLarge) {
            part.release();
            throw tooLarge;
        }
        out.write(prefix);
        out.write(part);
    }

    /** FFmpeg parses the first $H as the whole ASF header, so the header goes in as few as fit. */
    @Override
    public int maxHeaderPart(ContentInfo info) {
        return MmshFrames.MAX_PAYLOAD;
    }

    @Override
    public void sendPacket(long number, ByteBuf payload) {
        int size = payload.readableBytes();
        if (!MmshFrames.fitsPayload(size)) {
            payload.release();
            throw MmshFrames.tooLarge(MmshFrames.DATA, size);
        }
        int af = sequence & 0xFF;
        sequence++;
        out.writePacket((int) number, af, payload);
    }

    /** {@code $E} (§2.2.3.4). */
    void endOfStream(int hr) {
        out.write(MmshFrames.endOfStream(alloc, hr));
    }

    /** {@code $C} (§2.2.3.2): a new entry, whose $H follows; the $D sequence starts again. */
    void streamChange() {
        sequence = 0;
        out.write(MmshFrames.streamChange(alloc, 0));
    }

}
