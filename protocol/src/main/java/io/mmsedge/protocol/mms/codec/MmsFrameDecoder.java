package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.TcpMessageHeader;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits an MMS TCP byte stream into {@link MmsCommand}s, {@link DataPacket}s and
 * {@link MmsDecodeFailure}s. One instance per channel.
 *
 * <p>A frame whose u32 at offset 4 is 0xB00BFACE is a command: its total size is
 * {@code messageLength + 16} (chunkCount is not trusted), bounded to [40, maxCommandSize]; its MMS
 * message field is walked by chunkLen and each message yields one MmsCommand. Anything else is a
 * Data packet: 8-byte header, PacketSize (u16 at offset 6) = whole packet, bounded to [8,
 * maxDataPacketSize]; the payload is a retained slice of the input (zero copy).
 *
 * <p>Never throws. Content errors inside a well-framed command yield a non-fatal failure; framing
 * errors (bad seal, bad size, bad chunkLen walk) and an HTTP request at stream start yield one fatal
 * failure, after which all input is discarded. The decoder buffers at most one incomplete frame,
 * i.e. less than max(maxCommandSize, maxDataPacketSize) bytes between reads.
 */
public class MmsFrameDecoder extends ByteToMessageDecoder {

    public static final int DEFAULT_MAX_COMMAND_SIZE = 65536;
    public static final int DEFAULT_MAX_DATA_PACKET_SIZE = 0xFFFF;
    /** Smallest command: 32-byte header plus one 8-byte message. */
    public static final int MIN_COMMAND_SIZE = TcpMessageHeader.SIZE + 8;

    private static final String[] HTTP_METHODS = {
        "GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE ", "CONNECT ", "TRACE ", "PATCH ",
        "DESCRIBE ", "SETUP ", "PLAY ", "ANNOUNCE ", "GET_PARAMETER ",
    };

    private final int maxCommandSize;
    private volatile int maxDataPacketSize = DEFAULT_MAX_DATA_PACKET_SIZE;
    private boolean streamStart = true;
    private boolean failed;

    public MmsFrameDecoder() {
        this(DEFAULT_MAX_COMMAND_SIZE);
    }

    public MmsFrameDecoder(int maxCommandSize) {
        if (maxCommandSize < MIN_COMMAND_SIZE) {
            throw new IllegalArgumentException("maxCommandSize must be >= " + MIN_COMMAND_SIZE + ": " + maxCommandSize);
        }
        this.maxCommandSize = maxCommandSize;
    }

    public int maxCommandSize() {
        return maxCommandSize;
    }

    public int maxDataPacketSize() {
        return maxDataPacketSize;
    }

    /** Bounds PacketSize of incoming Data packets (header included), 8..65535; e.g. ASF packet size + 8. */
    public void setMaxDataPacketSize(int maxDataPacketSize) {
        if (maxDataPacketSize < DataPacket.HEADER_SIZE || maxDataPacketSize > DataPacket.MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("maxDataPacketSize must be 8..65535: " + maxDataPacketSize);
        }
        this.maxDataPacketSize = maxDataPacketSize;
    }

    /** True once a fatal failure was emitted; all further input is discarded. */
    public boolean isFailed() {
        return failed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int r = in.readerIndex();
        int readable = in.readableBytes();
        if (streamStart) {
            String http = httpMethod(in, r, readable);
            if (http == null) {
                return; // could still become an HTTP request line: wait for more bytes
            }
            if (!http.isEmpty()) {
                fail(in, out, new MmsDecodeFailure("HTTP", "request-line",
                        "HTTP request (" + http.trim() + ") on the MMS port; the client probably tries MMSH", true));
                return;
            }
            if (readable < 8) {
                return;
            }
            streamStart = false;
        }
        if (readable < 8) {
            return;
        }
        if (in.getIntLE(r + 4) == TcpMessageHeader.SESSION_ID) {
            decodeCommand(in, r, readable, out);
        } else {
            decodeData(in, r, readable, out);
        }
    }

