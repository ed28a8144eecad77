package io.mmsedge.protocol.mms;

import io.netty.buffer.ByteBuf;

/**
 * CLIENT_LOG_INFO (MS-MMSP §2.2.1.2): 1142 bytes of fixed-size fields. Strings are ANSI,
 * NUL-terminated, and {@code "-"} when empty; the compact constructor normalises {@code null} and
 * {@code ""} to {@code "-"}. Unsigned wire values are held as bit patterns; {@code rate} is signed.
 * Decoding is lenient: fields beyond a short {@code cbSize} or the end of the buffer take their
 * defaults ({@code "-"} / 0).
 */
public record ClientLogInfo(String url, String channelUrl, String userAgent, String hostingWebPage,
        long clientVersion, String lang, String uniquePid, String hostExe, long hostExeVer, int fileDuration,
        long fileSize, int avgBandwidthBps, String audioCodec, String videoCodec, int startTime, int played,
        int rate, int bufferingCount, int bufferingTime, long bytesReceived, int packetsReceived,
        int packetsLostClient, int packetsRecoveredEcc, int minReceptionQuality, int hr) {

    /** Size of the structure on the wire. */
    public static final int SIZE = 1142;

    public ClientLogInfo {
        url = LogFieldReader.norm(url);
        channelUrl = LogFieldReader.norm(channelUrl);
        userAgent = LogFieldReader.norm(userAgent);
        hostingWebPage = LogFieldReader.norm(hostingWebPage);
        lang = LogFieldReader.norm(lang);
        uniquePid = LogFieldReader.norm(uniquePid);
        hostExe = LogFieldReader.norm(hostExe);
        audioCodec = LogFieldReader.norm(audioCodec);
        videoCodec = LogFieldReader.norm(videoCodec);
        rate = (short) rate;
    }

    /** All strings "-", all numbers 0 (rate 1, the "normal rate" value). */
    public static ClientLogInfo empty() {
        return new ClientLogInfo(null, null, null, null, 0, null, null, null, 0, 0, 0, 0, null, null, 0, 0, 1, 0, 0,
                0, 0, 0, 0, 0, 0);
    }

    /** Writes exactly {@link #SIZE} bytes (cbSize = 1142). */
    public void encode(ByteBuf out) {
        out.writeIntLE(SIZE);
        LogFieldReader.writeStr(out, url, 260);
        LogFieldReader.writeStr(out, channelUrl, 260);
        LogFieldReader.writeStr(out, userAgent, 64);
        LogFieldReader.writeStr(out, hostingWebPage, 260);
        out.writeLongLE(clientVersion);
        LogFieldReader.writeStr(out, lang, 16);
        LogFieldReader.writeStr(out, uniquePid, 40);
        LogFieldReader.writeStr(out, hostExe, 32);
        out.writeLongLE(hostExeVer);
        out.writeIntLE(fileDuration);
        out.writeLongLE(fileSize);
        out.writeIntLE(avgBandwidthBps);
        LogFieldReader.writeStr(out, audioCodec, 64);
        LogFieldReader.writeStr(out, videoCodec, 64);
        out.writeIntLE(startTime);
        out.writeIntLE(played);
        out.writeShortLE(rate);
        out.writeIntLE(bufferingCount);
        out.writeIntLE(bufferingTime);
        out.writeLongLE(bytesReceived);
        out.writeIntLE(packetsReceived);
        out.writeIntLE(packetsLostClient);
        out.writeIntLE(packetsRecoveredEcc);
        out.writeIntLE(minReceptionQuality);
        out.writeIntLE(hr);
    }

    /**
     * Reads the structure starting at {@code index}, never past {@code limit} (exclusive) nor past
     * {@code index + cbSize} when cbSize is at least 4. Never throws for short input; does not move
     * any index of {@code buf}.
     */
    public static ClientLogInfo decode(ByteBuf buf, int index, int limit) {
        int lim = Math.min(limit, buf.writerIndex());
        if (lim - index >= 4) {
            long cb = buf.getUnsignedIntLE(index);
            if (cb >= 4 && cb < lim - index) {
                lim = index + (int) cb;
            }
        }
        LogFieldReader r = new LogFieldReader(buf, index, lim);
        r.u32();
        return new ClientLogInfo(r.str(260), r.str(260), r.str(64), r.str(260), r.u64(), r.str(16), r.str(40),
                r.str(32), r.u64(), r.u32(), r.u64(), r.u32(), r.str(64), r.str(64), r.u32(), r.u32(), r.s16(),
                r.u32(), r.u32(), r.u64(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32());
    }

    /** Compact one-line {@code key=value} summary for access logs. */
    public String toLogString() {
        StringBuilder sb = new StringBuilder(256);
        appendLog(sb);
        return sb.toString();
    }

    void appendLog(StringBuilder sb) {
        LogFieldReader.kv(sb, "url", url);
        if (!LogFieldReader.EMPTY.equals(channelUrl)) {
            LogFieldReader.kv(sb, "channelUrl", channelUrl);
        }
        LogFieldReader.kv(sb, "userAgent", userAgent);
        LogFieldReader.kv(sb, "clientVersion", version(clientVersion));
        LogFieldReader.kv(sb, "lang", lang);
        LogFieldReader.kv(sb, "uniquePid", uniquePid);
        LogFieldReader.kv(sb, "hostExe", hostExe);
        LogFieldReader.kv(sb, "fileDurationMs", Integer.toUnsignedString(fileDuration));
        LogFieldReader.kv(sb, "avgBandwidthBps", Integer.toUnsignedString(avgBandwidthBps));
        LogFieldReader.kv(sb, "audioCodec", audioCodec);
        LogFieldReader.kv(sb, "videoCodec", videoCodec);
        LogFieldReader.kv(sb, "startTimeMs", Integer.toUnsignedString(startTime));
        LogFieldReader.kv(sb, "playedMs", Integer.toUnsignedString(played));
        LogFieldReader.kv(sb, "rate", rate);
        LogFieldReader.kv(sb, "bufferingCount", Integer.toUnsignedString(bufferingCount));
        LogFieldReader.kv(sb, "bufferingTimeMs", Integer.toUnsignedString(bufferingTime));
        LogFieldReader.kv(sb, "bytesReceived", Long.toUnsignedString(bytesReceived));
        LogFieldReader.kv(sb, "packetsReceived", Integer.toUnsignedString(packetsReceived));
        LogFieldReader.kv(sb, "packetsLostClient", Integer.toUnsignedString(packetsLostClient));
        LogFieldReader.kv(sb, "minReceptionQuality", Integer.toUnsignedString(minReceptionQuality));
        LogFieldReader.kv(sb, "hr", String.format("0x%08X", hr));
    }

    /** Formats a 64-bit four-part version (major in the top 16 bits) as "a.b.c.d". */
    static String version(long v) {
        return (v >>> 48) + "." + ((v >>> 32) & 0xFFFF) + "." + ((v >>> 16) & 0xFFFF) + "." + (v & 0xFFFF);
    }
}
