package io.mmsedge.server.session;

import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Data packet payloads that make FFmpeg's MMS client stop when the server goes away
 * ({@link ClientQuirks#stopsOnlyOnBadPacket}). Why so many steps, as read in FFmpeg's
 * libavformat/mmst.c and asfdec_f.c:
 * <ul>
 *   <li>mmst.c's read returns 0 for every failure (closed or reset connection, EndOfStream),
 *       and libavformat calls a read that returned 0 again at once: the player spins for ever.
 *       Its one error is a Data packet longer than the file's packet size (EIO), and after it
 *       the next read still returns that packet's bytes;</li>
 *   <li>the ASF demuxer ignores that EIO (its end-of-file check reads again), except where it
 *       reads a payload of a stream it keeps and gets no byte of it: that error ends ffmpeg's
 *       input, ffmpeg writes its output and exits.</li>
 * </ul>
 * So each payload here is a well-formed ASF data packet (ECC, multiple payloads) whose first
 * payload, of a stream the content does not have, fills it, and whose last payload header, for
 * one of the content's streams, ends exactly at the end of the packet, its one byte of data
 * promised but not there: the demuxer's read of it meets the next, oversized packet's EIO. If
 * the player dropped that stream (ffmpeg -map), the demuxer skips it, the EIO is lost, and the
 * oversized packet's own bytes are the next try for the next stream. Video streams go first,
 * then audio, then the rest: the ones a player keeps most often.
 *
 * <p>At the end of a file they are what FFmpeg reads past the last packet and the EndOfStream
 * (ServerSession#endOfContent), where without them it waits for ever: when ffmpeg decodes
 * audio, the ASF demuxer is asked for a packet again after it has reported its end, and
 * asfdec_f.c then skips the last packet's
 * padding length once more before it sees that it is past the data object (a pipe fed the file
 * plus exactly that many bytes ends; one byte fewer and ffmpeg waits for the pipe to close). The
 * first payload here, as long as the content's packets, feeds that skip without an error message
 * (the EndOfStream before it costs one, "Corrupt stream"); if the player reads on (ffplay), the
 * oversized ones end its input.
 */
final class FfmpegStop {

    /** ECC (3), flags, property, WORD length, send time (4), duration (2), payload count. */
    private static final int PACKET_HEADER = 14;
    /** The filler payload's header: stream, object number, DWORD offset, replicated size 0, WORD length. */
    private static final int FILLER_HEADER = 9;
    /** The last payload's header: as the filler's plus 8 bytes of replicated data (object size, time). */
    private static final int LAST_HEADER = 17;
    /** Bytes of the last payload promised and never sent. */
    private static final int MISSING = 1;
    private static final int MAX_TARGETS = 8;

    private FfmpegStop() {
    }

    /**
     * The payloads to send, in order: the first as long as the content's packets, the others one
     * byte longer. Empty when the packet size leaves no room for them.
     */
    static List<ByteBuf> payloads(ContentInfo info) {
        int size = info.packetSize();
        List<ByteBuf> out = new ArrayList<>();
        if (size < PACKET_HEADER + FILLER_HEADER + LAST_HEADER || size + 1 + MISSING + 8 > 0xFFFF) {
            return out;
        }
        List<ContentInfo.StreamInfo> targets = info.streams().stream()
                .sorted(Comparator.comparing((ContentInfo.StreamInfo s) -> !s.video()).thenComparing(s -> !s.audio()))
                .limit(MAX_TARGETS).toList();
        int unused = unusedStream(info);
        for (int i = 0; i < targets.size(); i++) {
            out.add(packet(i == 0 ? size : size + 1, unused, targets.get(i).number()));
        }
        out.add(Unpooled.buffer(size + 1).writeZero(size + 1));
        return out;
    }

    private static ByteBuf packet(int length, int fillerStream, int target) {
        int filler = length - PACKET_HEADER - FILLER_HEADER - LAST_HEADER;
        ByteBuf b = Unpooled.buffer(length);
        b.writeByte(0x82).writeShort(0);           // error correction present, 2 bytes of it
        b.writeByte(0x41);                         // multiple payloads, WORD packet length
        b.writeByte(0x5D);                         // BYTE replicated size, DWORD offset, BYTE object number
        b.writeShortLE(length + MISSING);          // the packet says it holds the missing byte
        b.writeIntLE(0).writeShortLE(0);           // send time, duration
        b.writeByte(0x80 | 2);                     // two payloads, WORD payload lengths
        b.writeByte(fillerStream).writeByte(0).writeIntLE(0).writeByte(0).writeShortLE(filler);
        b.writeZero(filler);
        b.writeByte(0x80 | target).writeByte(0).writeIntLE(0).writeByte(8);
        b.writeIntLE(MISSING).writeIntLE(0);       // replicated data: media object size, presentation time
        b.writeShortLE(MISSING);
        return b;
    }

    private static int unusedStream(ContentInfo info) {
        for (int n = 127; n > 0; n--) {
            int candidate = n;
            if (info.streams().stream().noneMatch(s -> s.number() == candidate)) {
                return n;
            }
        }
        return 127;
    }
}
