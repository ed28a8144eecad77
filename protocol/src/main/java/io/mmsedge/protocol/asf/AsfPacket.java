package io.mmsedge.protocol.asf;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A parsed ASF data packet (ASF §5.2). Offsets are relative to the first byte of the packet.
 *
 * @param packetLength            effective packet length: the explicit Packet Length field, or
 *                                (when absent) the packet size, limited to the readable bytes
 *                                (a packet whose padding was stripped is shorter)
 * @param paddingLength           Padding Length field (0 when absent)
 * @param sendTimeMs              Send Time
 * @param durationMs              Duration
 * @param multiplePayloads        the multiple-payloads flag
 * @param payloads                payloads in order; a compressed payload contributes one entry
 *                                per sub-payload, all with the same {@code payloadOffset}
 * @param lengthTypeFlags         the Length Type Flags byte
 * @param propertyFlags           the Property Flags byte
 * @param sequence                Sequence field (0 when absent)
 * @param packetLengthFieldOffset offset of the Packet Length field, -1 if absent
 * @param paddingLengthFieldOffset offset of the Padding Length field, -1 if absent
 * @param payloadFlagsOffset      offset of the Payload Flags byte, -1 for single payload
 * @param payloadsOffset          offset of the first payload
 * @param payloadsEnd             end of the last payload (trailing bytes up to the padding
 *                                are unused)
 */
