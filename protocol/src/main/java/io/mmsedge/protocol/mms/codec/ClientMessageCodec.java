package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.message.CancelReadBlock;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.protocol.mms.message.MessageType;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Pong;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.SecurityResponse;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StartStriding;
import io.mmsedge.protocol.mms.message.StopPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Bodies (the fields after chunkLen and MID) of the LinkViewerToMac* messages, MS-MMSP §2.2.4.15 -
 * §2.2.4.28, the ones a client sends. Framing, padding and dispatch are {@link MmsMessageCodec}'s.
 */
final class ClientMessageCodec {

    private ClientMessageCodec() {
    }

    /** Writes the body of client message {@code m}. */
    static void encodeBody(MmsMessage m, ByteBuf out) {
        switch (m.type()) {
            case CANCEL_READ_BLOCK -> out.writeIntLE(((CancelReadBlock) m).playIncarnation());
            case CLOSE_FILE -> {
                CloseFile r = (CloseFile) m;
                out.writeIntLE(r.playIncarnation()).writeIntLE(r.openFileId());
            }
            case CONNECT -> {
                Connect r = (Connect) m;
                out.writeIntLE(r.playIncarnation()).writeIntLE(r.macToViewerProtocolRevision())
                        .writeIntLE(r.viewerToMacProtocolRevision());
                Utf16.write(out, r.subscriberName());
            }
            case CONNECT_FUNNEL -> {
                ConnectFunnel r = (ConnectFunnel) m;
                out.writeIntLE(r.playIncarnation()).writeIntLE(r.maxBlockBytes()).writeIntLE(r.maxFunnelBytes())
                        .writeIntLE(r.maxBitRate()).writeIntLE(r.funnelMode());
                Utf16.write(out, r.funnelName());
            }
            case FUNNEL_INFO -> out.writeIntLE(((FunnelInfo) m).playIncarnation());
            case LOGGING -> {
                Logging r = (Logging) m;
                (r.log() == null ? ClientLog.empty() : r.log()).encode(out);
            }
            case OPEN_FILE -> encodeOpenFile((OpenFile) m, out);
            case PONG -> {
                Pong p = (Pong) m;
                out.writeIntLE(p.dwParam1()).writeIntLE(p.dwParam2());
            }
            case READ_BLOCK -> {
                ReadBlock r = (ReadBlock) m;
                out.writeIntLE(r.openFileId()).writeIntLE(r.fileBlockId()).writeIntLE(r.offset()).writeIntLE(r.length())
                        .writeIntLE(r.flags()).writeIntLE(r.padding());
                out.writeDoubleLE(r.tEarliest()).writeDoubleLE(r.tDeadline());
                out.writeIntLE(r.playIncarnation()).writeIntLE(r.playSequence());
            }
            case SECURITY_RESPONSE -> {
                SecurityResponse r = (SecurityResponse) m;
                byte[] token = r.token();
                out.writeIntLE(r.playIncarnation()).writeIntLE(r.cookie()).writeIntLE(token.length);
                out.writeBytes(token);
            }
            case START_PLAYING -> encodeStartPlaying((StartPlaying) m, out);
            case START_STRIDING -> {
                StartStriding r = (StartStriding) m;
                out.writeIntLE(r.openFileId()).writeIntLE(r.padding());
                out.writeDoubleLE(r.position());
                out.writeIntLE(r.asfOffset()).writeIntLE(r.locationId()).writeIntLE(r.frameOffset())
                        .writeIntLE(r.playIncarnation());
                out.writeDoubleLE(r.rate());
            }
            case STOP_PLAYING -> {
                StopPlaying r = (StopPlaying) m;
                out.writeIntLE(r.openFileId()).writeIntLE(r.playIncarnation());
            }
            case STREAM_SWITCH -> {
                StreamSwitch r = (StreamSwitch) m;
                out.writeIntLE(r.entries().size());
                for (StreamSwitchEntry e : r.entries()) {
                    out.writeShortLE(e.srcStreamNumber()).writeShortLE(e.dstStreamNumber()).writeShortLE(e.thinningLevel());
                }
            }
            default -> throw new IllegalArgumentException("not a client message: " + m.type());
        }
    }

