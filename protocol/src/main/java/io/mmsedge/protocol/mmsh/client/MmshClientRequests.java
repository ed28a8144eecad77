package io.mmsedge.protocol.mmsh.client;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The requests of a non-pipelined MMSH client ([MS-WMSP] §3.1.4): each on its own connection,
 * HTTP/1.0 with {@code Connection: Close} as FFmpeg and VLC send them, so that the body runs to
 * the close and no chunked coding can come back. The Pragma tokens are those a Windows Media
 * client sends (§2.2.1.4): {@code no-cache}, {@code rate}, {@code stream-time},
 * {@code stream-offset}, {@code request-context}, {@code max-duration}, {@code xClientGUID};
 * a Play adds {@code client-id} (the server's, from the Describe answer), {@code xPlayStrm=1},
 * {@code stream-switch-count}/{@code stream-switch-entry} and, for a fast start,
 * {@code LinkBW}/{@code AccelBW}/{@code AccelDuration}.
 */
public final class MmshClientRequests {

    private MmshClientRequests() {
    }

    /** §2.2.2.1 Describe: the content's header only (request-context 1). */
    public static String describe(MmshClientConfig c) {
        StringBuilder sb = start(c, "GET");
        sb.append("Pragma: no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=1,max-duration=0\r\n");
        sb.append("Pragma: xClientGUID=").append(c.clientGuid()).append("\r\n");
        return end(sb);
    }

    /**
     * §2.2.2.6 Play (request-context 2): the header again, then the data packets from the
     * requested position.
     *
     * @param clientId the client-id the server gave in its Describe answer (§2.2.1.4.5), or -1
     */
    public static String play(MmshClientConfig c, long clientId, MmshClientPlay p) {
        StringBuilder sb = start(c, "GET");
        sb.append("Pragma: no-cache,rate=").append(String.format(Locale.ROOT, "%.6f", p.rate()))
                .append(",stream-time=").append(p.packetNum() >= 0 || p.streamOffset() >= 0 ? 0 : p.streamTimeMs())
                .append(",stream-offset=").append(offset(p.streamOffset()))
                .append(",packet-num=").append(p.packetNum() >= 0 ? p.packetNum() : 4294967295L)
                .append(",request-context=2,max-duration=0\r\n");
        sb.append("Pragma: xClientGUID=").append(c.clientGuid()).append("\r\n");
        if (clientId >= 0) {
            sb.append("Pragma: client-id=").append(clientId).append("\r\n");
        }
        sb.append("Pragma: xPlayStrm=1\r\n");
        if (p.accelBandwidth() > 0 && p.accelDurationMs() > 0) {
            sb.append("Pragma: LinkBW=").append(p.accelBandwidth()).append(",AccelBW=").append(p.accelBandwidth())
                    .append(",AccelDuration=").append(p.accelDurationMs()).append("\r\n");
        }
        if (!p.streams().isEmpty()) {
            sb.append("Pragma: stream-switch-count=").append(p.streams().size()).append("\r\n");
            sb.append("Pragma: stream-switch-entry=");
            for (int s : p.streams()) {
                // §2.2.1.4.27: "ffff" = any source stream; hex stream number; thinning 0 = all of it.
                sb.append("ffff:").append(Integer.toHexString(s)).append(":0 ");
            }
            sb.setLength(sb.length() - 1);
            sb.append("\r\n");
        }
        return end(sb);
    }

    /** The request as bytes on the wire (all ASCII: the config refuses anything else). */
    public static byte[] bytes(String request) {
        return request.getBytes(StandardCharsets.US_ASCII);
    }

    /** §2.2.1.4.28 "hi:lo"; unset is "4294967295:4294967295", a start at 0 "0:0". */
    private static String offset(long offset) {
        if (offset < 0) {
            return "0:0";
        }
        return (offset >>> 32) + ":" + (offset & 0xFFFFFFFFL);
    }

    /**
     * §2.2.2.4 LogStats: the player's log line POSTed (Content-Type application/x-wms-LogStats,
     * §2.2.1.2) with the session's client-id, as a player sends it at the end of a play.
     *
     * @param logLine one line of [MS-WMLOG] fields (ASCII; see {@link LogLines})
     */
    public static String logStats(MmshClientConfig c, long clientId, String logLine) {
        StringBuilder sb = start(c, "POST");
        sb.append("Pragma: xClientGUID=").append(c.clientGuid()).append("\r\n");
        if (clientId >= 0) {
            sb.append("Pragma: client-id=").append(clientId).append("\r\n");
        }
        sb.append("Content-Type: application/x-wms-LogStats\r\n");
        sb.append("Content-Length: ").append(logLine.length() + 2).append("\r\n");
        return end(sb) + logLine + "\r\n";
    }

    private static StringBuilder start(MmshClientConfig c, String method) {
        StringBuilder sb = new StringBuilder(512);
        sb.append(method).append(' ').append(c.requestTarget()).append(" HTTP/1.0\r\n");
        sb.append("Accept: */*\r\n");
        sb.append("User-Agent: ").append(c.userAgent()).append("\r\n");
        sb.append("Host: ").append(c.host()).append("\r\n");
        if (c.via() != null && !c.via().isBlank()) {
            sb.append("Via: ").append(c.via()).append("\r\n");
        }
        if (c.authorization() != null) {
            sb.append("Authorization: ").append(c.authorization()).append("\r\n");
        }
        return sb;
    }

    private static String end(StringBuilder sb) {
        sb.append("Connection: Close\r\n\r\n");
        return sb.toString();
    }
}
