package io.mmsedge.protocol.mmsh.client;

import java.util.Objects;

/**
 * What every request of one MMSH client session carries ([MS-WMSP] §2.2.1).
 *
 * @param requestTarget the request-target: "/path" to an origin, or the absolute URI
 *                      "http://host:port/path" when the connection goes to an HTTP proxy
 * @param host          the Host header: the origin's "host:port"
 * @param userAgent     User-Agent (§2.2.1.8); WMS answers MMSH only to "NSPlayer/..." agents
 * @param clientGuid    xClientGUID (§2.2.1.4.33), "{...}"
 * @param via           the Via header (RFC 7230 §5.7.1) naming the proxies on the way, or null
 * @param authorization the Authorization header ("Basic ..."), or null
 * @param maxFrame      the largest MMSH PacketLength accepted (at most 65535)
 */
public record MmshClientConfig(String requestTarget, String host, String userAgent, String clientGuid, String via,
                               String authorization, int maxFrame) {

    public MmshClientConfig {
        Objects.requireNonNull(requestTarget, "requestTarget");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(userAgent, "userAgent");
        Objects.requireNonNull(clientGuid, "clientGuid");
        for (String v : new String[] {requestTarget, host, userAgent, clientGuid, via, authorization}) {
            if (v != null && !printable(v)) {
                throw new IllegalArgumentException("MMSH request field with a control or non-ASCII character");
            }
        }
        if (maxFrame < MmshResponseReader.MIN_FRAME || maxFrame > 0xFFFF) {
            throw new IllegalArgumentException("maxFrame must be " + MmshResponseReader.MIN_FRAME + "..65535: "
                    + maxFrame);
        }
    }

    /** No CR, LF or other control character can split a header line (request smuggling). */
    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
