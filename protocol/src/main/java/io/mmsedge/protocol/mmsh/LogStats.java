package io.mmsedge.protocol.mmsh;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.ClientLogInfo;

/**
 * The body of an MMSH LogStats request ([MS-WMSP] §2.2.2.4): one log line of space-separated
 * fields in the legacy Windows Media log order ([MS-WMLOG]: c-ip date time c-dns cs-uri-stem
 * c-starttime x-duration c-rate c-status c-playerid c-playerversion c-playerlanguage
 * cs(User-Agent) cs(Referer) c-hostexe c-hostexever c-os c-osversion c-cpu filelength filesize
 * avgbandwidth protocol transport audiocodec videocodec channelURL sc-bytes c-bytes s-pkts-sent
 * c-pkts-received c-pkts-lost-client c-pkts-lost-net c-pkts-lost-cont-net c-resendreqs
 * c-pkts-recovered-ECC c-pkts-recovered-resent c-buffercount c-totalbuffertime c-quality ...).
 * MMS/TCP carries the same facts in the binary CLIENT_LOG (MS-MMSP §2.2.1.1), so the line is
 * mapped onto a {@link ClientLog} and recorded like an MMS client log. Lenient: missing or
 * non-numeric fields take the ClientLog defaults. Windows Media Player 9 and later send the
 * XML form ([MS-WMLOG] §2.4) instead, read by {@link XmlLog} into the same fields.
 */
public final class LogStats {

    /** Longest body read; longer bodies are cut (the server's aggregator bounds them anyway). */
    public static final int MAX_BODY = 16 * 1024;
    private static final int MAX_FIELDS = 128;

    private LogStats() {
    }

    /** The key/value (log line) form, or the XML form of WMP 9 and later ({@link XmlLog}). */
    public static ClientLog parse(String body) {
        String text = body.length() > MAX_BODY ? body.substring(0, MAX_BODY) : body;
        if (XmlLog.isXml(text)) {
            return fromFields(XmlLog.fields(text));
        }
        // WMP puts the line in the body, sometimes after a header line; take the longest line.
        String line = "";
        for (String l : text.split("\r?\n")) {
            if (l.length() > line.length()) {
                line = l.strip();
            }
        }
        return fromFields(line.isEmpty() ? new String[0] : line.split("\\s+", MAX_FIELDS));
    }

    /**
     * Fields in log-line order ([MS-WMLOG] §2.2) onto a ClientLog; null or absent ones take defaults.
     * The log line's times (filelength, c-starttime, x-duration, c-totalbuffertime) are seconds;
     * CLIENT_LOG's (msFileDuration, msStartTime, msPlayed, msBufferingTime) are milliseconds
     * (MS-MMSP §2.2.1.1): an MMSH player's log forwarded to an MMS origin kept its seconds as
     * milliseconds, 1000 times too short, until they were converted here.
     */
    private static ClientLog fromFields(String[] f) {
        ClientLogInfo info = new ClientLogInfo(s(f, 4), s(f, 26), s(f, 12), s(f, 13), version(s(f, 10)), s(f, 11),
                s(f, 9), s(f, 14), version(s(f, 15)), ms(f, 19), n(f, 20), i(f, 21), s(f, 24), s(f, 25), ms(f, 5),
                ms(f, 6), rate(s(f, 7)), i(f, 37), ms(f, 38), n(f, 28), i(f, 30), i(f, 31), i(f, 35), i(f, 39),
                i(f, 8));
        return new ClientLog(info, 0, ipv4(s(f, 0)), s(f, 3), s(f, 16), version(s(f, 17)), s(f, 18),
                f.length > 22 ? s(f, 22) : "http", s(f, 23), i(f, 32), i(f, 33), i(f, 34), i(f, 36), 0);
    }

    private static String s(String[] f, int i) {
        return i < f.length ? f[i] : null;
    }

    private static long n(String[] f, int i) {
        String v = s(f, i);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int i(String[] f, int i) {
        return (int) n(f, i);
    }

    /** Seconds ("12", "12.092") as CLIENT_LOG's unsigned 32-bit milliseconds; unknown or negative: 0. */
    private static int ms(String[] f, int i) {
        String v = s(f, i);
        try {
            double ms = v == null ? 0 : Double.parseDouble(v) * 1000;
            return ms >= 0 ? (int) Math.min(Math.round(ms), 0xFFFF_FFFFL) : 0; // NaN also ends here as 0
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** c-rate is a float ("1"); ClientLogInfo keeps it as a whole number. */
    private static int rate(String v) {
        try {
            return v == null ? 1 : (int) Math.round(Double.parseDouble(v));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** "9.0.0.2980" as four 16-bit parts (ClientLogInfo's version encoding). */
    static long version(String v) {
        if (v == null) {
            return 0;
        }
        String[] p = v.split("\\.");
        long out = 0;
        for (int k = 0; k < 4; k++) {
            long part = 0;
            if (k < p.length) {
                try {
                    part = Long.parseLong(p[k]) & 0xFFFF;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
            out = (out << 16) | part;
        }
        return out;
    }

    /** dwIPAddress as ClientLog stores it (network byte order in memory, read little-endian). */
    private static int ipv4(String v) {
        if (v == null) {
            return 0xFFFFFFFF;
        }
        String[] p = v.split("\\.");
        if (p.length != 4) {
            return 0xFFFFFFFF;
        }
        int out = 0;
        try {
            for (int k = 3; k >= 0; k--) {
                int b = Integer.parseInt(p[k]);
                if (b < 0 || b > 255) {
                    return 0xFFFFFFFF;
                }
                out = (out << 8) | b;
            }
        } catch (NumberFormatException e) {
            return 0xFFFFFFFF;
        }
        return out;
    }
}
