package io.mmsedge.protocol.mms;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The parsed {@code subscriberName} of LinkViewerToMacConnect (MS-MMSP §2.2.4.17):
 *
 * <pre>
 * subscriberName = client-token [ "; Host: " host-info ] NUL [ "HOST: " host-info NUL ] [ "VIA: " via-info NUL ]
 * client-token   = "Spooooon!" / "NSPlayer/" major "." minor "; {" GUID "}"
 * </pre>
 *
 * <p>Parsing is lenient and never throws: real players send malformed GUIDs (VLC:
 * {@code {0xbabac001-0x...}}), no GUID, or anything at all; text that cannot be understood stays in
 * {@link #clientToken}. NUL-separated parts other than HOST and VIA are dropped.
 *
 * @param clientToken product[/version], e.g. "NSPlayer/7.0.0.1956" or "Spooooon!" (never null)
 * @param product text before '/', e.g. "NSPlayer" (never null)
 * @param version text after '/', or null
 * @param guid raw text between the braces, even if malformed, or null
 * @param hostParam "h[:p]" of the "; Host: " part, or null
 * @param hostString "h[:p]" of the NUL-separated "HOST: " part, or null
 * @param via tokens of the NUL-separated "VIA: " part (immutable, possibly empty)
 */
public record SubscriberName(String clientToken, String product, String version, String guid, String hostParam,
        String hostString, List<String> via) {

    private static final String HOST_PARAM = "; Host: ";
    private static final String HOST_STRING = "HOST: ";
    private static final String VIA_STRING = "VIA: ";

    /** A host and a port, as parsed from host-info. */
    public record HostPort(String host, int port) {
        public HostPort {
            Objects.requireNonNull(host, "host");
        }

        /** host-info text: "host:port", IPv6 hosts in brackets. */
        public String render() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public SubscriberName {
        clientToken = clientToken == null ? "" : clientToken;
        product = product == null ? clientToken : product;
        via = via == null ? List.of() : List.copyOf(via);
    }

    /** Parses a raw subscriberName (internal NULs kept, final NUL optional). Never throws. */
    public static SubscriberName parse(String raw) {
        String s = raw == null ? "" : raw;
        String[] parts = s.split("\0", -1);
        String main = parts[0];
        String hostString = null;
        List<String> via = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (startsWithIgnoreCase(p, HOST_STRING.trim())) {
                String v = p.substring(HOST_STRING.trim().length()).trim();
                hostString = v.isEmpty() ? null : v;
            } else if (startsWithIgnoreCase(p, VIA_STRING.trim())) {
                for (String t : p.substring(VIA_STRING.trim().length()).split(",")) {
                    String tok = t.trim();
                    if (!tok.isEmpty()) {
                        via.add(tok);
                    }
                }
            }
        }
        String[] segs = main.split(";", -1);
        String clientToken = segs[0].trim();
        String guid = null;
        String hostParam = null;
        boolean understood = true;
        for (int i = 1; i < segs.length; i++) {
            String seg = segs[i].trim();
            if (seg.startsWith("{") && guid == null) {
                int close = seg.indexOf('}');
                guid = close < 0 ? seg.substring(1) : seg.substring(1, close);
            } else if (startsWithIgnoreCase(seg, "Host:") && hostParam == null) {
                String v = seg.substring(5).trim();
                hostParam = v.isEmpty() ? null : v;
            } else if (!seg.isEmpty()) {
                understood = false;
            }
        }
        if (!understood) {
            // Unknown structure: keep the whole first part as the client token, extract nothing more.
            clientToken = main.trim();
            guid = null;
            hostParam = null;
        }
        String product = clientToken;
        String version = null;
        int slash = clientToken.indexOf('/');
        if (slash >= 0) {
            product = clientToken.substring(0, slash);
            version = clientToken.substring(slash + 1);
        }
        return new SubscriberName(clientToken, product, version, guid, hostParam, hostString, via);
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    public SubscriberName withHostParam(String hostInfo) {
        return new SubscriberName(clientToken, product, version, guid, hostInfo, hostString, via);
    }

    public SubscriberName withHostString(String hostInfo) {
        return new SubscriberName(clientToken, product, version, guid, hostParam, hostInfo, via);
    }

    /** Adds {@code token} (e.g. "mms-edge/0.1") to the via-string, creating it if absent. */
    public SubscriberName withViaAppended(String token) {
        Objects.requireNonNull(token, "token");
        List<String> v = new ArrayList<>(via);
        v.add(token.trim());
        return new SubscriberName(clientToken, product, version, guid, hostParam, hostString, v);
    }

    /** True when a proxy forwarded this session (its VIA part names at least one, §2.2.4.17). */
    public boolean viaProxy() {
        return !via.isEmpty();
    }

    /** True if a via token equals {@code token}, ignoring case (loop detection for proxies). */
    public boolean viaContains(String token) {
        if (token == null) {
            return false;
        }
        String t = token.trim().toLowerCase(Locale.ROOT);
        return via.stream().anyMatch(x -> x.toLowerCase(Locale.ROOT).equals(t));
    }

    /**
     * The raw text in ABNF order: {@code client-token["; {" guid "}"]["; Host: " h]} then
     * NUL-separated {@code "HOST: " h} and {@code "VIA: " a, b}; without the final NUL (the codec
     * writes it).
     */
    public String render() {
        StringBuilder sb = new StringBuilder(clientToken);
        if (guid != null) {
            sb.append("; {").append(guid).append('}');
        }
        if (hostParam != null) {
            sb.append(HOST_PARAM).append(hostParam);
        }
        if (hostString != null) {
            sb.append('\0').append(HOST_STRING).append(hostString);
        }
        if (!via.isEmpty()) {
            sb.append('\0').append(VIA_STRING).append(String.join(", ", via));
        }
        return sb.toString();
    }

    /**
     * Parses host-info ({@code host [":" port]}, IPv6 in brackets; a bare IPv6 address without
     * brackets is taken as a host without port). A missing or invalid port yields {@code defaultPort}.
     * Returns null for null or blank input. Never throws.
     */
    public static HostPort parseHostInfo(String hostInfo, int defaultPort) {
        if (hostInfo == null || hostInfo.isBlank()) {
            return null;
        }
        String s = hostInfo.trim();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                host = s.substring(1);
            } else {
                host = s.substring(1, close);
                String rest = s.substring(close + 1);
                if (rest.startsWith(":")) {
                    port = rest.substring(1);
                }
            }
        } else {
            int first = s.indexOf(':');
            if (first >= 0 && first == s.lastIndexOf(':')) {
                host = s.substring(0, first);
                port = s.substring(first + 1);
            } else {
                host = s;
            }
        }
        return new HostPort(host, parsePort(port, defaultPort));
    }

    private static int parsePort(String p, int defaultPort) {
        if (p == null || p.isEmpty() || p.length() > 5) {
            return defaultPort;
        }
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                return defaultPort;
            }
        }
        int v = Integer.parseInt(p);
        return v >= 1 && v <= 65535 ? v : defaultPort;
    }
}
