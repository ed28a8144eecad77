package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.message.MessageType;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportDisconnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.protocol.mms.message.ReportStartStriding;
import io.mmsedge.protocol.mms.message.ReportStartedPlaying;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.protocol.mms.message.ReportStreamSwitch;
import io.mmsedge.protocol.mms.message.SecurityChallenge;
import io.netty.buffer.ByteBuf;

/**
 * Bodies (the fields after chunkLen and MID) of the LinkMacToViewer* messages, MS-MMSP §2.2.4.1 -
 * §2.2.4.14, the ones a server sends. Framing, padding and dispatch are {@link MmsMessageCodec}'s.
 */
final class ServerMessageCodec {

    private ServerMessageCodec() {
    }

    /**
     * Writes the body of server message {@code m}; returns the minimum encoded size of the whole
     * message (0 but for the two replies VLC wants longer, see {@link MmsMessageCodec}).
     */
    static int encodeBody(MmsMessage m, ByteBuf out) {
        switch (m.type()) {
            case PING -> {
                Ping p = (Ping) m;
                out.writeIntLE(p.dwParam1()).writeIntLE(p.dwParam2());
            }
            case REPORT_CONNECTED_EX -> {
                encodeConnectedEx((ReportConnectedEx) m, out);
                return MmsMessageCodec.MIN_REPORT_CONNECTED_EX;
            }
            case REPORT_CONNECTED_FUNNEL -> {
                ReportConnectedFunnel r = (ReportConnectedFunnel) m;
                out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.packetPayloadSize());
                Utf16.write(out, r.funnelName());
            }
            case REPORT_DISCONNECTED_FUNNEL -> {
                ReportDisconnectedFunnel r = (ReportDisconnectedFunnel) m;
                out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation());
            }
            case REPORT_END_OF_STREAM -> {
                ReportEndOfStream r = (ReportEndOfStream) m;
                out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation());
            }
            case REPORT_FUNNEL_INFO -> {
                ReportFunnelInfo r = (ReportFunnelInfo) m;
                out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.transportMask())
                        .writeIntLE(r.nBlockFragments()).writeIntLE(r.fragmentBytes()).writeIntLE(r.nCubs())
                        .writeIntLE(r.failedCubs()).writeIntLE(r.nDisks()).writeIntLE(r.decluster())
                        .writeIntLE(r.cubddDatagramSize());
                out.writeBytes(r.packetPair());
            }
            case REPORT_OPEN_FILE -> {
                encodeOpenFile((ReportOpenFile) m, out);
                return MmsMessageCodec.MIN_REPORT_OPEN_FILE;
            }
            case REPORT_READ_BLOCK -> {
                ReportReadBlock r = (ReportReadBlock) m;
                out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.playSequence());
            }
            case REPORT_REDIRECT -> encodeRedirect((ReportRedirect) m, out);
            case REPORT_STARTED_PLAYING -> {
                ReportStartedPlaying r = (ReportStartedPlaying) m;
                out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.tigerFileId()).writeIntLE(r.unused1());
                out.writeZero(12); // unused2
            }
            case REPORT_START_STRIDING -> {
                ReportStartStriding r = (ReportStartStriding) m;
                out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.spare());
            }
            case REPORT_STREAM_CHANGE -> {
                ReportStreamChange r = (ReportStreamChange) m;
                out.writeIntLE(r.hr()).writeIntLE(r.dwTcpHdrIncarnation()).writeIntLE(r.cbPacketSize())
                        .writeIntLE(r.cbHeaderSize()).writeIntLE(r.dwBitRate()).writeIntLE(r.dwStreamId());
            }
            case REPORT_STREAM_SWITCH -> out.writeIntLE(((ReportStreamSwitch) m).hr());
            case SECURITY_CHALLENGE -> {
                SecurityChallenge r = (SecurityChallenge) m;
                byte[] token = r.token();
                out.writeIntLE(r.playIncarnation()).writeIntLE(r.cookie()).writeIntLE(token.length);
                out.writeBytes(token);
            }
            default -> throw new IllegalArgumentException("not a server message: " + m.type());
        }
        return 0;
    }

    private static void encodeConnectedEx(ReportConnectedEx r, ByteBuf out) {
        byte[] sv = Utf16.withNulOrEmpty(r.serverVersionInfo());
        byte[] vi = Utf16.withNulOrEmpty(r.versionInfo());
        byte[] vu = Utf16.withNulOrEmpty(r.versionUrl());
        byte[] ap = Utf16.withNulOrEmpty(r.authenPackage());
        out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.macToViewerProtocolRevision())
                .writeIntLE(r.viewerToMacProtocolRevision());
        out.writeDoubleLE(r.blockGroupPlayTime());
        out.writeIntLE(r.blockGroupBlocks()).writeIntLE(r.nMaxOpenFiles()).writeIntLE(r.nBlockMaxBytes())
                .writeIntLE(r.maxBitRate());
        // cb* count Unicode characters including the terminating NUL; 0 for an absent string.
        out.writeIntLE(sv.length / 2).writeIntLE(vi.length / 2).writeIntLE(vu.length / 2).writeIntLE(ap.length / 2);
        out.writeBytes(sv).writeBytes(vi).writeBytes(vu).writeBytes(ap);
    }

    private static void encodeOpenFile(ReportOpenFile r, ByteBuf out) {
        out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.openFileId())
                .writeIntLE(r.padding()).writeIntLE(r.fileName()).writeIntLE(r.fileAttributes());
        out.writeDoubleLE(r.fileDuration());
        out.writeIntLE(r.fileBlocks());
        out.writeZero(16); // unused1
        out.writeIntLE(r.filePacketSize());
        out.writeLongLE(r.filePacketCount());
        out.writeIntLE(r.fileBitRate()).writeIntLE(r.fileHeaderSize());
        out.writeZero(36); // unused2
    }

    private static void encodeRedirect(ReportRedirect r, ByteBuf out) {
        byte[] loc = Utf16.withNul(r.location());
        if (loc.length > 0xFFFF) {
            throw new IllegalArgumentException("ReportRedirect location too long: " + loc.length + " bytes");
        }
        out.writeIntLE(r.hr()).writeShortLE(r.redirectType()).writeShortLE(loc.length);
        out.writeBytes(loc);
    }

    /** Decodes the body of a server message of type {@code type}, read from {@code r}. */
    static MmsMessage decodeBody(MessageType type, MessageReader r) {
        return switch (type) {
            case PING -> new Ping(r.u32("dwParam1"), r.u32("dwParam2"));
            case REPORT_CONNECTED_EX -> decodeConnectedEx(r);
            case REPORT_CONNECTED_FUNNEL -> {
                int hr = r.u32("hr");
                int pi = r.u32("playIncarnation");
                int pps = r.u32("packetPayloadSize");
                yield new ReportConnectedFunnel(hr, pi, pps, r.utf16Rest());
            }
            case REPORT_DISCONNECTED_FUNNEL -> new ReportDisconnectedFunnel(r.u32("hr"), r.u32("playIncarnation"));
            case REPORT_END_OF_STREAM -> new ReportEndOfStream(r.u32("hr"), r.u32("playIncarnation"));
            case REPORT_FUNNEL_INFO -> decodeFunnelInfo(r);
            case REPORT_OPEN_FILE -> decodeOpenFile(r);
            case REPORT_READ_BLOCK -> new ReportReadBlock(r.u32("hr"), r.u32("playIncarnation"), r.u32("playSequence"));
            case REPORT_REDIRECT -> {
                int hr = r.u32("hr");
                int redirectType = r.u16("RedirectType");
                int cb = r.u16("cbLocation");
                r.check("cbLocation", cb);
                yield new ReportRedirect(hr, redirectType, r.utf16("wszLocation", cb));
            }
            // unused2 (12 bytes, MUST be zero) is ignored and may be missing.
            case REPORT_STARTED_PLAYING -> new ReportStartedPlaying(r.u32("hr"), r.u32("playIncarnation"),
                    r.u32("tigerFileId"), r.u32("unused1"));
            case REPORT_START_STRIDING -> new ReportStartStriding(r.u32("hr"), r.u32("playIncarnation"), r.u32("spare"));
            case REPORT_STREAM_CHANGE -> new ReportStreamChange(r.u32("hr"), r.u32("dwTcpHdrIncarnation"),
                    r.u32("cbPacketSize"), r.u32("cbHeaderSize"), r.u32("dwBitRate"), r.u32("dwStreamId"));
            case REPORT_STREAM_SWITCH -> new ReportStreamSwitch(r.u32("hr"));
            case SECURITY_CHALLENGE -> {
                int pi = r.u32("playIncarnation");
                int cookie = r.u32("cookie");
                int cb = r.check("cbToken", r.u32("cbToken"));
                yield new SecurityChallenge(pi, cookie, r.bytes("pToken", cb));
            }
            default -> throw new IllegalArgumentException("not a server message: " + type);
        };
    }

    private static ReportConnectedEx decodeConnectedEx(MessageReader r) {
        int hr = r.u32("hr");
        int pi = r.u32("playIncarnation");
        int m2v = r.u32("MacToViewerProtocolRevision");
        int v2m = r.u32("ViewerToMacProtocolRevision");
        double bgpt = r.f64("blockGroupPlayTime");
        int bgb = r.u32("blockGroupBlocks");
        int nmof = r.u32("nMaxOpenFiles");
        int nbmb = r.u32("nBlockMaxBytes");
        int mbr = r.u32("maxBitRate");
        long cbSv = Integer.toUnsignedLong(r.u32("cbServerVersionInfo"));
        long cbVi = Integer.toUnsignedLong(r.u32("cbVersionInfo"));
        long cbVu = Integer.toUnsignedLong(r.u32("cbVersionUrl"));
        long cbAp = Integer.toUnsignedLong(r.u32("cbAuthenPackage"));
        String sv = r.utf16("ServerVersionInfo", r.checkChars("cbServerVersionInfo", cbSv));
        String vi = r.utf16("VersionInfo", r.checkChars("cbVersionInfo", cbVi));
        String vu = r.utf16("VersionUrl", r.checkChars("cbVersionUrl", cbVu));
        String ap = r.utf16("AuthenPackage", r.checkChars("cbAuthenPackage", cbAp));
        return new ReportConnectedEx(hr, pi, m2v, v2m, bgpt, bgb, nmof, nbmb, mbr, sv, vi, vu, ap);
    }

    private static ReportFunnelInfo decodeFunnelInfo(MessageReader r) {
        int hr = r.u32("hr");
        int pi = r.u32("playIncarnation");
        int tm = r.u32("transportMask");
        int nbf = r.u32("nBlockFragments");
        int fb = r.u32("fragmentBytes");
        int nc = r.u32("nCubs");
        int fc = r.u32("failedCubs");
        int nd = r.u32("nDisks");
        int dc = r.u32("decluster");
        int cds = r.u32("cubddDatagramSize");
        // Packet-pair payload: everything after the fixed part (padding included, if any).
        return new ReportFunnelInfo(hr, pi, tm, nbf, fb, nc, fc, nd, dc, cds, r.bytes("packetPair", r.remaining()));
    }

    private static ReportOpenFile decodeOpenFile(MessageReader r) {
        int hr = r.u32("hr");
        int pi = r.u32("playIncarnation");
        int ofi = r.u32("openFileId");
        int pad = r.u32("padding");
        int fn = r.u32("fileName");
        int fa = r.u32("fileAttributes");
        double fd = r.f64("fileDuration");
        int fbk = r.u32("fileBlocks");
        r.skip("unused1", 16);
        int fps = r.u32("filePacketSize");
        long fpc = r.u64("filePacketCount");
        int fbr = r.u32("fileBitRate");
        int fhs = r.u32("fileHeaderSize");
        // unused2 (36 bytes, MUST be zero) is ignored and may be missing.
        return new ReportOpenFile(hr, pi, ofi, pad, fn, fa, fd, fbk, fps, fpc, fbr, fhs);
    }
}