    private void decodeCommand(ByteBuf in, int r, int readable, List<Object> out) {
        if (readable < 16) {
            return;
        }
        int seal = in.getIntLE(r + 12);
        if (seal != TcpMessageHeader.SEAL) {
            fail(in, out, new MmsDecodeFailure("TcpMessageHeader", "seal",
                    String.format("expected 0x%08X, got 0x%08X", TcpMessageHeader.SEAL, seal), true));
            return;
        }
        long total = in.getUnsignedIntLE(r + 8) + TcpMessageHeader.LENGTH_BIAS;
        if (total > maxCommandSize) {
            fail(in, out, new MmsDecodeFailure("TcpMessageHeader", "messageLength",
                    "command of " + total + " bytes exceeds the limit of " + maxCommandSize, true));
            return;
        }
        if (total < MIN_COMMAND_SIZE) {
            fail(in, out, new MmsDecodeFailure("TcpMessageHeader", "messageLength",
                    "command of " + total + " bytes is shorter than the minimum " + MIN_COMMAND_SIZE, true));
            return;
        }
        int size = (int) total;
        if (readable < size) {
            return;
        }
        // Validate the chunkLen walk of the whole body before emitting anything.
        int end = r + size;
        int count = 0;
        for (int p = r + TcpMessageHeader.SIZE; p < end; count++) {
            if (end - p < 8) {
                fail(in, out, new MmsDecodeFailure("TcpMessageHeader", "messageLength",
                        (end - p) + " trailing bytes after the last MMS message (body is not a multiple of 8)", true));
                return;
            }
            long chunkLen = in.getUnsignedIntLE(p);
            if (chunkLen < 1 || chunkLen * 8 > end - p) {
                fail(in, out, new MmsDecodeFailure("MmsMessage", "chunkLen", "chunkLen " + chunkLen + " at body offset "
                        + (p - r - TcpMessageHeader.SIZE) + " does not fit the " + (end - p) + " remaining bytes", true));
                return;
            }
            p += (int) chunkLen * 8;
        }
        TcpMessageHeader header = TcpMessageHeader.decode(in, r);
        for (int p = r + TcpMessageHeader.SIZE; p < end; ) {
            int len = (int) in.getUnsignedIntLE(p) * 8;
            try {
                MmsMessage m = MmsMessageCodec.decode(in.slice(p, len));
                out.add(new MmsCommand(header, m));
            } catch (MmsDecodeException e) {
                out.add(MmsDecodeFailure.of(e, false));
            }
            p += len;
        }
        in.skipBytes(size);
    }

    private void decodeData(ByteBuf in, int r, int readable, List<Object> out) {
        int size = in.getUnsignedShortLE(r + 6);
        if (size < DataPacket.HEADER_SIZE) {
            fail(in, out, new MmsDecodeFailure("Data", "PacketSize",
                    "PacketSize " + size + " is smaller than the 8-byte header", true));
            return;
        }
        int max = maxDataPacketSize;
        if (size > max) {
            fail(in, out, new MmsDecodeFailure("Data", "PacketSize",
                    "PacketSize " + size + " exceeds the limit of " + max, true));
            return;
        }
        if (readable < size) {
            return;
        }
        int locationId = in.getIntLE(r);
        int pi = in.getUnsignedByte(r + 4);
        int af = in.getUnsignedByte(r + 5);
        ByteBuf payload = in.retainedSlice(r + DataPacket.HEADER_SIZE, size - DataPacket.HEADER_SIZE);
        in.skipBytes(size);
        out.add(new DataPacket(locationId, pi, af, payload));
    }

    private void fail(ByteBuf in, List<Object> out, MmsDecodeFailure failure) {
        failed = true;
        streamStart = false;
        in.skipBytes(in.readableBytes());
        out.add(failure);
    }

    /**
     * "" if the stream start is not an HTTP/RTSP request line, the method if it is, null if more
     * bytes are needed to decide.
     */
    private static String httpMethod(ByteBuf in, int r, int readable) {
        boolean undecided = false;
        for (String m : HTTP_METHODS) {
            int n = Math.min(m.length(), readable);
            boolean prefix = true;
            for (int i = 0; i < n; i++) {
                if (in.getByte(r + i) != (byte) m.charAt(i)) {
                    prefix = false;
                    break;
                }
            }
            if (prefix) {
                if (n == m.length()) {
                    return m;
                }
                undecided = true;
            }
        }
        // A command starts with rep 0x01, so anything that is still a method prefix after 8 bytes
        // cannot be MMS either; decide at 8 bytes at the latest.
        if (undecided && readable < 8) {
            return null;
        }
        return undecided ? new String(readAscii(in, r, Math.min(readable, 16)), StandardCharsets.US_ASCII) : "";
    }

    private static byte[] readAscii(ByteBuf in, int r, int n) {
        byte[] b = new byte[n];
        in.getBytes(r, b);
        for (int i = 0; i < n; i++) {
            if (b[i] < 0x20 || b[i] > 0x7E) {
                b[i] = '?';
            }
        }
        return b;
    }
}
