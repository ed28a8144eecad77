package io.mmsedge.protocol.asf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Operations a streaming server applies to single ASF data packets. The input packet is read
 * at its reader index and never modified, moved or released.
 */
public final class AsfPackets {

    private AsfPackets() {
    }

    /**
     * Removes the padding (MS-MMSP §2.2.2): returns a new buffer holding the packet without its
     * Padding Data (and without any bytes beyond an explicit Packet Length), with the Padding
     * Length field set to 0 (same width) and an explicit Packet Length set to the new length.
     * The caller releases the result.
     */
    public static ByteBuf stripPadding(ByteBuf packet, int packetSize, ByteBufAllocator alloc) {
        Objects.requireNonNull(alloc, "alloc");
        AsfPacket p = AsfPacket.parse(packet, packetSize);
        if (!p.multiplePayloads() && p.packetLengthFieldOffset() < 0 && p.paddingLength() > 0) {
            // A single payload's length is implied by the packet length. With an implicit
            // packet length, players that re-pad a short packet with zeros (FFmpeg, libmms)
            // would read those zeros as payload, so such a packet keeps its padding (stripping
            // is a SHOULD in §2.2.2).
            int length = Math.min(packet.readableBytes(), p.packetLength());
            ByteBuf copy = alloc.buffer(length, length);
            copy.writeBytes(packet, packet.readerIndex(), length);
            return copy;
        }
        int newLength = p.paddingOffset();
        ByteBuf out = alloc.buffer(newLength, newLength);
        try {
            out.writeBytes(packet, packet.readerIndex(), newLength);
            if (p.paddingLengthFieldOffset() >= 0) {
                putVar(out, p.paddingLengthFieldOffset(), p.paddingLengthFieldWidth(), 0);
            }
            if (p.packetLengthFieldOffset() >= 0) {
                putVar(out, p.packetLengthFieldOffset(), p.packetLengthFieldWidth(), newLength);
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Keeps only the payloads accepted by {@code keep} (stream selection, thinning: MS-MMSP
     * §2.2.4.28.1, §3.2.5.11.1).
     *
     * @return {@code null} if no payload is kept; {@code packet.retainedDuplicate()} if all are
     *         kept; otherwise a new multiple-payload packet of the same length holding the kept
     *         payloads byte for byte, with the payload count updated and the freed space turned
     *         into padding (the Padding Length field widened if needed). A compressed payload
     *         is kept whole if any of its sub-payloads is kept.
     */
    public static ByteBuf filter(ByteBuf packet, int packetSize, Predicate<AsfPayload> keep, ByteBufAllocator alloc) {
        Objects.requireNonNull(keep, "keep");
        Objects.requireNonNull(alloc, "alloc");
        AsfPacket p = AsfPacket.parse(packet, packetSize);
        // Group sub-payloads of compressed payloads by their shared payload header offset.
        List<int[]> kept = new ArrayList<>(); // {payloadOffset, payloadEnd}
        int total = 0;
        int lastOffset = -1;
        boolean lastKept = false;
        for (AsfPayload pl : p.payloads()) {
            if (pl.payloadOffset() != lastOffset) {
                total++;
                lastOffset = pl.payloadOffset();
                lastKept = false;
            }
            if (!lastKept && keep.test(pl)) {
                kept.add(new int[] {pl.payloadOffset(), pl.payloadEnd()});
                lastKept = true;
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        if (kept.size() == total) {
            return packet.retainedDuplicate();
        }
        // Partial keep is only possible with several payloads, i.e. a multiple-payload packet.
        int base = packet.readerIndex();
        int payloadBytes = 0;
        for (int[] k : kept) {
            payloadBytes += k[1] - k[0];
        }
        int lengthTypeFlags = p.lengthTypeFlags();
        int oldPadWidth = p.paddingLengthFieldWidth();
        int padFieldStart = p.paddingLengthFieldOffset();
        // Header bytes other than the padding field, up to and including the Payload Flags byte.
        int headerWithoutPad = p.payloadsOffset() - oldPadWidth;
        int packetLength = p.packetLength();
        int padWidth = oldPadWidth;
        long padding;
        while (true) {
            padding = (long) packetLength - headerWithoutPad - padWidth - payloadBytes;
            if (padding >= 0 && fits(padding, padWidth)) {
                break;
            }
            if (padWidth == 4) {
                throw AsfFormatException.of("Data Packet", "Padding Length",
                        "cannot rebuild the filtered packet within " + packetLength + " bytes");
            }
            padWidth = padWidth == 0 ? 1 : padWidth * 2;
        }
        int newFlags = (lengthTypeFlags & ~0x18) | (typeOf(padWidth) << 3);
        ByteBuf out = alloc.buffer(packetLength, packetLength);
        try {
            // Bytes before the padding field (or before Send Time when it was absent).
            int sendTimeOffset = p.sendTimeOffset();
            int cut = padFieldStart >= 0 ? padFieldStart : sendTimeOffset;
            out.writeBytes(packet, base, cut);
            // Layout: Length Type Flags, Property Flags, [Packet Length], [Sequence], [Padding Length], Send Time.
            int flagsOffset = sendTimeOffset - oldPadWidth - AsfPacket.width(lengthTypeFlags >> 1)
                    - p.packetLengthFieldWidth() - 2;
            out.setByte(flagsOffset, newFlags);
            writeVar(out, padWidth, padding);
            int afterPad = padFieldStart >= 0 ? padFieldStart + oldPadWidth : sendTimeOffset;
            out.writeBytes(packet, base + afterPad, p.payloadFlagsOffset() - afterPad);
            int payloadFlags = packet.getUnsignedByte(base + p.payloadFlagsOffset());
            out.writeByte((payloadFlags & 0xC0) | kept.size());
            for (int[] k : kept) {
                out.writeBytes(packet, base + k[0], k[1] - k[0]);
            }
            out.writeZero(packetLength - out.writerIndex());
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** True if the packet holds the start of a key-frame media object of {@code streamNumber}. */
    public static boolean containsKeyFrameStart(ByteBuf packet, int packetSize, int streamNumber) {
        for (AsfPayload pl : AsfPacket.parse(packet, packetSize).payloads()) {
            if (pl.streamNumber() == streamNumber && pl.isKeyFrameStart()) {
                return true;
            }
        }
        return false;
    }

    private static boolean fits(long value, int width) {
        return switch (width) {
            case 0 -> value == 0;
            case 1 -> value <= 0xFF;
            case 2 -> value <= 0xFFFF;
            default -> value <= 0xFFFFFFFFL;
        };
    }

    private static int typeOf(int width) {
        return switch (width) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 2;
            default -> 3;
        };
    }

    private static void putVar(ByteBuf out, int index, int width, long value) {
        switch (width) {
            case 1 -> out.setByte(index, (int) value);
            case 2 -> out.setShortLE(index, (int) value);
            case 4 -> out.setIntLE(index, (int) value);
            default -> throw new IllegalArgumentException("width " + width);
        }
    }

    private static void writeVar(ByteBuf out, int width, long value) {
        switch (width) {
            case 0 -> { }
            case 1 -> out.writeByte((int) value);
            case 2 -> out.writeShortLE((int) value);
            case 4 -> out.writeIntLE((int) value);
            default -> throw new IllegalArgumentException("width " + width);
        }
    }
}
