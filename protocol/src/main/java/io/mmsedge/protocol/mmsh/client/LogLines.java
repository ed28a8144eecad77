package io.mmsedge.protocol.mmsh.client;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.ClientLogInfo;

/**
 * A player's log (MS-MMSP's CLIENT_LOG, §2.2.1.1) as the LogStats line an MMSH client POSTs
 * ([MS-WMSP] §2.2.2.4): the legacy Windows Media log fields in their order ([MS-WMLOG]), the
 * inverse of {@link io.mmsedge.protocol.mmsh.LogStats#parse}. A field that is unknown is "-";
 * white space inside a field becomes "_", so that the line keeps one field per position.
 */
public final class LogLines {

    private LogLines() {
    }

    public static String render(ClientLog log) {
        ClientLogInfo i = log.info();
        Object[] f = {ip(log.ipAddress()), "-", "-", log.computerDns(), i.url(), s(i.startTime()), s(i.played()),
                i.rate(),
                i.hr(), i.uniquePid(), version(i.clientVersion()), i.lang(), i.userAgent(), i.hostingWebPage(),
                i.hostExe(), version(i.hostExeVer()), log.os(), version(log.osVersion()), log.cpu(), s(i.fileDuration()),
                i.fileSize(), i.avgBandwidthBps(), log.proto(), log.transport(), i.audioCodec(), i.videoCodec(),
                i.channelUrl(), "-", i.bytesReceived(), "-", i.packetsReceived(), i.packetsLostClient(),
                log.packetsLostNet(), log.packetsLostContNet(), log.resendRequests(), i.packetsRecoveredEcc(),
                log.packetsRecoveredResent(), i.bufferingCount(), s(i.bufferingTime()), i.minReceptionQuality()};
        StringBuilder sb = new StringBuilder(512);
        for (Object o : f) {
            sb.append(sb.length() == 0 ? "" : " ").append(field(o));
        }
        return sb.toString();
    }

    private static String field(Object o) {
        String s = o == null ? "" : o.toString().strip();
        if (s.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int k = 0; k < s.length() && k < 1024; k++) {
            char c = s.charAt(k);
            sb.append(c <= 0x20 || c > 0x7E ? '_' : c);
        }
        return sb.toString();
    }

    /** CLIENT_LOG's unsigned milliseconds as the log line's seconds ("12", "12.092"), exact both ways. */
    private static String s(int ms) {
        long v = Integer.toUnsignedLong(ms);
        return v % 1000 == 0 ? Long.toString(v / 1000) : java.math.BigDecimal.valueOf(v, 3).stripTrailingZeros()
                .toPlainString();
    }

    /** ClientLogInfo's four 16-bit parts as "a.b.c.d"; 0 (unknown) as "-". */
    private static String version(long v) {
        if (v == 0) {
            return "-";
        }
        return ((v >>> 48) & 0xFFFF) + "." + ((v >>> 32) & 0xFFFF) + "." + ((v >>> 16) & 0xFFFF) + "." + (v & 0xFFFF);
    }

    /** dwIPAddress as ClientLog stores it (network order in memory, read little-endian); all ones = unknown. */
    private static String ip(int a) {
        if (a == 0xFFFFFFFF) {
            return "-";
        }
        return (a & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 24) & 0xFF);
    }
}
