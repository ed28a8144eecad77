package io.mmsedge.protocol.mms;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Bounded, lenient reader and writer helpers for the fixed-layout CLIENT_LOG structures: a field
 * that lies (partly) beyond {@code limit} yields its default, never an out-of-bounds read.
 */
final class LogFieldReader {

    /** Empty string marker of §2.2.1. */
    static final String EMPTY = "-";

    private final ByteBuf buf;
    private final int limit;
    private int pos;

    LogFieldReader(ByteBuf buf, int start, int limit) {
        this.buf = buf;
        this.pos = start;
        this.limit = limit;
    }

    int position() {
        return pos;
    }

    private boolean has(int n) {
        return pos >= 0 && limit - pos >= n;
    }

    int u32() {
        int v = has(4) ? buf.getIntLE(pos) : 0;
        pos += 4;
        return v;
    }

    int s16() {
        int v = has(2) ? buf.getShortLE(pos) : 0;
        pos += 2;
        return v;
    }

    long u64() {
        long v = has(8) ? buf.getLongLE(pos) : 0L;
        pos += 8;
        return v;
    }

    /** ANSI string in a fixed field of {@code size} bytes; stops at the first NUL or at the limit. */
    String str(int size) {
        int start = pos;
        pos += size;
        int end = Math.min(pos, limit);
        if (start >= end) {
            return EMPTY;
        }
        int nul = buf.indexOf(start, end, (byte) 0);
        int stop = nul < 0 ? end : nul;
        if (stop == start) {
            return EMPTY;
        }
        return buf.toString(start, stop - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes {@code s} into a fixed field of {@code size} bytes: truncated, zero-filled, and
     * NUL-terminated unless it fills the field. {@link #str} tolerates a field with no NUL (some
     * players send one), so a string of exactly {@code size} characters is written back as it was
     * read: a log forwarded upstream says what the player said (found by fuzzing: a 260-byte
     * unterminated url came back one byte shorter).
     */
    static void writeStr(ByteBuf out, String s, int size) {
        String v = s == null || s.isEmpty() ? EMPTY : s;
        byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
        int n = Math.min(b.length, size);
        out.writeBytes(b, 0, n);
        out.writeZero(size - n);
    }

    static String norm(String s) {
        return s == null || s.isEmpty() ? EMPTY : s;
    }

    static void kv(StringBuilder sb, String key, Object value) {
        if (sb.length() > 0) {
            sb.append(' ');
        }
        sb.append(key).append('=');
        String v = String.valueOf(value);
        boolean quote = v.isEmpty() || v.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '=' || c == 0x7F);
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < ' ' || c == 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

}
