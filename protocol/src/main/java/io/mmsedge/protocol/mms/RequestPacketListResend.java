package io.mmsedge.protocol.mms;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * RequestPacketListResend (MS-MMSP §2.2.5), sent by the client over UDP: Signature 0xBEEFF00D,
 * dwClientId, wSourceId, wNumPackets (1..32) and that many 32-bit Data packet sequence numbers.
 *
 * @param clientId the nCubs value of ReportFunnelInfo
 * @param sourceId low 16 bits of openFileId (0..65535)
 * @param packets the sequence numbers (unsigned 32-bit bit patterns), 1..32 of them
 */
public record RequestPacketListResend(int clientId, int sourceId, List<Integer> packets) {

    public static final int SIGNATURE = 0xBEEFF00D;
    public static final int MIN_PACKETS = 1;
    public static final int MAX_PACKETS = 32;
    /** Fixed part: signature, dwClientId, wSourceId, wNumPackets. */
    public static final int FIXED_SIZE = 12;

    public RequestPacketListResend {
        packets = List.copyOf(Objects.requireNonNull(packets, "packets"));
        if (packets.size() < MIN_PACKETS || packets.size() > MAX_PACKETS) {
            throw new IllegalArgumentException("wNumPackets must be 1..32: " + packets.size());
        }
        if ((sourceId & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("sourceId must be 0..65535: " + sourceId);
        }
    }

    /** Size on the wire. */
    public int encodedSize() {
        return FIXED_SIZE + 4 * packets.size();
    }

    public void encode(ByteBuf out) {
        out.writeIntLE(SIGNATURE);
        out.writeIntLE(clientId);
        out.writeShortLE(sourceId);
        out.writeShortLE(packets.size());
        for (int p : packets) {
            out.writeIntLE(p);
        }
    }

    /**
     * Decodes the readable bytes of {@code in} (one UDP datagram) without moving its indices.
     * Trailing bytes after the packet list are ignored.
     *
     * @throws MmsDecodeException on a bad signature, wNumPackets outside 1..32 or truncation
     */
    public static RequestPacketListResend decode(ByteBuf in) {
        int start = in.readerIndex();
        int len = in.readableBytes();
        if (len < FIXED_SIZE) {
            throw new MmsDecodeException("RequestPacketListResend", "Signature",
                    "truncated: " + len + " bytes, need at least " + FIXED_SIZE);
        }
        int sig = in.getIntLE(start);
        if (sig != SIGNATURE) {
            throw new MmsDecodeException("RequestPacketListResend", "Signature",
                    String.format("expected 0x%08X, got 0x%08X", SIGNATURE, sig));
        }
        int clientId = in.getIntLE(start + 4);
        int sourceId = in.getUnsignedShortLE(start + 8);
        int n = in.getUnsignedShortLE(start + 10);
        if (n < MIN_PACKETS || n > MAX_PACKETS) {
            throw new MmsDecodeException("RequestPacketListResend", "wNumPackets", "must be 1..32, got " + n);
        }
        if (len < FIXED_SIZE + 4 * n) {
            throw new MmsDecodeException("RequestPacketListResend", "dwBeginPacketList",
                    "truncated: " + n + " packets need " + (FIXED_SIZE + 4 * n) + " bytes, have " + len);
        }
        List<Integer> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(in.getIntLE(start + FIXED_SIZE + 4 * i));
        }
        return new RequestPacketListResend(clientId, sourceId, list);
    }
}
