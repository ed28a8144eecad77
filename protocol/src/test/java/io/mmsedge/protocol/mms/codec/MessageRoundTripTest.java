package io.mmsedge.protocol.mms.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.RequestPacketListResend;
import io.mmsedge.protocol.mms.TcpMessageHeader;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageRoundTripTest {

    static byte[] encode(MmsMessage m) {
        ByteBuf b = Unpooled.buffer();
        try {
            MmsMessageCodec.encode(m, b);
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    static MmsMessage decode(byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        try {
            return MmsMessageCodec.decode(b);
        } finally {
            b.release();
        }
    }

    @Test
    void allTwentyEightMessageTypesRoundTrip() {
        List<MmsMessage> all = Samples.all();
        Set<Integer> mids = new HashSet<>();
        for (MmsMessage m : all) {
            mids.add(m.mid());
            byte[] bytes = encode(m);
            assertEquals(0, bytes.length % 8, m.toString());
            assertEquals(bytes.length / 8, Unpooled.wrappedBuffer(bytes).getIntLE(0), "chunkLen");
            assertEquals(m.mid(), Unpooled.wrappedBuffer(bytes).getIntLE(4), "MID");
            MmsMessage back = decode(bytes);
            assertEquals(m, back, m.getClass().getSimpleName());
            assertArrayEquals(bytes, encode(back), "re-encode is stable");
        }
        assertEquals(28, mids.size());
    }

    @Test
    void framesRoundTripThroughHeader() {
        for (MmsMessage m : Samples.all()) {
            ByteBuf f = MmsFrameEncoder.encodeFrame(UnpooledByteBufAllocator.DEFAULT, 7, 1234, m);
            try {
                TcpMessageHeader h = TcpMessageHeader.decode(f, 0);
                assertEquals(TcpMessageHeader.of(7, 1234, f.readableBytes() - 32), h);
                assertEquals(f.readableBytes(), h.totalLength());
                assertEquals(m, MmsMessageCodec.decode(f.slice(32, f.readableBytes() - 32)));
            } finally {
                f.release();
            }
        }
    }

    @Test
    void reportConnectedExOfServerFillsMustValuesAndSatisfiesVlcMinimum() {
        ReportConnectedEx r = ReportConnectedEx.ofServer(0, "", "");
        assertEquals(0xF0F0F0EF, r.playIncarnation());
        assertEquals(0x0004000B, r.macToViewerProtocolRevision());
        assertEquals(0x0003001C, r.viewerToMacProtocolRevision());
        assertEquals(1.0, r.blockGroupPlayTime());
        assertEquals(1, r.blockGroupBlocks());
        assertEquals(1, r.nMaxOpenFiles());
        assertEquals(0x8000, r.nBlockMaxBytes());
        assertEquals(0x00989680, r.maxBitRate());
        // Even with all strings empty the message alone is >= 96 bytes (so >= 96 with or without header).
        assertTrue(encode(r).length >= 96);
        assertEquals(r, decode(encode(r)));
        assertTrue(encode(new ReportOpenFile(0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)).length >= 112);
        assertEquals(120, encode(new ReportOpenFile(0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)).length);
        // cb* count characters including the NUL.
        byte[] b = encode(ReportConnectedEx.ofServer(0, "4.1.0.3928", "BASIC"));
        assertEquals(11, Unpooled.wrappedBuffer(b).getIntLE(48));
        assertEquals(0, Unpooled.wrappedBuffer(b).getIntLE(52));
        assertEquals(0, Unpooled.wrappedBuffer(b).getIntLE(56));
        assertEquals(6, Unpooled.wrappedBuffer(b).getIntLE(60));
    }

    @Test
    void startPlayingOptionalFieldsPerPair() {
        StartPlaying none = new StartPlaying(1, 0, 0, 0, 0, 0, 4, -1, -1, -1);
        StartPlaying accel = new StartPlaying(1, 0, 0, 0, 0, 0, 4, 100, 200, -1);
        StartPlaying link = new StartPlaying(1, 0, 0, 0, 0, 0, 4, 100, 200, 0xFFFFFFFFL);
        assertEquals(40, encode(none).length);
        assertEquals(48, encode(accel).length);
        assertEquals(56, encode(link).length);
        for (StartPlaying s : List.of(none, accel, link)) {
            assertEquals(s, decode(encode(s)));
        }
    }

    @Test
    void openFileTokenOffsetIsBoundedAndCorrect() {
        OpenFile f = new OpenFile(1, 0, 0, "abc.asf", new byte[] {'u', ':', 'p', 0});
        byte[] b = encode(f);
        assertEquals(16, Unpooled.wrappedBuffer(b).getIntLE(16), "spec example: token = 0x10 for abc.asf");
        OpenFile back = (OpenFile) decode(b);
        assertEquals("abc.asf", back.fileName());
        assertArrayEquals(new byte[] {'u', ':', 'p', 0}, back.tokenData());
        // Offset beyond the message and cbtoken beyond the remaining bytes are rejected.
        byte[] bad = b.clone();
        Unpooled.wrappedBuffer(bad).setIntLE(16, 0x7FFFFFF0);
        MmsDecodeException e = assertThrows(MmsDecodeException.class, () -> decode(bad));
        assertEquals("OpenFile", e.messageName());
        assertEquals("token", e.field());
        byte[] bad2 = b.clone();
        Unpooled.wrappedBuffer(bad2).setIntLE(20, -1);
        e = assertThrows(MmsDecodeException.class, () -> decode(bad2));
        assertEquals("cbtoken", e.field());
        assertEquals("OpenFile.cbtoken: " + e.reason(), e.getMessage());
    }

    @Test
    void streamSwitchCountIsBounded() {
        byte[] b = encode(new StreamSwitch(List.of()));
        Unpooled.wrappedBuffer(b).setIntLE(8, 0x40000000);
        MmsDecodeException e = assertThrows(MmsDecodeException.class, () -> decode(b));
        assertEquals("cStreamEntries", e.field());
        // 1025 entries fit the bytes but exceed the sanity limit.
        StreamSwitch big = new StreamSwitch(IntStream.range(0, 1025)
                .mapToObj(i -> new io.mmsedge.protocol.mms.message.StreamSwitchEntry(1, 2, 0)).toList());
        assertThrows(MmsDecodeException.class, () -> decode(encode(big)));
    }

    @Test
    void unknownMidAndBadChunkLen() {
        byte[] b = {2, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0, 0, 0, 0, 0};
        MmsDecodeException e = assertThrows(MmsDecodeException.class, () -> decode(b));
        assertEquals("MID", e.field());
        byte[] c = b.clone();
        c[0] = 3;
        assertEquals("chunkLen", assertThrows(MmsDecodeException.class, () -> decode(c)).field());
        assertThrows(MmsDecodeException.class, () -> decode(new byte[3]));
    }

    @Test
    void loggingAndClientLog() {
        ClientLog log = Samples.clientLog();
        byte[] b = encode(new Logging(log));
        assertEquals(1504, b.length, "8 + 1490 padded to 8");
        assertEquals(1490, Unpooled.wrappedBuffer(b).getIntLE(8));
        assertEquals(1142, Unpooled.wrappedBuffer(b).getIntLE(12));
        assertEquals(new Logging(log), decode(b));
        String line = log.toLogString();
        assertTrue(line.contains("url=mms://example.org/live.asf"), line);
        assertTrue(line.contains("transport=TCP"), line);
        assertTrue(line.contains("ip=127.0.0.1"), line);
        assertTrue(line.contains("audioCodec=\"Windows Media Audio 9\""), line);
        assertTrue(!line.contains("\n"));
    }

    @Test
    void clientLogDecodeIsLenientOnShortAndOddSizes() {
        ByteBuf full = Unpooled.buffer();
        try {
            Samples.clientLog().encode(full);
            for (int len : new int[] {0, 1, 3, 4, 5, 100, 263, 1145, 1146, 1147, 1200, 1489}) {
                ClientLog partial = ClientLog.decode(full.slice(0, len));
                // A string field cut by the end of the data is read up to the end (here: up to its NUL).
                assertEquals(len >= 8 + 27 ? "mms://example.org/live.asf" : "-", partial.info().url(), "len " + len);
                assertEquals(len >= 1482 ? 5 : 0, partial.resendRequests(), "len " + len);
            }
            // cbSize lying (too small, too large, odd) never reads out of bounds.
            for (int cb : new int[] {0, 1, 7, 500, 1491, 0x7FFFFFFF, -1}) {
                ByteBuf copy = full.copy();
                try {
                    copy.setIntLE(0, cb);
                    copy.setIntLE(4, cb);
                    ClientLog.decode(copy);
                } finally {
                    copy.release();
                }
            }
            // Missing NUL in a full string field is tolerated.
            ByteBuf copy = full.copy();
            try {
                for (int i = 8; i < 8 + 260; i++) {
                    copy.setByte(i, 'a');
                }
                assertEquals(260, ClientLog.decode(copy).info().url().length());
            } finally {
                copy.release();
            }
        } finally {
            full.release();
        }
    }

    @Test
    void requestPacketListResend() {
        RequestPacketListResend r = new RequestPacketListResend(77, 1, List.of(5, 6, 0xFFFFFFF0));
        ByteBuf b = Unpooled.buffer();
        try {
            r.encode(b);
            assertEquals(r.encodedSize(), b.readableBytes());
            assertEquals(0xBEEFF00D, b.getIntLE(0));
            assertEquals(r, RequestPacketListResend.decode(b));
            b.setShortLE(10, 0);
            assertEquals("wNumPackets", assertThrows(MmsDecodeException.class, () -> RequestPacketListResend.decode(b)).field());
            b.setShortLE(10, 33);
            assertEquals("wNumPackets", assertThrows(MmsDecodeException.class, () -> RequestPacketListResend.decode(b)).field());
            b.setShortLE(10, 4);
            assertEquals("dwBeginPacketList", assertThrows(MmsDecodeException.class, () -> RequestPacketListResend.decode(b)).field());
            b.setIntLE(0, 0);
            assertEquals("Signature", assertThrows(MmsDecodeException.class, () -> RequestPacketListResend.decode(b)).field());
        } finally {
            b.release();
        }
        assertThrows(IllegalArgumentException.class, () -> new RequestPacketListResend(1, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RequestPacketListResend(1, 1,
                IntStream.range(0, 33).boxed().toList()));
    }
}
