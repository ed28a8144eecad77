package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.message.CancelReadBlock;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.Pong;
import io.mmsedge.protocol.mms.message.ReadBlock;
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
import io.mmsedge.protocol.mms.message.SecurityResponse;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StartStriding;
import io.mmsedge.protocol.mms.message.StopPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Encoder and decoder of single MMS messages (MS-MMSP §2.2.4), from {@code chunkLen} to the end of
 * the message's padding. Stateless and thread-safe.
 *
 * <p><b>Encoding</b> is canonical: fields in spec order, strings UTF-16LE with a terminating NUL,
 * zero padding to a multiple of 8, {@code chunkLen} = size / 8. Two server replies are padded
 * further with zeros to the minimum sizes VLC requires ({@link #MIN_REPORT_CONNECTED_EX} and
 * {@link #MIN_REPORT_OPEN_FILE} bytes, counted without the 32-byte TcpMessageHeader, so the check
 * holds whether VLC counts the header or not). Fields the spec says MUST be zero and that have no
 * record component (e.g. ReportOpenFile.unused1/unused2) are written as zeros and ignored on decode.
 *
 * <p><b>Decoding</b> is strict about structure and lenient about content: every count and length
 * read from the wire is checked against the bytes that remain before it is used, strings are bounded
 * by their field and stop at the first NUL (a missing NUL or garbage after it is tolerated), extra
 * trailing bytes after the last field are ignored, and values of MUST-be-ignored fields are kept in
 * the record so that re-encoding a canonical message reproduces its bytes exactly.
 */
public final class MmsMessageCodec {

    /** Minimum encoded size of ReportConnectedEX (VLC rejects shorter ones). */
    public static final int MIN_REPORT_CONNECTED_EX = 96;
    /** Minimum encoded size of ReportOpenFile (VLC rejects shorter ones). */
    public static final int MIN_REPORT_OPEN_FILE = 112;
    /** Upper bound on StreamSwitch.cStreamEntries accepted on decode (ASF allows 127 streams). */
    public static final int MAX_STREAM_SWITCH_ENTRIES = 1024;
    /** Largest OpenFile.token offset the encoder honours (the gap before tokenData is zero-filled). */
    public static final int MAX_OPEN_FILE_TOKEN_OFFSET = 1 << 20;
    /** Size of chunkLen + MID. */
    public static final int PREFIX_SIZE = 8;

    private MmsMessageCodec() {
    }

    // ------------------------------------------------------------------------------------------
    // Encoding
    // ------------------------------------------------------------------------------------------

    /**
     * Writes {@code m} at the writer index of {@code out}, starting with chunkLen and zero-padded to
     * a multiple of 8 bytes.
     *
     * @throws IllegalArgumentException if a value cannot be represented on the wire (e.g. a
     *         ReportRedirect location longer than 32766 characters)
     */
    public static void encode(MmsMessage m, ByteBuf out) {
        Objects.requireNonNull(m, "message");
        Objects.requireNonNull(out, "out");
        int start = out.writerIndex();
        out.writeIntLE(0); // chunkLen, patched below
        out.writeIntLE(m.mid());
        int minSize = 0;
        if (m instanceof Ping p) {
            out.writeIntLE(p.dwParam1()).writeIntLE(p.dwParam2());
        } else if (m instanceof Pong p) {
            out.writeIntLE(p.dwParam1()).writeIntLE(p.dwParam2());
        } else if (m instanceof ReportConnectedEx r) {
            encodeConnectedEx(r, out);
            minSize = MIN_REPORT_CONNECTED_EX;
        } else if (m instanceof ReportConnectedFunnel r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.packetPayloadSize());
            writeUtf16z(out, r.funnelName());
        } else if (m instanceof ReportDisconnectedFunnel r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation());
        } else if (m instanceof ReportEndOfStream r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation());
        } else if (m instanceof ReportFunnelInfo r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.transportMask())
                    .writeIntLE(r.nBlockFragments()).writeIntLE(r.fragmentBytes()).writeIntLE(r.nCubs())
                    .writeIntLE(r.failedCubs()).writeIntLE(r.nDisks()).writeIntLE(r.decluster())
                    .writeIntLE(r.cubddDatagramSize());
            out.writeBytes(r.packetPair());
        } else if (m instanceof ReportOpenFile r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.openFileId())
                    .writeIntLE(r.padding()).writeIntLE(r.fileName()).writeIntLE(r.fileAttributes());
            out.writeDoubleLE(r.fileDuration());
            out.writeIntLE(r.fileBlocks());
            out.writeZero(16); // unused1
            out.writeIntLE(r.filePacketSize());
            out.writeLongLE(r.filePacketCount());
            out.writeIntLE(r.fileBitRate()).writeIntLE(r.fileHeaderSize());
            out.writeZero(36); // unused2
            minSize = MIN_REPORT_OPEN_FILE;
        } else if (m instanceof ReportReadBlock r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.playSequence());
        } else if (m instanceof ReportRedirect r) {
            byte[] loc = utf16z(r.location());
            if (loc.length > 0xFFFF) {
                throw new IllegalArgumentException("ReportRedirect location too long: " + loc.length + " bytes");
            }
            out.writeIntLE(r.hr()).writeShortLE(r.redirectType()).writeShortLE(loc.length);
            out.writeBytes(loc);
        } else if (m instanceof ReportStartedPlaying r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.tigerFileId()).writeIntLE(r.unused1());
            out.writeZero(12); // unused2
        } else if (m instanceof ReportStartStriding r) {
            out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.spare());
        } else if (m instanceof ReportStreamChange r) {
            out.writeIntLE(r.hr()).writeIntLE(r.dwTcpHdrIncarnation()).writeIntLE(r.cbPacketSize())
                    .writeIntLE(r.cbHeaderSize()).writeIntLE(r.dwBitRate()).writeIntLE(r.dwStreamId());
        } else if (m instanceof ReportStreamSwitch r) {
            out.writeIntLE(r.hr());
        } else if (m instanceof SecurityChallenge r) {
            byte[] token = r.token();
            out.writeIntLE(r.playIncarnation()).writeIntLE(r.cookie()).writeIntLE(token.length);
            out.writeBytes(token);
        } else if (m instanceof CancelReadBlock r) {
            out.writeIntLE(r.playIncarnation());
        } else if (m instanceof CloseFile r) {
            out.writeIntLE(r.playIncarnation()).writeIntLE(r.openFileId());
        } else if (m instanceof Connect r) {
            out.writeIntLE(r.playIncarnation()).writeIntLE(r.macToViewerProtocolRevision())
                    .writeIntLE(r.viewerToMacProtocolRevision());
            writeUtf16z(out, r.subscriberName());
        } else if (m instanceof ConnectFunnel r) {
            out.writeIntLE(r.playIncarnation()).writeIntLE(r.maxBlockBytes()).writeIntLE(r.maxFunnelBytes())
                    .writeIntLE(r.maxBitRate()).writeIntLE(r.funnelMode());
            writeUtf16z(out, r.funnelName());
        } else if (m instanceof FunnelInfo r) {
            out.writeIntLE(r.playIncarnation());
        } else if (m instanceof Logging r) {
            (r.log() == null ? ClientLog.empty() : r.log()).encode(out);
        } else if (m instanceof OpenFile r) {
            encodeOpenFile(r, out);
        } else if (m instanceof ReadBlock r) {
            out.writeIntLE(r.openFileId()).writeIntLE(r.fileBlockId()).writeIntLE(r.offset()).writeIntLE(r.length())
                    .writeIntLE(r.flags()).writeIntLE(r.padding());
            out.writeDoubleLE(r.tEarliest()).writeDoubleLE(r.tDeadline());
            out.writeIntLE(r.playIncarnation()).writeIntLE(r.playSequence());
        } else if (m instanceof SecurityResponse r) {
            byte[] token = r.token();
            out.writeIntLE(r.playIncarnation()).writeIntLE(r.cookie()).writeIntLE(token.length);
            out.writeBytes(token);
        } else if (m instanceof StartPlaying r) {
            encodeStartPlaying(r, out);
        } else if (m instanceof StartStriding r) {
            out.writeIntLE(r.openFileId()).writeIntLE(r.padding());
            out.writeDoubleLE(r.position());
            out.writeIntLE(r.asfOffset()).writeIntLE(r.locationId()).writeIntLE(r.frameOffset())
                    .writeIntLE(r.playIncarnation());
            out.writeDoubleLE(r.rate());
        } else if (m instanceof StopPlaying r) {
            out.writeIntLE(r.openFileId()).writeIntLE(r.playIncarnation());
        } else if (m instanceof StreamSwitch r) {
            out.writeIntLE(r.entries().size());
            for (StreamSwitchEntry e : r.entries()) {
                out.writeShortLE(e.srcStreamNumber()).writeShortLE(e.dstStreamNumber()).writeShortLE(e.thinningLevel());
            }
        } else {
            out.writerIndex(start);
            throw new IllegalArgumentException("unsupported MMS message type: " + m.getClass().getName());
        }
        int len = out.writerIndex() - start;
        int padded = Math.max((len + 7) & ~7, minSize);
        out.writeZero(padded - len);
        out.setIntLE(start, padded >>> 3);
    }

    /** The encoded size of {@code m} in bytes (a multiple of 8). */
    public static int encodedSize(MmsMessage m) {
        ByteBuf tmp = io.netty.buffer.Unpooled.buffer(64);
        try {
            encode(m, tmp);
            return tmp.readableBytes();
        } finally {
            tmp.release();
        }
    }

    private static void encodeConnectedEx(ReportConnectedEx r, ByteBuf out) {
        byte[] sv = utf16zOrEmpty(r.serverVersionInfo());
        byte[] vi = utf16zOrEmpty(r.versionInfo());
        byte[] vu = utf16zOrEmpty(r.versionUrl());
        byte[] ap = utf16zOrEmpty(r.authenPackage());
        out.writeIntLE(r.hr()).writeIntLE(r.playIncarnation()).writeIntLE(r.macToViewerProtocolRevision())
                .writeIntLE(r.viewerToMacProtocolRevision());
        out.writeDoubleLE(r.blockGroupPlayTime());
        out.writeIntLE(r.blockGroupBlocks()).writeIntLE(r.nMaxOpenFiles()).writeIntLE(r.nBlockMaxBytes())
                .writeIntLE(r.maxBitRate());
        // cb* count Unicode characters including the terminating NUL; 0 for an absent string.
        out.writeIntLE(sv.length / 2).writeIntLE(vi.length / 2).writeIntLE(vu.length / 2).writeIntLE(ap.length / 2);
        out.writeBytes(sv).writeBytes(vi).writeBytes(vu).writeBytes(ap);
    }

    private static void encodeOpenFile(OpenFile r, ByteBuf out) {
        byte[] name = utf16z(r.fileName());
        byte[] tokenData = r.tokenData();
        int token = r.token();
        if (tokenData.length > 0) {
            // token = offset of tokenData from the start of fileName; honour a larger given offset.
            long given = Integer.toUnsignedLong(token);
            if (given > MAX_OPEN_FILE_TOKEN_OFFSET) {
                throw new IllegalArgumentException("OpenFile.token offset too large: " + given);
            }
            token = (int) Math.max(given, name.length);
        }
        out.writeIntLE(r.playIncarnation()).writeIntLE(r.spare()).writeIntLE(token).writeIntLE(tokenData.length);
        out.writeBytes(name);
        if (tokenData.length > 0) {
            out.writeZero(token - name.length);
            out.writeBytes(tokenData);
        }
    }

    private static void encodeStartPlaying(StartPlaying r, ByteBuf out) {
        out.writeIntLE(r.openFileId()).writeIntLE(r.padding());
        out.writeDoubleLE(r.position());
        out.writeIntLE(r.asfOffset()).writeIntLE(r.locationId()).writeIntLE(r.frameOffset())
                .writeIntLE(r.playIncarnation());
        boolean link = r.dwLinkBandwidth() != -1;
        boolean accel = link || r.dwAccelBandwidth() != -1 || r.dwAccelDuration() != -1;
        if (accel) {
            out.writeIntLE(u32Optional("dwAccelBandwidth", r.dwAccelBandwidth()));
            out.writeIntLE(u32Optional("dwAccelDuration", r.dwAccelDuration()));
        }
        if (link) {
            out.writeIntLE(u32Optional("dwLinkBandwidth", r.dwLinkBandwidth()));
        }
    }

    private static int u32Optional(String field, long v) {
        if (v == -1) {
            return 0; // absent member of a present pair: written as 0
        }
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("StartPlaying." + field + " out of range: " + v);
        }
        return (int) v;
    }

    private static byte[] utf16z(String s) {
        String v = s == null ? "" : s;
        byte[] b = v.getBytes(StandardCharsets.UTF_16LE);
        byte[] z = new byte[b.length + 2];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    private static byte[] utf16zOrEmpty(String s) {
        return s == null || s.isEmpty() ? new byte[0] : utf16z(s);
    }

    private static void writeUtf16z(ByteBuf out, String s) {
        out.writeBytes(utf16z(s));
    }

    // ------------------------------------------------------------------------------------------
    // Decoding
    // ------------------------------------------------------------------------------------------

    /**
     * Decodes one MMS message. {@code msg}'s readable bytes must be exactly one message, from
     * chunkLen to the end of its padding ({@code chunkLen * 8 == msg.readableBytes()}). The indices
     * of {@code msg} are not modified and it is not released.
     *
     * @throws MmsDecodeException for any malformed input (and only that)
     */
    public static MmsMessage decode(ByteBuf msg) {
        Objects.requireNonNull(msg, "msg");
        try {
            return decode0(msg);
        } catch (MmsDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MmsDecodeException("MmsMessage", "?", "unexpected " + e, e);
        }
    }

    private static MmsMessage decode0(ByteBuf msg) {
        int start = msg.readerIndex();
        int len = msg.readableBytes();
        if (len < PREFIX_SIZE) {
            throw new MmsDecodeException("MmsMessage", "chunkLen", "truncated: " + len + " bytes, need at least 8");
        }
        long chunkLen = msg.getUnsignedIntLE(start);
        if (chunkLen * 8 != len) {
            throw new MmsDecodeException("MmsMessage", "chunkLen",
                    "chunkLen " + chunkLen + " (" + chunkLen * 8 + " bytes) does not match the " + len + " message bytes");
        }
        int mid = msg.getIntLE(start + 4);
        Reader r = new Reader(msg, start + PREFIX_SIZE, start + len);
        switch (mid) {
            case Ping.MID:
                r.name = "Ping";
                return new Ping(r.u32("dwParam1"), r.u32("dwParam2"));
            case Pong.MID:
                r.name = "Pong";
                return new Pong(r.u32("dwParam1"), r.u32("dwParam2"));
            case ReportConnectedEx.MID:
                return decodeConnectedEx(r);
            case ReportConnectedFunnel.MID: {
                r.name = "ReportConnectedFunnel";
                int hr = r.u32("hr");
                int pi = r.u32("playIncarnation");
                int pps = r.u32("packetPayloadSize");
                return new ReportConnectedFunnel(hr, pi, pps, r.utf16Rest());
            }
            case ReportDisconnectedFunnel.MID:
                r.name = "ReportDisconnectedFunnel";
                return new ReportDisconnectedFunnel(r.u32("hr"), r.u32("playIncarnation"));
            case ReportEndOfStream.MID:
                r.name = "ReportEndOfStream";
                return new ReportEndOfStream(r.u32("hr"), r.u32("playIncarnation"));
            case ReportFunnelInfo.MID: {
                r.name = "ReportFunnelInfo";
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
            case ReportOpenFile.MID: {
                r.name = "ReportOpenFile";
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
            case ReportReadBlock.MID:
                r.name = "ReportReadBlock";
                return new ReportReadBlock(r.u32("hr"), r.u32("playIncarnation"), r.u32("playSequence"));
            case ReportRedirect.MID: {
                r.name = "ReportRedirect";
                int hr = r.u32("hr");
                int type = r.u16("RedirectType");
                int cb = r.u16("cbLocation");
                r.check("cbLocation", cb);
                return new ReportRedirect(hr, type, r.utf16("wszLocation", cb));
            }
            case ReportStartedPlaying.MID:
                r.name = "ReportStartedPlaying";
                // unused2 (12 bytes, MUST be zero) is ignored and may be missing.
                return new ReportStartedPlaying(r.u32("hr"), r.u32("playIncarnation"), r.u32("tigerFileId"),
                        r.u32("unused1"));
            case ReportStartStriding.MID:
                r.name = "ReportStartStriding";
                return new ReportStartStriding(r.u32("hr"), r.u32("playIncarnation"), r.u32("spare"));
            case ReportStreamChange.MID:
                r.name = "ReportStreamChange";
                return new ReportStreamChange(r.u32("hr"), r.u32("dwTcpHdrIncarnation"), r.u32("cbPacketSize"),
                        r.u32("cbHeaderSize"), r.u32("dwBitRate"), r.u32("dwStreamId"));
            case ReportStreamSwitch.MID:
                r.name = "ReportStreamSwitch";
                return new ReportStreamSwitch(r.u32("hr"));
            case SecurityChallenge.MID: {
                r.name = "SecurityChallenge";
                int pi = r.u32("playIncarnation");
                int cookie = r.u32("cookie");
                int cb = r.check("cbToken", r.u32("cbToken"));
                return new SecurityChallenge(pi, cookie, r.bytes("pToken", cb));
            }
            case CancelReadBlock.MID:
                r.name = "CancelReadBlock";
                return new CancelReadBlock(r.u32("playIncarnation"));
            case CloseFile.MID:
                r.name = "CloseFile";
                return new CloseFile(r.u32("playIncarnation"), r.u32("openFileId"));
            case Connect.MID: {
                r.name = "Connect";
                int pi = r.u32("playIncarnation");
                int m2v = r.u32("MacToViewerProtocolRevision");
                int v2m = r.u32("ViewerToMacProtocolRevision");
                return new Connect(pi, m2v, v2m, r.utf16KeepInternalNuls());
            }
            case ConnectFunnel.MID: {
                r.name = "ConnectFunnel";
                int pi = r.u32("playIncarnation");
                int mbb = r.u32("maxBlockBytes");
                int mfb = r.u32("maxFunnelBytes");
                int mbr = r.u32("maxBitRate");
                int mode = r.u32("funnelMode");
                return new ConnectFunnel(pi, mbb, mfb, mbr, mode, r.utf16Rest());
            }
            case FunnelInfo.MID:
                r.name = "FunnelInfo";
                // FFmpeg sends 4 extra bytes (0x0004000B) after playIncarnation: ignored.
                return new FunnelInfo(r.u32("playIncarnation"));
            case Logging.MID:
                r.name = "Logging";
                if (r.remaining() < 4) {
                    throw new MmsDecodeException("Logging", "log", "truncated: no CLIENT_LOG cbSize");
                }
                return new Logging(ClientLog.decode(msg.slice(r.pos, r.remaining())));
            case OpenFile.MID:
                return decodeOpenFile(r);
            case ReadBlock.MID:
                r.name = "ReadBlock";
                return new ReadBlock(r.u32("openFileId"), r.u32("fileBlockId"), r.u32("offset"), r.u32("length"),
                        r.u32("flags"), r.u32("padding"), r.f64("tEarliest"), r.f64("tDeadline"),
                        r.u32("playIncarnation"), r.u32("playSequence"));
            case SecurityResponse.MID: {
                r.name = "SecurityResponse";
                int pi = r.u32("playIncarnation");
                int cookie = r.u32("cookie");
                int cb = r.check("cbToken", r.u32("cbToken"));
                return new SecurityResponse(pi, cookie, r.bytes("pToken", cb));
            }
            case StartPlaying.MID: {
                r.name = "StartPlaying";
                int ofi = r.u32("openFileId");
                int pad = r.u32("padding");
                double pos = r.f64("position");
                int asf = r.u32("asfOffset");
                int loc = r.u32("locationId");
                int fo = r.u32("frameOffset");
                int pi = r.u32("playIncarnation");
                long accelBw = -1;
                long accelDur = -1;
                long linkBw = -1;
                if (r.remaining() >= 8) {
                    accelBw = Integer.toUnsignedLong(r.u32("dwAccelBandwidth"));
                    accelDur = Integer.toUnsignedLong(r.u32("dwAccelDuration"));
                    if (r.remaining() >= 4) {
                        linkBw = Integer.toUnsignedLong(r.u32("dwLinkBandwidth"));
                    }
                }
                return new StartPlaying(ofi, pad, pos, asf, loc, fo, pi, accelBw, accelDur, linkBw);
            }
            case StartStriding.MID:
                r.name = "StartStriding";
                return new StartStriding(r.u32("openFileId"), r.u32("padding"), r.f64("position"), r.u32("asfOffset"),
                        r.u32("locationId"), r.u32("frameOffset"), r.u32("playIncarnation"), r.f64("rate"));
            case StopPlaying.MID:
                r.name = "StopPlaying";
                return new StopPlaying(r.u32("openFileId"), r.u32("playIncarnation"));
            case StreamSwitch.MID: {
                r.name = "StreamSwitch";
                long count = Integer.toUnsignedLong(r.u32("cStreamEntries"));
                if (count > r.remaining() / 6) {
                    throw new MmsDecodeException("StreamSwitch", "cStreamEntries",
                            count + " entries do not fit in the " + r.remaining() + " remaining bytes");
                }
                if (count > MAX_STREAM_SWITCH_ENTRIES) {
                    throw new MmsDecodeException("StreamSwitch", "cStreamEntries",
                            count + " entries exceed the limit of " + MAX_STREAM_SWITCH_ENTRIES);
                }
                List<StreamSwitchEntry> entries = new ArrayList<>((int) count);
                for (int i = 0; i < count; i++) {
                    entries.add(new StreamSwitchEntry(r.u16("wSrcStreamNumber"), r.u16("wDstStreamNumber"),
                            r.u16("wThinningLevel")));
                }
                return new StreamSwitch(entries);
            }
            default:
                throw new MmsDecodeException("MmsMessage", "MID", String.format("unknown MID 0x%08X", mid));
        }
    }

    private static ReportConnectedEx decodeConnectedEx(Reader r) {
        r.name = "ReportConnectedEx";
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

    private static OpenFile decodeOpenFile(Reader r) {
        r.name = "OpenFile";
        int pi = r.u32("playIncarnation");
        int spare = r.u32("spare");
        int token = r.u32("token");
        int cbToken = r.u32("cbtoken");
        if (cbToken == 0) {
            // token MUST be 0 without tokenData; any value is kept but not used as an offset.
            return new OpenFile(pi, spare, token, r.utf16Rest(), new byte[0]);
        }
        long off = Integer.toUnsignedLong(token);
        long cb = Integer.toUnsignedLong(cbToken);
        if (off > r.remaining()) {
            throw new MmsDecodeException("OpenFile", "token",
                    "tokenData offset " + off + " exceeds the " + r.remaining() + " remaining bytes");
        }
        if (cb > r.remaining() - off) {
            throw new MmsDecodeException("OpenFile", "cbtoken",
                    cb + " bytes of tokenData do not fit in the " + (r.remaining() - off) + " bytes after offset " + off);
        }
        String name = r.utf16("fileName", (int) off);
        byte[] data = r.bytes("tokenData", (int) cb);
        return new OpenFile(pi, spare, token, name, data);
    }

    /** Bounded little-endian reader over [pos, end) of one message. */
    private static final class Reader {
        private final ByteBuf buf;
        private final int end;
        int pos;
        String name = "MmsMessage";

        Reader(ByteBuf buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        private void need(String field, int n) {
            if (end - pos < n) {
                throw new MmsDecodeException(name, field,
                        "truncated: need " + n + " bytes, " + Math.max(0, end - pos) + " remain");
            }
        }

        int u32(String field) {
            need(field, 4);
            int v = buf.getIntLE(pos);
            pos += 4;
            return v;
        }

        int u16(String field) {
            need(field, 2);
            int v = buf.getUnsignedShortLE(pos);
            pos += 2;
            return v;
        }

        long u64(String field) {
            need(field, 8);
            long v = buf.getLongLE(pos);
            pos += 8;
            return v;
        }

        double f64(String field) {
            return Double.longBitsToDouble(u64(field));
        }

        void skip(String field, int n) {
            need(field, n);
            pos += n;
        }

        /** Checks a byte count (uint32 held in an int) against the remaining bytes. */
        int check(String field, int cbUnsigned) {
            long cb = Integer.toUnsignedLong(cbUnsigned);
            if (cb > remaining()) {
                throw new MmsDecodeException(name, field, cb + " exceeds the " + remaining() + " remaining bytes");
            }
            return (int) cb;
        }

        /** Checks a count of UTF-16 characters against the remaining bytes; returns the byte count. */
        int checkChars(String field, long chars) {
            if (chars * 2 > remaining()) {
                throw new MmsDecodeException(name, field,
                        chars + " characters (" + chars * 2 + " bytes) exceed the " + remaining() + " remaining bytes");
            }
            return (int) (chars * 2);
        }

        byte[] bytes(String field, int n) {
            need(field, n);
            byte[] b = new byte[n];
            buf.getBytes(pos, b);
            pos += n;
            return b;
        }

        /** UTF-16LE string in a field of {@code size} bytes: stops at the first NUL, tolerates none. */
        String utf16(String field, int size) {
            need(field, size);
            String s = utf16z(buf, pos, pos + size);
            pos += size;
            return s;
        }

        /** UTF-16LE string filling the rest of the message (padding included). */
        String utf16Rest() {
            String s = utf16z(buf, pos, end);
            pos = end;
            return s;
        }

        /** UTF-16LE rest of message keeping internal NULs, dropping trailing NULs and padding. */
        String utf16KeepInternalNuls() {
            int stop = pos + ((end - pos) & ~1);
            while (stop - 2 >= pos && buf.getShortLE(stop - 2) == 0) {
                stop -= 2;
            }
            String s = buf.toString(pos, stop - pos, StandardCharsets.UTF_16LE);
            pos = end;
            return s;
        }

        private static String utf16z(ByteBuf buf, int from, int to) {
            int stop = from;
            int last = from + ((to - from) & ~1);
            while (stop < last && buf.getShortLE(stop) != 0) {
                stop += 2;
            }
            return stop == from ? "" : buf.toString(from, stop - from, StandardCharsets.UTF_16LE);
        }
    }
}
