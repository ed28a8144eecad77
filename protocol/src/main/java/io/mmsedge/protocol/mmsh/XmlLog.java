package io.mmsedge.protocol.mmsh;

import java.util.Locale;

/**
 * The XML form of a client log ([MS-WMLOG] §2.4), which Windows Media Player 9 and later post in
 * a LogStats body ([MS-WMSP] §2.2.2.4): an {@code <XML>} element holding {@code <Summary>} (the
 * W3C log line) and one element per field, e.g. {@code <c-ip>}, {@code <cs-uri-stem>},
 * {@code <cs(User-Agent)>}.
 *
 * <p>Read by hand, not by an XML parser: names like {@code cs(User-Agent)} are not XML names,
 * so a conforming parser rejects real logs; and a hand scanner has no DTDs, no external
 * entities and no entity expansion to harden (no XXE). Only flat {@code <name>text</name>}
 * elements are taken, the five predefined entities and numeric references are decoded, and
 * everything is bounded: the body by {@link LogStats#MAX_BODY}, each value by
 * {@link #MAX_VALUE} characters. Anything else (comments, nesting, attributes) is skipped.
 */
final class XmlLog {

    /** The W3C field names in log-line order ([MS-WMLOG] §2.2); the positions LogStats maps. */
    static final String[] FIELDS = {"c-ip", "date", "time", "c-dns", "cs-uri-stem", "c-starttime", "x-duration",
        "c-rate", "c-status", "c-playerid", "c-playerversion", "c-playerlanguage", "cs(user-agent)",
        "cs(referer)", "c-hostexe", "c-hostexever", "c-os", "c-osversion", "c-cpu", "filelength", "filesize",
        "avgbandwidth", "protocol", "transport", "audiocodec", "videocodec", "channelurl", "sc-bytes", "c-bytes",
        "s-pkts-sent", "c-pkts-received", "c-pkts-lost-client", "c-pkts-lost-net", "c-pkts-lost-cont-net",
        "c-resendreqs", "c-pkts-recovered-ecc", "c-pkts-recovered-resent", "c-buffercount",
        "c-totalbuffertime", "c-quality"};

    /** Field name to its position: one lookup per element, not a comparison with every name. */
    private static final java.util.Map<String, Integer> POSITION = positions();

    static final int MAX_VALUE = 2048;
    private static final int MAX_NAME = 64;

    private XmlLog() {
    }

    /** True when {@code body} is the XML form (its first non-blank character is '<'). */
    static boolean isXml(String body) {
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '<';
            }
        }
        return false;
    }

    /**
     * The fields in log-line order: each from its own element, else from the Summary line, else
     * null. Values keep their spaces (a User-Agent has some).
     */
    static String[] fields(String body) {
        String[] out = new String[FIELDS.length];
        String summary = null;
        int i = 0;
        while ((i = body.indexOf('<', i)) >= 0) {
            int nameEnd = body.indexOf('>', i + 1);
            if (nameEnd < 0) {
                break;
            }
            String name = body.substring(i + 1, nameEnd);
            i = nameEnd + 1;
            if (name.isEmpty() || name.length() > MAX_NAME || !plainName(name)) {
                continue; // an end tag, a comment, a declaration, attributes: not a field
            }
            // A flat text element: the next tag closes it (linear: nothing is searched twice).
            String close = "</" + name + ">";
            int end = body.indexOf('<', i);
            if (end < 0 || !body.regionMatches(true, end, close, 0, close.length())) {
                continue; // not a flat text element (e.g. <XML> itself)
            }
            String value = decode(body.substring(i, Math.min(end, i + MAX_VALUE))).strip();
            i = end + close.length();
            String key = name.toLowerCase(Locale.ROOT);
            if (key.equals("summary")) {
                summary = value;
                continue;
            }
            Integer k = POSITION.get(key);
            if (k != null && out[k] == null) {
                out[k] = value.isEmpty() ? null : value;
            }
        }
        if (summary != null) {
            String[] line = summary.split("\\s+", FIELDS.length + 1);
            for (int k = 0; k < FIELDS.length && k < line.length; k++) {
                if (out[k] == null && !line[k].isEmpty()) {
                    out[k] = line[k];
                }
            }
        }
        return out;
    }

    private static java.util.Map<String, Integer> positions() {
        java.util.Map<String, Integer> m = new java.util.HashMap<>();
        for (int k = 0; k < FIELDS.length; k++) {
            m.put(FIELDS[k], k);
        }
        return java.util.Map.copyOf(m);
    }

    private static boolean plainName(String name) {
        for (int k = 0; k < name.length(); k++) {
            char c = name.charAt(k);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '(' || c == ')' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** The predefined entities and character references; anything else is left as written. */
    static String decode(String v) {
        if (v.indexOf('&') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder(v.length());
        int k = 0;
        while (k < v.length()) {
            char c = v.charAt(k);
            int semi = c == '&' ? v.indexOf(';', k) : -1;
            if (semi < 0 || semi - k > 10) {
                sb.append(c);
                k++;
                continue;
            }
            String ref = v.substring(k + 1, semi);
            String rep = switch (ref) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                default -> charRef(ref);
            };
            if (rep == null) {
                sb.append(c);
                k++;
            } else {
                sb.append(rep);
                k = semi + 1;
            }
        }
        return sb.toString();
    }

    private static String charRef(String ref) {
        try {
            int cp = ref.startsWith("#x") || ref.startsWith("#X") ? Integer.parseInt(ref.substring(2), 16)
                    : ref.startsWith("#") ? Integer.parseInt(ref.substring(1)) : -1;
            return cp > 0 && Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
