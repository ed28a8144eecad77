package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.message.MessageType;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Objects;

/**
 * Encoder and decoder of single MMS messages (MS-MMSP §2.2.4), from {@code chunkLen} to the end of
 * the message's padding. Stateless and thread-safe.
 *
 * <p><b>Encoding</b> is canonical: fields in spec order, strings UTF-16LE with a terminating NUL,
 * zero padding to a multiple of 8, {@code chunkLen} = size / 8. Two server replies are padded
 * further with zeros to the minimum sizes VLC requires ({@link #MIN_REPORT_CONNECTED_EX} and
 * {@link #MIN_REPORT_OPEN_FILE} bytes, counted without the 32-byte TcpMessageHeader, so the check
 * holds whether VLC counts the header or not). Fields the spec says MUST be zero and that have no
 * record component (e.g. ReportOpenFile.unused1/unused2) are written as zeros and ignored on decode.
 *
 * <p><b>Decoding</b> is strict about structure and lenient about content: every count and length
 * read from the wire is checked against the bytes that remain before it is used, strings are bounded
 * by their field and stop at the first NUL (a missing NUL or garbage after it is tolerated), extra
 * trailing bytes after the last field are ignored, and values of MUST-be-ignored fields are kept in
 * the record so that re-encoding a canonical message reproduces its bytes exactly.
 *
 * <p>This class frames (chunkLen, MID, padding) and dispatches on {@link MessageType}: the MID
 * names the type and its direction, {@link ServerMessageCodec} holds the bodies of the
 * LinkMacToViewer* messages and {@link ClientMessageCodec} those of the LinkViewerToMac* ones.
 */
public final class MmsMessageCodec {

    /** Minimum encoded size of ReportConnectedEX (VLC rejects shorter ones). */
    public static final int MIN_REPORT_CONNECTED_EX = 96;
    /** Minimum encoded size of ReportOpenFile (VLC rejects shorter ones). */
    public static final int MIN_REPORT_OPEN_FILE = 112;
    /** Upper bound on StreamSwitch.cStreamEntries accepted on decode (ASF allows 127 streams). */
    public static final int MAX_STREAM_SWITCH_ENTRIES = 1024;
    /** Largest OpenFile.token offset the encoder honours (the gap before tokenData is zero-filled). */
    public static final int MAX_OPEN_FILE_TOKEN_OFFSET = 1 << 20;
    /** Size of chunkLen + MID. */
    public static final int PREFIX_SIZE = 8;

    private MmsMessageCodec() {
    }

    /**
     * Writes {@code m} at the writer index of {@code out}, starting with chunkLen and zero-padded to
     * a multiple of 8 bytes.
     *
     * @throws IllegalArgumentException if a value cannot be represented on the wire (e.g. a
     *         ReportRedirect location longer than 32766 characters)
     */
    public static void encode(MmsMessage m, ByteBuf out) {
        Objects.requireNonNull(m, "message");
        Objects.requireNonNull(out, "out");
        MessageType type = m.type();
        int start = out.writerIndex();
        out.writeIntLE(0); // chunkLen, patched below
        out.writeIntLE(type.mid());
        int minSize = switch (type.direction()) {
            case SERVER_TO_CLIENT -> ServerMessageCodec.encodeBody(m, out);
            case CLIENT_TO_SERVER -> {
                ClientMessageCodec.encodeBody(m, out);
                yield 0;
            }
        };
        int len = out.writerIndex() - start;
        int padded = Math.max((len + 7) & ~7, minSize);
        out.writeZero(padded - len);
        out.setIntLE(start, padded >>> 3);
    }

    /** The encoded size of {@code m} in bytes (a multiple of 8). */
    public static int encodedSize(MmsMessage m) {
        ByteBuf tmp = Unpooled.buffer(64);
        try {
            encode(m, tmp);
            return tmp.readableBytes();
        } finally {
            tmp.release();
        }
    }

    /**
     * Decodes one MMS message. {@code msg}'s readable bytes must be exactly one message, from
     * chunkLen to the end of its padding ({@code chunkLen * 8 == msg.readableBytes()}). The indices
     * of {@code msg} are not modified and it is not released.
     *
     * @throws MmsDecodeException for any malformed input (and only that)
     */
    public static MmsMessage decode(ByteBuf msg) {
        Objects.requireNonNull(msg, "msg");
        try {
            return decode0(msg);
        } catch (MmsDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MmsDecodeException("MmsMessage", "?", "unexpected " + e, e);
        }
    }

    private static MmsMessage decode0(ByteBuf msg) {
        int start = msg.readerIndex();
        int len = msg.readableBytes();
        if (len < PREFIX_SIZE) {
            throw new MmsDecodeException("MmsMessage", "chunkLen", "truncated: " + len + " bytes, need at least 8");
        }
        long chunkLen = msg.getUnsignedIntLE(start);
        if (chunkLen * 8 != len) {
            throw new MmsDecodeException("MmsMessage", "chunkLen",
                    "chunkLen " + chunkLen + " (" + chunkLen * 8 + " bytes) does not match the " + len + " message bytes");
        }
        int mid = msg.getIntLE(start + 4);
        // The MID names the type and, in its high half, the direction (§2.2.4).
        MessageType type = MessageType.ofMid(mid).orElseThrow(() ->
                new MmsDecodeException("MmsMessage", "MID", String.format("unknown MID 0x%08X", mid)));
        MessageReader r = new MessageReader(msg, start + PREFIX_SIZE, start + len, type.messageClass().getSimpleName());
        return switch (type.direction()) {
            case SERVER_TO_CLIENT -> ServerMessageCodec.decodeBody(type, r);
            case CLIENT_TO_SERVER -> ClientMessageCodec.decodeBody(type, r);
        };
    }
}
