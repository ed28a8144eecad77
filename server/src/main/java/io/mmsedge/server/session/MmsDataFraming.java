package io.mmsedge.server.session;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.server.play.PlayerTransport;
import io.netty.buffer.ByteBuf;

/**
 * Frames the play session's output as MMS Data packets (§2.2.2): header pieces flagged as such,
 * ASF packets with the session's Incarnation and Sequence (§3.2.1), over the session's
 * {@link DataFunnel}: the TCP connection or UDP.
 */
final class MmsDataFraming implements PlayerTransport {

    /** MPlayer's header buffer is 8 KiB, so a header piece and its Data packet header fit in that. */
    private static final int MAX_HEADER_PART = 8192 - DataPacket.HEADER_SIZE;

    private final DataFunnel funnel;
    /** Incarnation (§3.2.1): playIncarnation of the Data packets now being sent. */
    private int incarnation;
    /** Sequence (§3.2.1): AFFlags of the next ASF data packet. */
    private int sequence;

    MmsDataFraming(DataFunnel funnel) {
        this.funnel = funnel;
    }

    /** The playIncarnation the next Data packets carry (ReadBlock's, a play request's, or 0xFF). */
    void incarnation(int playIncarnation) {
        incarnation = playIncarnation & 0xFF;
    }

    /** §2.2.2: after AFFlags 0xFE the first packet of a new play request SHOULD be 0x00. */
    void newPlayRequest() {
        if ((sequence & 0xFF) == 0xFF) {
            sequence = 0;
        }
        funnel.newPlayRequest();
    }

    @Override
    public void sendHeaderPart(int index, ByteBuf part, boolean last) {
        funnel.sendHeaderPart(index, incarnation, last ? DataPacket.AF_HEADER_LAST : DataPacket.AF_HEADER_PART, part);
    }

    @Override
    public void sendPacket(long number, ByteBuf payload) {
        // The full 32-bit Sequence (§3.2.1): AFFlags is its low byte; UDP resends name all of it.
        funnel.sendPacket(sequence, (int) number, incarnation, payload);
        sequence++;
    }

    /** The Data packets that make FFmpeg stop at shutdown or at the end ({@link FfmpegStop}). */
    void sendFfmpegStop(ContentInfo info) {
        for (ByteBuf payload : FfmpegStop.payloads(info)) {
            funnel.sendPacket(sequence, 0, incarnation, payload);
            sequence++;
        }
    }

    /** A header piece is never larger than the ASF packet size (§3.2.5.8.1), nor than MPlayer's buffer. */
    @Override
    public int maxHeaderPart(ContentInfo info) {
        return Math.min(info.packetSize(), MAX_HEADER_PART);
    }
}