public record AsfPacket(int packetLength, int paddingLength, long sendTimeMs, int durationMs,
        boolean multiplePayloads, List<AsfPayload> payloads, int lengthTypeFlags, int propertyFlags,
        long sequence, int packetLengthFieldOffset, int paddingLengthFieldOffset,
        int payloadFlagsOffset, int payloadsOffset, int payloadsEnd) {

    /**
     * Offset of the Send Time field: Send Time (4) and Duration (2) end the payload parsing
     * information, just before the Payload Flags byte (multiple payloads) or the single payload.
     */
    public int sendTimeOffset() {
        return (multiplePayloads ? payloadFlagsOffset : payloadsOffset) - 6;
    }

    private static final String OBJ = "Data Packet";

    public AsfPacket {
        payloads = List.copyOf(payloads);
    }

    /** Width in bytes of the Packet Length field (0 if absent). */
    public int packetLengthFieldWidth() {
        return width(lengthTypeFlags >> 5);
    }

    /** Width in bytes of the Padding Length field (0 if absent). */
    public int paddingLengthFieldWidth() {
        return width(lengthTypeFlags >> 3);
    }

    /** Start of the padding (= packet length - padding length). */
    public int paddingOffset() {
        return packetLength - paddingLength;
    }

    static int width(int type) {
        return switch (type & 3) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 2;
            default -> 4;
        };
    }

    /**
     * Parses the packet at {@code buf.readerIndex()} without moving any index or retaining.
     *
     * @param packetSize the file's data packet size; bounds the packet and is its length when
     *                   the Packet Length field is absent (unless fewer bytes are readable,
     *                   as after padding removal)
     */
    public static AsfPacket parse(ByteBuf buf, int packetSize) {
        Objects.requireNonNull(buf, "buf");
        if (packetSize < 1 || packetSize > AsfHeader.MAX_PACKET_SIZE) {
            throw AsfFormatException.of(OBJ, "packetSize", packetSize + " outside [1, " + AsfHeader.MAX_PACKET_SIZE + "]");
        }
        int avail = Math.min(buf.readableBytes(), packetSize);
        Cursor c = new Cursor(buf, buf.readerIndex(), avail);

        int first = c.u8("Error Correction Flags");
        int lengthTypeFlags;
        if ((first & 0x80) != 0) {
            int ecLength = first & 0x0F;
            if ((first & 0x60) != 0) {
                throw AsfFormatException.of(OBJ, "Error Correction Flags", "error correction length type "
                        + ((first >> 5) & 3) + " is not 00");
            }
            if ((first & 0x10) != 0) {
                throw AsfFormatException.of(OBJ, "Error Correction Flags", "opaque data present is not supported");
            }
            c.skip(ecLength, "Error Correction Data");
            lengthTypeFlags = c.u8("Length Type Flags");
        } else {
            lengthTypeFlags = first;
        }
        boolean multiple = (lengthTypeFlags & 0x01) != 0;
        int propertyFlags = c.u8("Property Flags");
        int replicatedType = propertyFlags & 3;
        int offsetType = (propertyFlags >> 2) & 3;
        int objectNumberType = (propertyFlags >> 4) & 3;
        if ((propertyFlags >> 6) != 1) {
            throw AsfFormatException.of(OBJ, "Property Flags", "stream number length type "
                    + (propertyFlags >> 6) + " is not 01 (byte)");
        }

        int packetLengthFieldOffset = -1;
        long packetLength;
        int plWidth = width(lengthTypeFlags >> 5);
        if (plWidth > 0) {
            packetLengthFieldOffset = c.pos();
            packetLength = c.var(plWidth, "Packet Length");
            if (packetLength > packetSize) {
                throw AsfFormatException.of(OBJ, "Packet Length", packetLength + " exceeds packet size " + packetSize);
            }
            if (packetLength > avail) {
                throw AsfFormatException.of(OBJ, "Packet Length", packetLength + " exceeds the "
                        + avail + " bytes available (truncated packet)");
            }
        } else {
            packetLength = avail;
        }
        long sequence = c.var(width(lengthTypeFlags >> 1), "Sequence");
        int paddingFieldOffset = -1;
        long padding = 0;
        int padWidth = width(lengthTypeFlags >> 3);
        if (padWidth > 0) {
            paddingFieldOffset = c.pos();
            padding = c.var(padWidth, "Padding Length");
        }
        long sendTime = c.var(4, "Send Time");
        int duration = (int) c.var(2, "Duration");
        if (packetLength < c.pos()) {
            throw AsfFormatException.of(OBJ, "Packet Length", packetLength
                    + " is shorter than the payload parsing information (" + c.pos() + " bytes)");
        }
        if (padding > packetLength - c.pos()) {
            throw AsfFormatException.of(OBJ, "Padding Length", padding + " exceeds the "
                    + (packetLength - c.pos()) + " bytes after the payload parsing information");
        }
        int payloadAreaEnd = (int) (packetLength - padding);
        c.limit(payloadAreaEnd);

        List<AsfPayload> payloads = new ArrayList<>();
        int payloadFlagsOffset = -1;
        if (multiple) {
            payloadFlagsOffset = c.pos();
            int payloadFlags = c.u8("Payload Flags");
            int count = payloadFlags & 0x3F;
            int lengthWidth = width(payloadFlags >> 6);
            if (count == 0) {
                throw AsfFormatException.of(OBJ, "Payload Flags", "number of payloads is 0");
            }
            if (lengthWidth == 0) {
                throw AsfFormatException.of(OBJ, "Payload Flags", "payload length type 00 is invalid");
            }
            for (int i = 0; i < count; i++) {
                payload(c, payloads, replicatedType, offsetType, objectNumberType, lengthWidth);
            }
        } else {
            payload(c, payloads, replicatedType, offsetType, objectNumberType, 0);
        }
        int payloadsOffset = payloadFlagsOffset < 0 ? payloads.get(0).payloadOffset() : payloadFlagsOffset + 1;
        return new AsfPacket((int) packetLength, (int) padding, sendTime, duration, multiple,
                Collections.unmodifiableList(payloads), lengthTypeFlags, propertyFlags, sequence,
                packetLengthFieldOffset, paddingFieldOffset, payloadFlagsOffset, payloadsOffset, c.pos());
    }

    private static void payload(Cursor c, List<AsfPayload> out, int replicatedType, int offsetType,
            int objectNumberType, int lengthWidth) {
        int start = c.pos();
        int streamByte = c.u8("Payload.Stream Number");
        int stream = streamByte & 0x7F;
        boolean key = (streamByte & 0x80) != 0;
        if (stream == 0) {
            throw AsfFormatException.of(OBJ, "Payload.Stream Number", "stream number 0 is invalid");
        }
        int objectNumberWidth = width(objectNumberType);
        long objectNumber = c.var(objectNumberWidth, "Payload.Media Object Number");
        long offsetOrTime = c.var(width(offsetType), "Payload.Offset Into Media Object");
        long replicatedLength = c.var(width(replicatedType), "Payload.Replicated Data Length");
        if (replicatedLength > c.remaining()) {
            throw AsfFormatException.of(OBJ, "Payload.Replicated Data Length", replicatedLength
                    + " exceeds the " + c.remaining() + " bytes left");
        }
        long objectSize = -1;
        long presentation = -1;
        int timeDelta = 0;
        boolean compressed = replicatedLength == 1;
        if (compressed) {
            timeDelta = c.u8("Payload.Presentation Time Delta");
        } else if (replicatedLength >= 8) {
            objectSize = c.var(4, "Payload.Replicated Data.Media Object Size");
            presentation = c.var(4, "Payload.Replicated Data.Presentation Time");
            c.skip((int) replicatedLength - 8, "Payload.Replicated Data");
        } else if (replicatedLength != 0) {
            throw AsfFormatException.of(OBJ, "Payload.Replicated Data Length", replicatedLength
                    + " is invalid (must be 0, 1 or at least 8)");
        }
        long dataLength;
        if (lengthWidth > 0) {
            dataLength = c.var(lengthWidth, "Payload.Payload Length");
            if (dataLength > c.remaining()) {
                throw AsfFormatException.of(OBJ, "Payload.Payload Length", dataLength
                        + " exceeds the " + c.remaining() + " bytes left before the padding");
            }
        } else {
            dataLength = c.remaining();
        }
        int dataOffset = c.pos();
        int end = dataOffset + (int) dataLength;
        if (compressed) {
            if (dataLength == 0) {
                throw AsfFormatException.of(OBJ, "Payload.Payload Data", "compressed payload is empty");
            }
            int p = dataOffset;
            long index = 0;
            long numberMask = objectNumberWidth == 4 ? 0xFFFFFFFFL : (1L << (8 * objectNumberWidth)) - 1;
            while (p < end) {
                int subLength = c.buf.getUnsignedByte(c.base + p);
                p++;
                if (subLength > end - p) {
                    throw AsfFormatException.of(OBJ, "Payload.Sub-Payload Data Length", subLength
                            + " exceeds the " + (end - p) + " bytes left in the compressed payload");
                }
                out.add(new AsfPayload(stream, key, (objectNumber + index) & numberMask, 0, subLength,
                        offsetOrTime + index * timeDelta, true, start, end, p, subLength));
                p += subLength;
                index++;
            }
        } else {
            if (objectSize >= 0) {
                if (offsetOrTime > objectSize || dataLength > objectSize - offsetOrTime) {
                    throw AsfFormatException.of(OBJ, "Payload.Offset Into Media Object", "fragment ["
                            + offsetOrTime + ", " + (offsetOrTime + dataLength) + ") exceeds media object size "
                            + objectSize);
                }
            }
            out.add(new AsfPayload(stream, key, objectNumber, offsetOrTime, objectSize, presentation, false,
                    start, end, dataOffset, (int) dataLength));
        }
        c.skip((int) dataLength, "Payload.Payload Data");
    }

    /** Bounded little-endian cursor over one packet; positions are relative to {@code base}. */
    static final class Cursor {
        final ByteBuf buf;
        final int base;
        private int limit;
        private int pos;

        Cursor(ByteBuf buf, int base, int limit) {
            this.buf = buf;
            this.base = base;
            this.limit = limit;
        }

        int pos() {
            return pos;
        }

        int remaining() {
            return limit - pos;
        }

        void limit(int newLimit) {
            if (newLimit < pos || newLimit > limit) {
                throw AsfFormatException.of(OBJ, "limit", newLimit + " outside [" + pos + ", " + limit + "]");
            }
            limit = newLimit;
        }

        void skip(int n, String field) {
            if (n < 0 || n > limit - pos) {
                throw AsfFormatException.of(OBJ, field, "length " + n + " exceeds the " + (limit - pos)
                        + " bytes left at offset " + pos);
            }
            pos += n;
        }

        int u8(String field) {
            return (int) var(1, field);
        }

        long var(int width, String field) {
            if (width > limit - pos) {
                throw AsfFormatException.of(OBJ, field, "needs " + width + " bytes at offset " + pos
                        + " but only " + (limit - pos) + " remain");
            }
            long v = switch (width) {
                case 0 -> 0;
                case 1 -> buf.getUnsignedByte(base + pos);
                case 2 -> buf.getUnsignedShortLE(base + pos);
                case 4 -> buf.getUnsignedIntLE(base + pos);
                default -> throw new IllegalArgumentException("width " + width);
            };
            pos += width;
            return v;
        }
    }
}