    private static void encodeOpenFile(OpenFile r, ByteBuf out) {
        byte[] name = Utf16.withNul(r.fileName());
        byte[] tokenData = r.tokenData();
        int token = r.token();
        if (tokenData.length > 0) {
            // token = offset of tokenData from the start of fileName; honour a larger given offset.
            long given = Integer.toUnsignedLong(token);
            if (given > MmsMessageCodec.MAX_OPEN_FILE_TOKEN_OFFSET) {
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

    /** Decodes the body of a client message of type {@code type}, read from {@code r}. */
    static MmsMessage decodeBody(MessageType type, MessageReader r) {
        return switch (type) {
            case CANCEL_READ_BLOCK -> new CancelReadBlock(r.u32("playIncarnation"));
            case CLOSE_FILE -> new CloseFile(r.u32("playIncarnation"), r.u32("openFileId"));
            case CONNECT -> {
                int pi = r.u32("playIncarnation");
                int m2v = r.u32("MacToViewerProtocolRevision");
                int v2m = r.u32("ViewerToMacProtocolRevision");
                yield new Connect(pi, m2v, v2m, r.utf16KeepInternalNuls());
            }
            case CONNECT_FUNNEL -> {
                int pi = r.u32("playIncarnation");
                int mbb = r.u32("maxBlockBytes");
                int mfb = r.u32("maxFunnelBytes");
                int mbr = r.u32("maxBitRate");
                int mode = r.u32("funnelMode");
                yield new ConnectFunnel(pi, mbb, mfb, mbr, mode, r.utf16Rest());
            }
            // FFmpeg sends 4 extra bytes (0x0004000B) after playIncarnation: ignored.
            case FUNNEL_INFO -> new FunnelInfo(r.u32("playIncarnation"));
            case LOGGING -> {
                if (r.remaining() < 4) {
                    throw new MmsDecodeException("Logging", "log", "truncated: no CLIENT_LOG cbSize");
                }
                yield new Logging(ClientLog.decode(r.rest()));
            }
            case OPEN_FILE -> decodeOpenFile(r);
            case PONG -> new Pong(r.u32("dwParam1"), r.u32("dwParam2"));
            case READ_BLOCK -> new ReadBlock(r.u32("openFileId"), r.u32("fileBlockId"), r.u32("offset"),
                    r.u32("length"), r.u32("flags"), r.u32("padding"), r.f64("tEarliest"), r.f64("tDeadline"),
                    r.u32("playIncarnation"), r.u32("playSequence"));
            case SECURITY_RESPONSE -> {
                int pi = r.u32("playIncarnation");
                int cookie = r.u32("cookie");
                int cb = r.check("cbToken", r.u32("cbToken"));
                yield new SecurityResponse(pi, cookie, r.bytes("pToken", cb));
            }
            case START_PLAYING -> decodeStartPlaying(r);
            case START_STRIDING -> new StartStriding(r.u32("openFileId"), r.u32("padding"), r.f64("position"),
                    r.u32("asfOffset"), r.u32("locationId"), r.u32("frameOffset"), r.u32("playIncarnation"),
                    r.f64("rate"));
            case STOP_PLAYING -> new StopPlaying(r.u32("openFileId"), r.u32("playIncarnation"));
            case STREAM_SWITCH -> decodeStreamSwitch(r);
            default -> throw new IllegalArgumentException("not a client message: " + type);
        };
    }

    private static OpenFile decodeOpenFile(MessageReader r) {
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

    private static StartPlaying decodeStartPlaying(MessageReader r) {
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

    private static StreamSwitch decodeStreamSwitch(MessageReader r) {
        long count = Integer.toUnsignedLong(r.u32("cStreamEntries"));
        if (count > r.remaining() / 6) {
            throw new MmsDecodeException("StreamSwitch", "cStreamEntries",
                    count + " entries do not fit in the " + r.remaining() + " remaining bytes");
        }
        if (count > MmsMessageCodec.MAX_STREAM_SWITCH_ENTRIES) {
            throw new MmsDecodeException("StreamSwitch", "cStreamEntries",
                    count + " entries exceed the limit of " + MmsMessageCodec.MAX_STREAM_SWITCH_ENTRIES);
        }
        List<StreamSwitchEntry> entries = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            entries.add(new StreamSwitchEntry(r.u16("wSrcStreamNumber"), r.u16("wDstStreamNumber"),
                    r.u16("wThinningLevel")));
        }
        return new StreamSwitch(entries);
    }
}
