package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.MmsDecodeException;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Bounded little-endian reader over [pos, end) of one message. Every read is checked against the
 * bytes that remain, and a short message fails with an {@link MmsDecodeException} naming the
 * message and the field that did not fit.
 */
final class MessageReader {
    private final ByteBuf buf;
    private final int end;
    private final String name;
    private int pos;

    /** @param name the message's name in error reports (its record's simple name) */
    MessageReader(ByteBuf buf, int pos, int end, String name) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
        this.name = name;
    }

    int remaining() {
        return end - pos;
    }

    private void need(String field, int n) {
        if (end - pos < n) {
            throw new MmsDecodeException(name, field,
                    "truncated: need " + n + " bytes, " + Math.max(0, end - pos) + " remain");
        }
    }

    int u32(String field) {
        need(field, 4);
        int v = buf.getIntLE(pos);
        pos += 4;
        return v;
    }

    int u16(String field) {
        need(field, 2);
        int v = buf.getUnsignedShortLE(pos);
        pos += 2;
        return v;
    }

    long u64(String field) {
        need(field, 8);
        long v = buf.getLongLE(pos);
        pos += 8;
        return v;
    }

    double f64(String field) {
        return Double.longBitsToDouble(u64(field));
    }

    void skip(String field, int n) {
        need(field, n);
        pos += n;
    }

    /** Checks a byte count (uint32 held in an int) against the remaining bytes. */
    int check(String field, int cbUnsigned) {
        long cb = Integer.toUnsignedLong(cbUnsigned);
        if (cb > remaining()) {
            throw new MmsDecodeException(name, field, cb + " exceeds the " + remaining() + " remaining bytes");
        }
        return (int) cb;
    }

    /** Checks a count of UTF-16 characters against the remaining bytes; returns the byte count. */
    int checkChars(String field, long chars) {
        if (chars * 2 > remaining()) {
            throw new MmsDecodeException(name, field,
                    chars + " characters (" + chars * 2 + " bytes) exceed the " + remaining() + " remaining bytes");
        }
        return (int) (chars * 2);
    }

    byte[] bytes(String field, int n) {
        need(field, n);
        byte[] b = new byte[n];
        buf.getBytes(pos, b);
        pos += n;
        return b;
    }

    /** The unread rest of the message as a slice sharing the message's bytes (position unchanged). */
    ByteBuf rest() {
        return buf.slice(pos, remaining());
    }

    /** UTF-16LE string in a field of {@code size} bytes: stops at the first NUL, tolerates none. */
    String utf16(String field, int size) {
        need(field, size);
        String s = utf16z(buf, pos, pos + size);
        pos += size;
        return s;
    }

    /** UTF-16LE string filling the rest of the message (padding included). */
    String utf16Rest() {
        String s = utf16z(buf, pos, end);
        pos = end;
        return s;
    }

    /** UTF-16LE rest of message keeping internal NULs, dropping trailing NULs and padding. */
    String utf16KeepInternalNuls() {
        int stop = pos + ((end - pos) & ~1);
        while (stop - 2 >= pos && buf.getShortLE(stop - 2) == 0) {
            stop -= 2;
        }
        String s = buf.toString(pos, stop - pos, StandardCharsets.UTF_16LE);
        pos = end;
        return s;
    }

    private static String utf16z(ByteBuf buf, int from, int to) {
        int stop = from;
        int last = from + ((to - from) & ~1);
        while (stop < last && buf.getShortLE(stop) != 0) {
            stop += 2;
        }
        return stop == from ? "" : buf.toString(from, stop - from, StandardCharsets.UTF_16LE);
    }
}
