package io.mmsedge.protocol.asf;

import io.netty.buffer.ByteBuf;
import java.util.Objects;
import java.util.UUID;

/**
 * An ASF GUID. On the wire a GUID is 16 bytes: Data1 (32-bit LE), Data2 (16-bit LE),
 * Data3 (16-bit LE), Data4 (8 bytes as is). The text form is the usual
 * {@code XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} in upper case.
 */
public final class AsfGuid {

    public static final int SIZE = 16;

    // Top-level objects
    public static final AsfGuid HEADER = of("75B22630-668E-11CF-A6D9-00AA0062CE6C");
    public static final AsfGuid DATA = of("75B22636-668E-11CF-A6D9-00AA0062CE6C");
    public static final AsfGuid SIMPLE_INDEX = of("33000890-E5B1-11CF-89F4-00A0C90349CB");
    public static final AsfGuid INDEX = of("D6E229D3-35DA-11D1-9034-00A0C90349BE");

    // Header objects
    public static final AsfGuid FILE_PROPERTIES = of("8CABDCA1-A947-11CF-8EE4-00C00C205365");
    public static final AsfGuid STREAM_PROPERTIES = of("B7DC0791-A9B7-11CF-8EE6-00C00C205365");
    public static final AsfGuid HEADER_EXTENSION = of("5FBF03B5-A92E-11CF-8EE3-00C00C205365");
    public static final AsfGuid HEADER_EXTENSION_RESERVED_1 = of("ABD3D211-A9BA-11CF-8EE6-00C00C205365");
    public static final AsfGuid CODEC_LIST = of("86D15240-311D-11D0-A3A4-00A0C90348F6");
    public static final AsfGuid SCRIPT_COMMAND = of("1EFB1A30-0B62-11D0-A39B-00A0C90348F6");
    public static final AsfGuid MARKER = of("F487CD01-A951-11CF-8EE6-00C00C205365");
    public static final AsfGuid CONTENT_DESCRIPTION = of("75B22633-668E-11CF-A6D9-00AA0062CE6C");
    public static final AsfGuid EXTENDED_CONTENT_DESCRIPTION = of("D2D0A440-E307-11D2-97F0-00A0C95EA850");
    public static final AsfGuid STREAM_BITRATE_PROPERTIES = of("7BF875CE-468D-11D1-8D82-006097C9A2B2");
    public static final AsfGuid CONTENT_ENCRYPTION = of("2211B3FB-BD23-11D2-B4B7-00A0C955FC6E");
    public static final AsfGuid EXTENDED_CONTENT_ENCRYPTION = of("298AE614-2622-4C17-B935-DAE07EE9289C");
    public static final AsfGuid PADDING = of("1806D474-CADF-4509-A4BA-9AABCB96AAE8");

    // Header Extension objects
    public static final AsfGuid EXTENDED_STREAM_PROPERTIES = of("14E6A5CB-C672-4332-8399-A96952065B5A");
    public static final AsfGuid METADATA = of("C5F8CBEA-5BAF-4877-8467-AA8C44FA4CCA");
    public static final AsfGuid LANGUAGE_LIST = of("7C4346A9-EFE0-4BFC-B229-393EDE415C85");
    public static final AsfGuid STREAM_PRIORITIZATION = of("D4FED15B-88D3-454F-81F0-ED5C45999E24");

    // Stream types
    public static final AsfGuid AUDIO_MEDIA = of("F8699E40-5B4D-11CF-A8FD-00805F5C442B");
    public static final AsfGuid VIDEO_MEDIA = of("BC19EFC0-5B4D-11CF-A8FD-00805F5C442B");
    public static final AsfGuid COMMAND_MEDIA = of("59DACFC0-59E6-11D0-A3AC-00A0C90348F6");
    public static final AsfGuid JFIF_MEDIA = of("B61BE100-5B4E-11CF-A8FD-00805F5C442B");
    public static final AsfGuid DEGRADABLE_JPEG_MEDIA = of("35907DE0-E415-11CF-A917-00805F5C442B");
    public static final AsfGuid FILE_TRANSFER_MEDIA = of("91BD222C-F21C-497A-8B6D-5AA86BFC0185");
    public static final AsfGuid BINARY_MEDIA = of("3AFB65E2-47EF-40F2-AC2C-70A90D71D343");

    // Error correction types
    public static final AsfGuid NO_ERROR_CORRECTION = of("20FB5700-5B55-11CF-A8FD-00805F5C442B");
    public static final AsfGuid AUDIO_SPREAD = of("BFC3CD50-618F-11CF-8BB2-00AA00B4E220");

    private final long high;
    private final long low;

    private AsfGuid(long high, long low) {
        this.high = high;
        this.low = low;
    }

    /** Parses the text form ({@code 8-4-4-4-12} hex digits). */
    public static AsfGuid of(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() != 36) {
            throw new IllegalArgumentException("not a GUID: " + text);
        }
        UUID u = UUID.fromString(text);
        return new AsfGuid(u.getMostSignificantBits(), u.getLeastSignificantBits());
    }

    /** Reads the 16-byte little-endian wire form at {@code offset}; the caller checks bounds. */
    public static AsfGuid read(byte[] bytes, int offset) {
        Objects.checkFromIndexSize(offset, SIZE, bytes.length);
        long d1 = (bytes[offset] & 0xFFL) | (bytes[offset + 1] & 0xFFL) << 8
                | (bytes[offset + 2] & 0xFFL) << 16 | (bytes[offset + 3] & 0xFFL) << 24;
        long d2 = (bytes[offset + 4] & 0xFFL) | (bytes[offset + 5] & 0xFFL) << 8;
        long d3 = (bytes[offset + 6] & 0xFFL) | (bytes[offset + 7] & 0xFFL) << 8;
        long lo = 0;
        for (int i = 8; i < 16; i++) {
            lo = (lo << 8) | (bytes[offset + i] & 0xFFL);
        }
        return new AsfGuid(d1 << 32 | d2 << 16 | d3, lo);
    }

    /** Reads the wire form at absolute {@code index} of {@code buf} without moving indexes. */
    public static AsfGuid read(ByteBuf buf, int index) {
        byte[] b = new byte[SIZE];
        buf.getBytes(index, b);
        return read(b, 0);
    }

    /** The 16-byte wire form. */
    public byte[] toBytes() {
        byte[] b = new byte[SIZE];
        long d1 = high >>> 32;
        long d2 = (high >>> 16) & 0xFFFF;
        long d3 = high & 0xFFFF;
        b[0] = (byte) d1;
        b[1] = (byte) (d1 >>> 8);
        b[2] = (byte) (d1 >>> 16);
        b[3] = (byte) (d1 >>> 24);
        b[4] = (byte) d2;
        b[5] = (byte) (d2 >>> 8);
        b[6] = (byte) d3;
        b[7] = (byte) (d3 >>> 8);
        for (int i = 0; i < 8; i++) {
            b[15 - i] = (byte) (low >>> (8 * i));
        }
        return b;
    }

    /** True if the 16 bytes at {@code offset} are this GUID (false if out of range). */
    public boolean matches(byte[] bytes, int offset) {
        return offset >= 0 && offset <= bytes.length - SIZE && equals(read(bytes, offset));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AsfGuid g && g.high == high && g.low == low;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high) * 31 + Long.hashCode(low);
    }

    @Override
    public String toString() {
        return new UUID(high, low).toString().toUpperCase(java.util.Locale.ROOT);
    }
}
