package io.mmsedge.protocol.mms.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Encoding side of MMS strings: UTF-16LE with a terminating NUL (MS-MMSP §2.2.4). */
final class Utf16 {

    private Utf16() {
    }

    /** {@code s} (null read as empty) in UTF-16LE followed by a NUL character. */
    static byte[] withNul(String s) {
        String v = s == null ? "" : s;
        byte[] b = v.getBytes(StandardCharsets.UTF_16LE);
        byte[] z = new byte[b.length + 2];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** Like {@link #withNul}, but no bytes at all (not even the NUL) for a null or empty string. */
    static byte[] withNulOrEmpty(String s) {
        return s == null || s.isEmpty() ? new byte[0] : withNul(s);
    }

    static void write(ByteBuf out, String s) {
        out.writeBytes(withNul(s));
    }
}
