package io.mmsedge.protocol.asf;

/**
 * Bounded little-endian reader over a region of a byte array. Every read is checked
 * against the region's limit and failures name the object and field.
 */
final class ByteReader {

    private final byte[] bytes;
    private final String object;
    private final int limit;
    private int pos;

    ByteReader(byte[] bytes, int start, int limit, String object) {
        if (start < 0 || limit > bytes.length || start > limit) {
            throw new AsfFormatException(object + ": region [" + start + ", " + limit + ") outside "
                    + bytes.length + " bytes");
        }
        this.bytes = bytes;
        this.pos = start;
        this.limit = limit;
        this.object = object;
    }

    int position() {
        return pos;
    }

    int limit() {
        return limit;
    }

    int remaining() {
        return limit - pos;
    }

    String object() {
        return object;
    }

    private void need(int n, String field) {
        if (n < 0 || n > limit - pos) {
            throw AsfFormatException.of(object, field, "needs " + n + " bytes at offset " + pos
                    + " but only " + Math.max(0, limit - pos) + " remain");
        }
    }

    void skip(long n, String field) {
        if (n < 0 || n > limit - pos) {
            throw AsfFormatException.of(object, field, "length " + n + " exceeds the "
                    + (limit - pos) + " bytes remaining");
        }
        pos += (int) n;
    }

    int u8(String field) {
        need(1, field);
        return bytes[pos++] & 0xFF;
    }

    int u16(String field) {
        need(2, field);
        int v = (bytes[pos] & 0xFF) | (bytes[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    long u32(String field) {
        need(4, field);
        long v = (bytes[pos] & 0xFFL) | (bytes[pos + 1] & 0xFFL) << 8
                | (bytes[pos + 2] & 0xFFL) << 16 | (bytes[pos + 3] & 0xFFL) << 24;
        pos += 4;
        return v;
    }

    /** Unsigned 64-bit value; values above {@link Long#MAX_VALUE} are rejected. */
    long u64(String field) {
        need(8, field);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (bytes[pos + i] & 0xFFL);
        }
        if (v < 0) {
            throw AsfFormatException.of(object, field, "value exceeds 2^63-1");
        }
        pos += 8;
        return v;
    }

    AsfGuid guid(String field) {
        need(AsfGuid.SIZE, field);
        AsfGuid g = AsfGuid.read(bytes, pos);
        pos += AsfGuid.SIZE;
        return g;
    }

    byte[] bytes(int n, String field) {
        need(n, field);
        byte[] out = java.util.Arrays.copyOfRange(bytes, pos, pos + n);
        pos += n;
        return out;
    }

    /** A reader over the next {@code n} bytes (which this reader skips). */
    ByteReader sub(long n, String subObject) {
        if (n < 0 || n > limit - pos) {
            throw AsfFormatException.of(object, subObject, "length " + n + " exceeds the "
                    + (limit - pos) + " bytes remaining");
        }
        ByteReader r = new ByteReader(bytes, pos, pos + (int) n, subObject);
        pos += (int) n;
        return r;
    }
}
