package io.mmsedge.server.mmsh;

import java.util.Locale;

/**
 * What an MMSH request says of proxies, in the terms of the MMS subscriberName (§2.2.4.17) that
 * catalogs route by: a player whose HTTP proxy is this server sends an absolute URI
 * ({@code GET http://origin:port/path}, RFC 7230 §5.3.2), which becomes the HOST string
 * {@code http://origin:port} (forward mode, under the same allow rules as MMS); the proxies a
 * request came through (its Via header, RFC 7230 §5.7.1) become VIA tokens, so that a proxy
 * finds its own token again and detects a loop. A Via entry's comment is its token when there
 * is one (mms-edge writes {@code 1.0 mms-edge (mms-edge/0.1.0+1a2b3c4d)}), else its received-by.
 */
final class ProxiedNames {

    /** Bounds on what is taken from a Via header. */
    private static final int MAX_VIA_ENTRIES = 16;
    private static final int MAX_TOKEN = 128;

    private ProxiedNames() {
    }

    /** The subscriberName parts after the first NUL ("HOST: ..." and "VIA: ..."), "" when there are none. */
    static String suffix(String uri, String via) {
        StringBuilder sb = new StringBuilder();
        String origin = absoluteOrigin(uri);
        if (origin != null) {
            sb.append("\0HOST: ").append(origin);
        }
        String tokens = viaTokens(via);
        if (!tokens.isEmpty()) {
            sb.append("\0VIA: ").append(tokens);
        }
        return sb.toString();
    }

    /** "http://host:port" of an absolute request URI (port 80 by default), or null for a path. */
    static String absoluteOrigin(String uri) {
        if (uri == null || !(uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "mmsh://", 0, 7))) {
            return null;
        }
        int end = uri.length();
        for (int i = 7; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String authority = uri.substring(7, end);
        int at = authority.lastIndexOf('@');
        authority = authority.substring(at + 1); // never relay userinfo
        if (authority.isEmpty() || !authority.matches("[A-Za-z0-9.\\-\\[\\]:]{1,262}")) {
            return null;
        }
        boolean hasPort = authority.startsWith("[") ? authority.contains("]:") : authority.contains(":");
        return "http://" + authority.toLowerCase(Locale.ROOT) + (hasPort ? "" : ":80");
    }

    static String viaTokens(String via) {
        if (via == null || via.isBlank()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        String[] entries = via.split(",");
        for (int i = 0; i < entries.length && i < MAX_VIA_ENTRIES; i++) {
            String e = entries[i].strip();
            int open = e.indexOf('(');
            int close = e.lastIndexOf(')');
            String token;
            if (open >= 0 && close > open) {
                token = e.substring(open + 1, close).strip();
            } else {
                String[] words = e.split("\\s+");
                token = words.length > 1 ? words[1] : words[0];
            }
            if (!token.isEmpty() && token.length() <= MAX_TOKEN && token.chars().allMatch(c -> c > 0x20 && c < 0x7F
                    && c != ',')) {
                sb.append(sb.length() == 0 ? "" : ", ").append(token);
            }
        }
        return sb.toString();
    }
}
