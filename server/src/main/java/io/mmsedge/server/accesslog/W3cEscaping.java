package io.mmsedge.server.accesslog;

import java.nio.charset.StandardCharsets;

/**
 * How a value is written into a W3C line, as Windows Media Services writes its log ([MS-WMLOG]
 * §2.2): fields are separated by one space, so a value never contains one; an empty or unknown
 * value is {@code -}; URL fields are percent-encoded (RFC 3986 §2.1); in other fields white
 * space becomes {@code _} (WMS writes {@code Mozilla/4.0_(compatible;_MSIE_6.0)}). Values come
 * from players (user agents, paths, their log strings): every control character, CR and LF
 * among them, and the Unicode line and paragraph separators are replaced too (issue #17: nothing
 * a player sends may forge a line of its own (a line starts with c-ip, which the server measures, so
 * never with a {@code #} directive).
 */
public final class W3cEscaping {

    /** Longest value written; a player's string beyond it is cut (its fields are bounded anyway). */
    static final int MAX_VALUE = 4096;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private W3cEscaping() {
    }

    /** {@code value} as a W3C field; {@code url} selects percent-encoding. */
    public static String escape(String value, boolean url) {
        if (value == null || value.isEmpty() || value.equals("-")) {
            return "-";
        }
        String v = value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value;
        return url ? percentEncode(v) : replaceSpaces(v);
    }

    private static String replaceSpaces(String v) {
        StringBuilder sb = null;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            char r = Character.isWhitespace(c) || Character.isSpaceChar(c) ? '_' : unsafe(c) ? '?' : c;
            if (r != c && sb == null) {
                sb = new StringBuilder(v.length()).append(v, 0, i);
            }
            if (sb != null) {
                sb.append(r);
            }
        }
        return sb == null ? v : sb.toString();
    }

    /** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
    }

    /**
     * Keeps RFC 3986's unreserved and reserved characters and an existing {@code %XX}; every other
     * byte of the UTF-8 form (space, controls, {@code "}, non-ASCII...) becomes {@code %XX}.
     */
    private static String percentEncode(String v) {
        StringBuilder sb = new StringBuilder(v.length() + 16);
        for (byte b : v.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F && "\"<>\\^`{|}".indexOf(c) < 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return sb.toString();
    }
}
