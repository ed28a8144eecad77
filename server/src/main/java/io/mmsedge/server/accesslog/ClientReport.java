package io.mmsedge.server.accesslog;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.ClientLogInfo;

/**
 * Lays what a player reported in its log over the server's record. The player's view wins for
 * the c- fields (what it played, from where, how well); the server keeps c-ip, the s- and sc-
 * fields, protocol and transport (what it measured itself). A "-" or 0 from the player leaves
 * the server's value where the server has one.
 */
final class ClientReport {

    private ClientReport() {
    }

    /** The log's times are CLIENT_LOG's milliseconds (MS-MMSP §2.2.1.1; LogStats converts MMSH's seconds). */
    static AccessRecord apply(AccessRecord r, ClientLog log) {
        ClientLogInfo i = log.info();
        int div = 1000;
        over(r, AccessField.C_DNS, log.computerDns());
        r.set(AccessField.C_STARTTIME, Integer.toUnsignedLong(i.startTime()) / div);
        r.set(AccessField.X_DURATION, Integer.toUnsignedLong(i.played()) / div);
        r.set(AccessField.C_RATE, i.rate());
        r.set(AccessField.C_STATUS, Statuses.of(i.hr()));
        over(r, AccessField.C_PLAYERID, i.uniquePid());
        over(r, AccessField.C_PLAYERVERSION, i.clientVersion() == 0 ? null : version(i.clientVersion()));
        over(r, AccessField.C_PLAYERLANGUAGE, i.lang());
        over(r, AccessField.CS_USER_AGENT, i.userAgent());
        over(r, AccessField.C_OS, log.os());
        over(r, AccessField.C_CPU, log.cpu());
        if (i.fileDuration() != 0) {
            r.set(AccessField.FILELENGTH, Integer.toUnsignedLong(i.fileDuration()) / div);
        }
        if (i.fileSize() != 0) {
            r.set(AccessField.FILESIZE, Long.toUnsignedString(i.fileSize()));
        }
        if (i.avgBandwidthBps() != 0) {
            r.set(AccessField.AVGBANDWIDTH, Integer.toUnsignedLong(i.avgBandwidthBps()));
        }
        over(r, AccessField.AUDIOCODEC, i.audioCodec());
        over(r, AccessField.VIDEOCODEC, i.videoCodec());
        r.set(AccessField.C_BYTES, Long.toUnsignedString(i.bytesReceived()));
        r.set(AccessField.C_PKTS_RECEIVED, Integer.toUnsignedLong(i.packetsReceived()));
        r.set(AccessField.C_PKTS_LOST_CLIENT, Integer.toUnsignedLong(i.packetsLostClient()));
        r.set(AccessField.C_RESENDREQS, Integer.toUnsignedLong(log.resendRequests()));
        r.set(AccessField.C_BUFFERCOUNT, Integer.toUnsignedLong(i.bufferingCount()));
        r.set(AccessField.C_TOTALBUFFERTIME, Integer.toUnsignedLong(i.bufferingTime()) / div);
        r.set(AccessField.C_QUALITY, Integer.toUnsignedLong(i.minReceptionQuality()));
        if (i.url().contains("://")) { // LogStats carries cs-uri-stem there, not the URL
            r.set(AccessField.CS_URL, i.url());
        }
        return r;
    }

    /** The player's value unless it is unknown. */
    private static void over(AccessRecord r, AccessField f, String value) {
        if (value != null && !value.isEmpty() && !value.equals("-")) {
            r.set(f, value);
        }
    }

    /** A 64-bit four-part version (major in the top 16 bits) as a.b.c.d. */
    private static String version(long v) {
        return (v >>> 48) + "." + ((v >>> 32) & 0xFFFF) + "." + ((v >>> 16) & 0xFFFF) + "." + (v & 0xFFFF);
    }
}
