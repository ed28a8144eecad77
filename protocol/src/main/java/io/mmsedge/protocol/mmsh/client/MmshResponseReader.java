package io.mmsedge.protocol.mmsh.client;

import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrameDecoder;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one MMSH response ([MS-WMSP] §2.2.2, §2.2.3) as its bytes arrive: the HTTP head, then
 * the framed body. A Describe ends with the complete ASF header; a Play yields its header, then
 * {@code $D}, {@code $E} and {@code $C} (with the new entry's {@code $H}) until the end.
 * {@code $M} and {@code $P} are skipped. Bounded throughout: the head by {@link #MAX_HEAD},
 * each frame by the configured PacketLength, the ASF header by {@link AsfFile#MAX_HEADER_SIZE}.
 * After a {@link MmshClientEvent.Failed} the reader takes nothing more.
 *
 * <p>The header is complete when the Header Object's own size plus the 50-byte Data Object
 * start have arrived (as FFmpeg decides): servers differ in the AFFlags they put on {@code $H}.
 */
public final class MmshResponseReader {

    public static final int MAX_HEAD = 16 * 1024;
    /** The smallest PacketLength bound that still holds a data header. */
    public static final int MIN_FRAME = 64;

    private enum State { HEAD, HEADER, STREAM, DONE }

    private final boolean play;
    private final boolean plain;
    private final int maxFrame;
    private State state = State.HEAD;
    private ByteArrayOutputStream header = new ByteArrayOutputStream();
    /** The complete header's length once its first 24 bytes arrived (a Header Object's size), else -1. */
    private long headerNeeded = -1;
    private boolean changing;
    private long clientId = -1;
    private String features = "";

    /** @param play a Play response (header, then data) rather than a Describe (header only) */
    public MmshResponseReader(boolean play, int maxFrame) {
        this(play, false, maxFrame);
    }

    private MmshResponseReader(boolean play, boolean plain, int maxFrame) {
        this.play = play;
        this.plain = plain;
        this.maxFrame = maxFrame;
    }

    /** A reader of an answer without content (LogStats, §2.2.2.4): done at its head. */
    public static MmshResponseReader plain() {
        return new MmshResponseReader(false, true, MIN_FRAME);
    }

    /** True once the response ended (its last event delivered) or failed. */
    public boolean done() {
        return state == State.DONE;
    }

    /** True while the Play response streams data (its head and first header taken). */
    public boolean streaming() {
        return state == State.STREAM;
    }

    /** Takes what {@code in} holds (consuming what it used) and returns the events it completes. */
    public List<MmshClientEvent> onBytes(ByteBuf in) {
        List<MmshClientEvent> out = new ArrayList<>(2);
        try {
            while (state != State.DONE && in.isReadable()) {
                if (state == State.HEAD) {
                    MmshResponseHead head = MmshResponseHead.parse(in, MAX_HEAD);
                    if (head == null) {
                        break;
                    }
                    onHead(head, out);
                    continue;
                }
                MmshFrame f = MmshFrameDecoder.decodeOne(in, maxFrame);
                if (f == null) {
                    break;
                }
                try {
                    onFrame(f, out);
                } finally {
                    f.release();
                }
            }
        } catch (MmshClientException | CorruptedFrameException | io.mmsedge.protocol.asf.AsfFormatException e) {
            fail(Hresults.NS_E_PROTOCOL_MISMATCH, "malformed response: " + e.getMessage(), out);
        }
        if (state == State.DONE) {
            in.skipBytes(in.readableBytes());
        }
        return out;
    }

    /** The connection closed: what that means at this point of the response. */
    public List<MmshClientEvent> onClosed() {
        if (state == State.DONE) {
            return List.of();
        }
        String where = switch (state) {
            case HEAD -> "before the response head";
            case HEADER -> "before the ASF header was complete";
            default -> "while streaming, without $E";
        };
        List<MmshClientEvent> out = new ArrayList<>(1);
        fail(Hresults.NS_E_NOCONNECTION, "connection closed " + where, out);
        return out;
    }

    private void onHead(MmshResponseHead head, List<MmshClientEvent> out) {
        Map<String, String> pragmas = head.pragmas();
        clientId = number(pragmas.get("client-id"));
        features = pragmas.getOrDefault("features", "");
        int status = head.status();
        if (status == 200 && plain) {
            state = State.DONE;
            out.add(new MmshClientEvent.Acknowledged(clientId));
        } else if (status == 200) {
            String te = head.header("Transfer-Encoding");
            if (te != null && !te.equalsIgnoreCase("identity")) {
                fail(Hresults.NS_E_PROTOCOL_MISMATCH, "Transfer-Encoding " + te + " on an HTTP/1.0 request", out);
                return;
            }
            state = State.HEADER;
            if (play) {
                out.add(new MmshClientEvent.Playing(clientId));
            }
        } else if (status >= 300 && status < 400 && head.header("Location") != null) {
            state = State.DONE;
            out.add(new MmshClientEvent.Redirected(status, head.header("Location")));
        } else if (status == 401) {
            state = State.DONE;
            out.add(challenge(head.all("WWW-Authenticate")));
        } else {
            fail(hr(status), "HTTP " + status + " " + MmshResponseHead.truncate(head.reason()), out);
        }
    }

    private void onFrame(MmshFrame f, List<MmshClientEvent> out) {
        switch (f.packetId()) {
            case MmshFrames.HEADER -> onHeaderPiece(f.content(), out);
            case MmshFrames.DATA -> {
                if (state == State.HEADER && !changing && header.size() == 0 && play) {
                    state = State.STREAM; // a server that sends no $H in its Play answer
                }
                if (state != State.STREAM) {
                    throw new MmshClientException("$D before the ASF header was complete");
                }
                out.add(new MmshClientEvent.Packet(new DataPacket((int) f.locationId(), f.incarnation() & 0xFF,
                        f.afFlags() & 0xFF, f.content().retain())));
            }
            case MmshFrames.END_OF_STREAM -> {
                out.add(new MmshClientEvent.EndOfStream(f.reason()));
                if (f.reason() != Hresults.S_STREAM_CHANGE) {
                    state = State.DONE;
                }
            }
            case MmshFrames.STREAM_CHANGE -> {
                // §2.2.3.2: the next entry's $H packets follow.
                changing = true;
                header = new ByteArrayOutputStream();
                headerNeeded = -1;
                state = State.HEADER;
            }
            default -> {
                // $M (metadata) and $P (packet pair) carry nothing a relay needs.
            }
        }
    }

    private void onHeaderPiece(ByteBuf piece, List<MmshClientEvent> out) {
        if (state == State.STREAM) {
            return; // a repeated header while streaming (some servers resend it): not a change
        }
        if (header.size() + piece.readableBytes() > AsfFile.MAX_HEADER_SIZE) {
            throw new MmshClientException("ASF header over " + AsfFile.MAX_HEADER_SIZE + " bytes");
        }
        byte[] b = new byte[piece.readableBytes()];
        piece.getBytes(piece.readerIndex(), b);
        header.writeBytes(b);
        // The size is read once, when its field has arrived; the header is copied out once, when
        // complete: a header sent in many small $H pieces costs linear time, not quadratic.
        if (headerNeeded < 0) {
            headerNeeded = needed(header.size() < 24 ? null : header.toByteArray());
        }
        long needed = headerNeeded;
        if (needed < 0 || header.size() < needed) {
            return;
        }
        byte[] h = header.toByteArray();
        byte[] complete = java.util.Arrays.copyOf(h, (int) needed);
        if (changing) {
            changing = false;
            state = State.STREAM;
            out.add(new MmshClientEvent.StreamChanged(MmshDescriptions.streamChange(complete), complete));
        } else if (play) {
            state = State.STREAM;
        } else {
            state = State.DONE;
            out.add(new MmshClientEvent.Described(MmshDescriptions.openFile(complete, features), complete, clientId,
                    features));
        }
    }

    /** Header Object size + the 50-byte Data Object start, once its size field arrived; else -1. */
    private static long needed(byte[] h) {
        if (h == null || h.length < 24) {
            return -1;
        }
        long size = 0;
        for (int i = 23; i >= 16; i--) {
            size = (size << 8) | (h[i] & 0xFF);
        }
        if (size < AsfHeader.HEADER_OBJECT_MIN_SIZE || size > AsfFile.MAX_HEADER_SIZE) {
            throw new MmshClientException("ASF Header Object size " + Long.toUnsignedString(size) + " out of range");
        }
        return size + AsfHeader.DATA_OBJECT_HEADER_SIZE;
    }

    private static MmshClientEvent challenge(List<String> offers) {
        boolean other = false;
        for (String o : offers) {
            if (o.regionMatches(true, 0, "Basic", 0, 5)) {
                return new MmshClientEvent.AuthenticationRequired(realm(o), false);
            }
            other = true;
        }
        return new MmshClientEvent.AuthenticationRequired("", other);
    }

    private static String realm(String offer) {
        int i = offer.toLowerCase(Locale.ROOT).indexOf("realm=");
        if (i < 0) {
            return "";
        }
        String r = offer.substring(i + 6).strip();
        if (r.startsWith("\"")) {
            int end = r.indexOf('"', 1);
            return end < 0 ? r.substring(1) : r.substring(1, end);
        }
        int comma = r.indexOf(',');
        return comma < 0 ? r : r.substring(0, comma);
    }

    /** The HRESULT an MMS origin would have answered for this status. */
    static int hr(int status) {
        return switch (status) {
            case 404, 410 -> Hresults.E_FILE_NOT_FOUND;
            case 403 -> Hresults.E_ACCESS_DENIED;
            default -> Hresults.NS_E_CANNOTCONNECT;
        };
    }

    private static long number(String v) {
        if (v == null || v.isEmpty() || v.length() > 18) {
            return -1;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(v);
    }

    private void fail(int hr, String reason, List<MmshClientEvent> out) {
        state = State.DONE;
        out.add(new MmshClientEvent.Failed(hr, reason));
    }
}
