package io.mmsedge.protocol.mms;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * CLIENT_LOG (MS-MMSP §2.2.1.1), carried by LinkViewerToMacLogging: 1490 bytes of fixed-size
 * fields. Strings are ANSI, NUL-terminated, {@code "-"} when empty (null and "" are normalised to
 * "-"). Decoding is lenient: a short or odd {@code cbSize} or a truncated buffer yields defaults for
 * the missing tail, never an out-of-bounds read.
 */
public record ClientLog(ClientLogInfo info, int sourceId, int ipAddress, String computerDns, String os,
        long osVersion, String cpu, String proto, String transport, int packetsLostNet, int packetsLostContNet,
        int resendRequests, int packetsRecoveredResent, int packetsResent) {

    /** Size of the structure on the wire. */
    public static final int SIZE = 1490;

    public ClientLog {
        info = info == null ? ClientLogInfo.empty() : info;
        computerDns = LogFieldReader.norm(computerDns);
        os = LogFieldReader.norm(os);
        cpu = LogFieldReader.norm(cpu);
        proto = LogFieldReader.norm(proto);
        transport = LogFieldReader.norm(transport);
    }

    /** Defaults: empty info, sourceId 0, ipAddress 0xFFFFFFFF, strings "-" (proto "mms"), counters 0. */
    public static ClientLog empty() {
        return new ClientLog(ClientLogInfo.empty(), 0, 0xFFFFFFFF, null, null, 0, null, "mms", null, 0, 0, 0, 0, 0);
    }

    /** Writes exactly {@link #SIZE} bytes (cbSize = 1490). */
    public void encode(ByteBuf out) {
        out.writeIntLE(SIZE);
        info.encode(out);
        out.writeIntLE(sourceId);
        out.writeIntLE(ipAddress);
        LogFieldReader.writeStr(out, computerDns, 260);
        LogFieldReader.writeStr(out, os, 16);
        out.writeLongLE(osVersion);
        LogFieldReader.writeStr(out, cpu, 16);
        LogFieldReader.writeStr(out, proto, 8);
        LogFieldReader.writeStr(out, transport, 8);
        out.writeIntLE(packetsLostNet);
        out.writeIntLE(packetsLostContNet);
        out.writeIntLE(resendRequests);
        out.writeIntLE(packetsRecoveredResent);
        out.writeIntLE(packetsResent);
    }

    /**
     * Reads the structure from the readable bytes of {@code buf} (not moving its indices). Bounded by
     * the readable bytes and, when it is at least 4 and smaller, by cbSize. Never throws.
     */
    public static ClientLog decode(ByteBuf buf) {
        Objects.requireNonNull(buf, "buf");
        int start = buf.readerIndex();
        int lim = buf.writerIndex();
        if (lim - start >= 4) {
            long cb = buf.getUnsignedIntLE(start);
            if (cb >= 4 && cb < lim - start) {
                lim = start + (int) cb;
            }
        }
        int infoStart = start + 4;
        ClientLogInfo info = infoStart < lim ? ClientLogInfo.decode(buf, infoStart, Math.min(lim,
                infoStart + ClientLogInfo.SIZE)) : ClientLogInfo.empty();
        LogFieldReader r = new LogFieldReader(buf, infoStart + ClientLogInfo.SIZE, lim);
        int sourceId = r.u32();
        int ip = lim - r.position() >= 4 ? r.u32() : skipDefault(r, 0xFFFFFFFF);
        return new ClientLog(info, sourceId, ip, r.str(260), r.str(16), r.u64(), r.str(16), r.str(8), r.str(8),
                r.u32(), r.u32(), r.u32(), r.u32(), r.u32());
    }

    private static int skipDefault(LogFieldReader r, int value) {
        r.u32();
        return value;
    }

    /** Compact one-line {@code key=value} summary for access logs. */
    public String toLogString() {
        StringBuilder sb = new StringBuilder(384);
        info.appendLog(sb);
        LogFieldReader.kv(sb, "sourceId", Integer.toUnsignedString(sourceId));
        LogFieldReader.kv(sb, "ip", ipAddress == 0xFFFFFFFF ? "-" : ipv4(ipAddress));
        LogFieldReader.kv(sb, "computerDns", computerDns);
        LogFieldReader.kv(sb, "os", os);
        LogFieldReader.kv(sb, "osVersion", ClientLogInfo.version(osVersion));
        LogFieldReader.kv(sb, "cpu", cpu);
        LogFieldReader.kv(sb, "proto", proto);
        LogFieldReader.kv(sb, "transport", transport);
        LogFieldReader.kv(sb, "packetsLostNet", Integer.toUnsignedString(packetsLostNet));
        LogFieldReader.kv(sb, "packetsLostContNet", Integer.toUnsignedString(packetsLostContNet));
        LogFieldReader.kv(sb, "resendRequests", Integer.toUnsignedString(resendRequests));
        LogFieldReader.kv(sb, "packetsRecoveredResent", Integer.toUnsignedString(packetsRecoveredResent));
        LogFieldReader.kv(sb, "packetsResent", Integer.toUnsignedString(packetsResent));
        return sb.toString();
    }

    /** dwIPAddress as stored little-endian by Windows (network byte order in memory). */
    private static String ipv4(int v) {
        return (v & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 24) & 0xFF);
    }
}
