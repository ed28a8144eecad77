package io.mmsedge.protocol.mmsh.client;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status line and headers of an HTTP response, parsed with bounds: at most
 * {@link #MAX_HEADERS} header lines in at most the reader's byte limit. Names are kept as sent
 * and matched without case; repeated headers (Pragma) stay in order.
 *
 * @param status  the status code
 * @param reason  the reason phrase
 * @param headers name/value pairs in order
 */
public record MmshResponseHead(int status, String reason, List<Map.Entry<String, String>> headers) {

    public static final int MAX_HEADERS = 100;

    public MmshResponseHead {
        headers = List.copyOf(headers);
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** Every value of header {@code name}, in order. */
    public List<String> all(String name) {
        List<String> v = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                v.add(h.getValue());
            }
        }
        return v;
    }

    /**
     * Parses the head at the start of {@code in} once it is complete (up to the empty line) and
     * consumes it; returns null, consuming nothing, while it is not.
     *
     * @throws MmshClientException if the head exceeds {@code maxBytes} or is not an HTTP response
     */
    public static MmshResponseHead parse(ByteBuf in, int maxBytes) {
        int start = in.readerIndex();
        int limit = Math.min(in.writerIndex(), start + maxBytes);
        int end = -1;
        int bodyAt = -1;
        for (int i = start; i < limit; i++) {
            if (in.getByte(i) != '\n') {
                continue;
            }
            // An empty line: "\n\n" or "\r\n\r\n" (tolerating bare LF, as browsers do).
            if (i + 1 < in.writerIndex() && in.getByte(i + 1) == '\n') {
                end = i;
                bodyAt = i + 2;
                break;
            }
            if (i + 2 < in.writerIndex() && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                end = i;
                bodyAt = i + 3;
                break;
            }
        }
        if (end < 0) {
            if (in.readableBytes() >= maxBytes) {
                throw new MmshClientException("response head longer than " + maxBytes + " bytes");
            }
            return null;
        }
        String text = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
        in.readerIndex(bodyAt);
        return parse(text);
    }

    static MmshResponseHead parse(String text) {
        String[] lines = text.split("\r?\n", -1);
        String status = lines[0].strip();
        if (!status.regionMatches(true, 0, "HTTP/1.", 0, 7) || status.length() < 12 || status.charAt(8) != ' ') {
            throw new MmshClientException("not an HTTP response: \"" + truncate(status) + "\"");
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new MmshClientException("bad status code in \"" + truncate(status) + "\"");
        }
        if (code < 100 || code > 599) {
            throw new MmshClientException("status code " + code + " out of range");
        }
        if (lines.length - 1 > MAX_HEADERS) {
            throw new MmshClientException((lines.length - 1) + " response headers (max " + MAX_HEADERS + ")");
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MmshClientException("malformed header line \"" + truncate(line) + "\"");
            }
            headers.add(Map.entry(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
        }
        return new MmshResponseHead(code, status.length() > 13 ? status.substring(13).strip() : "", headers);
    }

    /** The tokens of every Pragma header (§2.2.1.4), split at commas outside quotes, names lower case. */
    public Map<String, String> pragmas() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String value : all("Pragma")) {
            boolean quoted = false;
            int from = 0;
            for (int i = 0; i <= value.length(); i++) {
                if (i < value.length() && value.charAt(i) == '"') {
                    quoted = !quoted;
                }
                if (i == value.length() || (value.charAt(i) == ',' && !quoted)) {
                    token(value.substring(from, i).strip(), out);
                    from = i + 1;
                }
            }
        }
        return out;
    }

    private static void token(String t, Map<String, String> out) {
        if (t.isEmpty() || out.size() >= MAX_HEADERS) {
            return;
        }
        int eq = t.indexOf('=');
        String name = (eq < 0 ? t : t.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
        String value = eq < 0 ? "" : t.substring(eq + 1).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        out.put(name, value);
    }

    static String truncate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
