package io.mmsedge.protocol.mms.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.TcpMessageHeader;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    /** A stream mixing every message type (as frames) and Data packets of various sizes. */
    static byte[] mixedStream() {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        int seq = 0;
        int loc = 0;
        for (MmsMessage m : Samples.all()) {
            ByteBuf f = MmsFrameEncoder.encodeFrame(UnpooledByteBufAllocator.DEFAULT, seq++, seq * 10L, m);
            s.writeBytes(ByteBufUtil.getBytes(f));
            f.release();
            int payload = (loc * 97) % 300;
            byte[] d = new byte[8 + payload];
            ByteBuf db = Unpooled.wrappedBuffer(d);
            db.setIntLE(0, loc++);
            db.setByte(4, 4);
            db.setByte(5, loc % 3 == 0 ? 0x0C : 0x04);
            db.setShortLE(6, d.length);
            for (int i = 8; i < d.length; i++) {
                d[i] = (byte) (i * 31 + loc);
            }
            s.writeBytes(d);
        }
        s.writeBytes(Captures.toServer("ffmpeg"));
        return s.toByteArray();
    }

    /** Feeds {@code chunks} and returns a normalised description of every output object. */
    static List<String> run(List<byte[]> chunks) {
        EmbeddedChannel ch = new EmbeddedChannel(new MmsFrameDecoder());
        List<String> out = new ArrayList<>();
        try {
            for (byte[] c : chunks) {
                ch.writeInbound(Unpooled.wrappedBuffer(c));
                for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                    out.add(describe(o));
                    ReferenceCountUtil.release(o);
                }
            }
        } finally {
            assertFalse(ch.finishAndReleaseAll());
        }
        return out;
    }

    static String describe(Object o) {
        if (o instanceof DataPacket d) {
            return d + " " + ByteBufUtil.hexDump(d.content());
        }
        return String.valueOf(o);
    }

    @Test
    void splitsAndCoalescingGiveIdenticalOutput() {
        byte[] stream = mixedStream();
        List<String> whole = run(List.of(stream));
        assertEquals(Samples.all().size() * 2 + 8, whole.size());
        assertTrue(whole.stream().noneMatch(s -> s.startsWith("MmsDecodeFailure")), whole::toString);

        List<byte[]> bytewise = new ArrayList<>();
        for (byte b : stream) {
            bytewise.add(new byte[] {b});
        }
        assertEquals(whole, run(bytewise));

        long seed = 0x5EED_0001L;
        Random rnd = new Random(seed);
        for (int round = 0; round < 20; round++) {
            List<byte[]> chunks = new ArrayList<>();
            int p = 0;
            while (p < stream.length) {
                int n = Math.min(stream.length - p, 1 + rnd.nextInt(round % 2 == 0 ? 40 : 3000));
                chunks.add(Arrays.copyOfRange(stream, p, p + n));
                p += n;
            }
            assertEquals(whole, run(chunks), "seed " + seed + " round " + round);
        }
    }

    @Test
    void dataPacketPayloadIsZeroCopySlice() {
        ByteBuf in = Unpooled.buffer();
        in.writeIntLE(5).writeByte(4).writeByte(0x0C).writeShortLE(12).writeInt(0x01020304);
        EmbeddedChannel ch = new EmbeddedChannel(new MmsFrameDecoder());
        try {
            ch.writeInbound(in);
            DataPacket d = ch.readInbound();
            try {
                assertEquals(5, d.locationId());
                assertEquals(4, d.playIncarnation());
                assertEquals(0x0C, d.afFlags());
                assertEquals(4, d.content().readableBytes());
                assertEquals(0x01020304, d.content().getInt(0));
                in.setByte(8, 0x55);
                assertEquals(0x55, d.content().getByte(0), "payload is a slice of the input, not a copy");
            } finally {
                d.release();
            }
        } finally {
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void multipleMessagesInOneCommandEachYieldACommand() {
        ByteBuf f = Unpooled.buffer();
        f.writeZero(32);
        MmsMessageCodec.encode(new FunnelInfo(1), f);
        MmsMessageCodec.encode(new Ping(2, 3), f);
        int body = f.readableBytes() - 32;
        f.writerIndex(0);
        TcpMessageHeader.of(0, 0, body).encode(f);
        f.writerIndex(32 + body);
        EmbeddedChannel ch = new EmbeddedChannel(new MmsFrameDecoder());
        try {
            ch.writeInbound(f);
            MmsCommand a = ch.readInbound();
            MmsCommand b = ch.readInbound();
            assertEquals(new FunnelInfo(1), a.message());
            assertEquals(new Ping(2, 3), b.message());
            assertSame(a.header(), b.header());
            assertNull(ch.readInbound());
        } finally {
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    static List<Object> feed(MmsFrameDecoder dec, byte[]... chunks) {
        EmbeddedChannel ch = new EmbeddedChannel(dec);
        List<Object> out = new ArrayList<>();
        try {
            for (byte[] c : chunks) {
                ch.writeInbound(Unpooled.wrappedBuffer(c));
                for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                    out.add(o);
                    ReferenceCountUtil.release(o);
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return out;
    }

    static MmsDecodeFailure onlyFatal(List<Object> out) {
        assertEquals(1, out.size(), out::toString);
        MmsDecodeFailure f = assertInstanceOf(MmsDecodeFailure.class, out.get(0));
        assertTrue(f.fatal());
        return f;
    }

    @Test
    void httpRequestIsFatal() {
        byte[] get = "GET / HTTP/1.0\r\nUser-Agent: NSPlayer/7.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        MmsDecodeFailure f = onlyFatal(feed(new MmsFrameDecoder(), get, Captures.toServer("ffmpeg")));
        assertEquals("HTTP", f.messageName());
        assertTrue(f.reason().contains("GET"), f.reason());
        // Also when the request line arrives byte by byte.
        List<byte[]> bytes = new ArrayList<>();
        for (byte b : "POST /x HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)) {
            bytes.add(new byte[] {b});
        }
        assertEquals("HTTP", onlyFatal(feed(new MmsFrameDecoder(), bytes.toArray(new byte[0][]))).messageName());
        assertEquals("HTTP", onlyFatal(feed(new MmsFrameDecoder(),
                "OPTIONS * RTSP/1.0\r\n".getBytes(StandardCharsets.US_ASCII))).messageName());
    }

    @Test
    void hugeMessageLengthIsFatalWithoutAllocating() {
        byte[] h = new byte[16];
        ByteBuf b = Unpooled.wrappedBuffer(h);
        b.setByte(0, 1);
        b.setIntLE(4, TcpMessageHeader.SESSION_ID);
        b.setIntLE(8, 0x7FFFFFF0);
        b.setIntLE(12, TcpMessageHeader.SEAL);
        MmsFrameDecoder dec = new MmsFrameDecoder();
        MmsDecodeFailure f = onlyFatal(feed(dec, h, new byte[100_000]));
        assertEquals("messageLength", f.field());
        assertTrue(dec.isFailed());
        b.setIntLE(8, -1); // 0xFFFFFFFF + 16 must not wrap around
        assertEquals("messageLength", onlyFatal(feed(new MmsFrameDecoder(), h)).field());
        b.setIntLE(8, 8); // total 24 < 40
        assertEquals("messageLength", onlyFatal(feed(new MmsFrameDecoder(), h)).field());
    }

    @Test
    void framingErrorsAreFatalContentErrorsAreNot() {
        byte[] ffmpeg = Captures.toServer("ffmpeg");
        byte[] badSeal = ffmpeg.clone();
        badSeal[12] = 'X';
        assertEquals("seal", onlyFatal(feed(new MmsFrameDecoder(), badSeal)).field());

        byte[] badChunk = ffmpeg.clone();
        Unpooled.wrappedBuffer(badChunk).setIntLE(32, 0x17); // one chunk too many
        assertEquals("chunkLen", onlyFatal(feed(new MmsFrameDecoder(), badChunk)).field());

        // Unknown MID inside a well-framed command: non-fatal, decoding continues.
        byte[] badMid = ffmpeg.clone();
        Unpooled.wrappedBuffer(badMid).setIntLE(36, 0x00039999);
        List<Object> out = feed(new MmsFrameDecoder(), badMid);
        MmsDecodeFailure f = assertInstanceOf(MmsDecodeFailure.class, out.get(0));
        assertFalse(f.fatal());
        assertEquals("MID", f.field());
        assertEquals(8, out.size());
        assertTrue(out.subList(1, 8).stream().allMatch(o -> o instanceof MmsCommand));

        // Data packets: PacketSize below the header and above the runtime limit.
        byte[] tiny = {1, 2, 3, 4, 5, 6, 7, 0};
        assertEquals("PacketSize", onlyFatal(feed(new MmsFrameDecoder(), tiny)).field());
        MmsFrameDecoder dec = new MmsFrameDecoder();
        dec.setMaxDataPacketSize(3200 + 8);
        byte[] big = new byte[3300];
        Unpooled.wrappedBuffer(big).setShortLE(6, 3300);
        assertEquals("Data", onlyFatal(feed(dec, big)).messageName());
        assertThrows(IllegalArgumentException.class, () -> dec.setMaxDataPacketSize(70000));
    }

    @Test
    void afterFatalEverythingIsDiscarded() {
        MmsFrameDecoder dec = new MmsFrameDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(dec);
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, (byte) 0xCE, (byte) 0xFA, 0x0B, (byte) 0xB0,
                0, 0, 0, 0, 'x', 'x', 'x', 'x'}));
            assertInstanceOf(MmsDecodeFailure.class, ch.readInbound());
            ch.writeInbound(Unpooled.wrappedBuffer(Captures.toServer("vlc")));
            assertNull(ch.readInbound());
        } finally {
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void encoderWritesSequencedFramesAndZeroCopyDataPackets() {
        EmbeddedChannel ch = new EmbeddedChannel(new MmsFrameEncoder());
        try {
            ch.writeOutbound(new ReportEndOfStream(0, 4), new ReportEndOfStream(0, 5));
            for (int i = 0; i < 2; i++) {
                ByteBuf f = ch.readOutbound();
                try {
                    TcpMessageHeader h = TcpMessageHeader.decode(f, 0);
                    assertEquals(i, h.seq());
                    assertEquals(1, h.rep());
                    assertEquals(0, h.mbz());
                    assertEquals(f.readableBytes() - 16, h.messageLength());
                    assertEquals(h.messageLength() / 8, h.chunkCount());
                    assertTrue(h.timeSent() >= 0);
                    assertEquals(new ReportEndOfStream(0, 4 + i), MmsMessageCodec.decode(f.slice(32, f.readableBytes() - 32)));
                } finally {
                    f.release();
                }
            }
            ByteBuf shared = Unpooled.directBuffer(100).writeZero(100);
            DataPacket p = new DataPacket(9, 4, 0x04, shared);
            ch.writeOutbound(p.retainedDuplicate());
            ByteBuf header = ch.readOutbound();
            ByteBuf payload = ch.readOutbound();
            try {
                assertEquals(8, header.readableBytes());
                assertEquals(9, header.getIntLE(0));
                assertEquals(4, header.getUnsignedByte(4));
                assertEquals(0x04, header.getUnsignedByte(5));
                assertEquals(108, header.getUnsignedShortLE(6));
                shared.setByte(50, 0x55);
                assertEquals(0x55, payload.getByte(50), "payload shares the caller's memory (not copied)");
            } finally {
                header.release();
                payload.release();
            }
            assertEquals(1, shared.refCnt());
            p.release();
            assertEquals(0, shared.refCnt());

            DataPacket tooBig = new DataPacket(0, 1, 0, Unpooled.buffer(65528).writeZero(65528));
            assertThrows(EncoderException.class, () -> ch.writeOutbound(tooBig));
            assertEquals(0, tooBig.refCnt(), "released by the encoder");
            // Unknown objects pass through untouched.
            ch.writeOutbound("hello");
            assertEquals("hello", ch.readOutbound());
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void dataPacketHolderStaysADataPacket() {
        DataPacket p = new DataPacket(1, 2, 3, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        DataPacket c = p.copy();
        DataPacket d = p.retainedDuplicate();
        try {
            assertEquals(p, c);
            assertEquals(p, d);
            assertEquals(2, d.playIncarnation());
            assertEquals(11, d.packetSize());
            assertEquals(2, p.refCnt());
            assertInstanceOf(DataPacket.class, p.replace(Unpooled.EMPTY_BUFFER));
            assertThrows(IllegalArgumentException.class, () -> new DataPacket(0, 256, 0, Unpooled.EMPTY_BUFFER));
        } finally {
            c.release();
            d.release();
            p.release();
        }
        assertEquals(0, p.refCnt());
    }
}
