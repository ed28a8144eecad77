package io.mmsedge.protocol.asf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Header features FFmpeg does not write: bit rate objects and hidden (extension-only) streams. */
class AsfHeaderSyntheticTest {

    private static byte[] object(AsfGuid guid, Consumer<ByteBuf> body) {
        ByteBuf b = Unpooled.buffer();
        try {
            body.accept(b);
            ByteBuf o = Unpooled.buffer();
            o.writeBytes(guid.toBytes()).writeLongLE(24 + b.readableBytes()).writeBytes(b);
            byte[] out = ByteBufUtil.getBytes(o);
            o.release();
            return out;
        } finally {
            b.release();
        }
    }

    private static byte[] fileProperties(int packetSize, long flags) {
        return object(AsfGuid.FILE_PROPERTIES, b -> b.writeBytes(AsfGuid.of("01234567-89AB-CDEF-0123-456789ABCDEF").toBytes())
                .writeLongLE(123456).writeLongLE(0).writeLongLE(10).writeLongLE(100_000_000L).writeLongLE(90_000_000L)
                .writeLongLE(2000).writeIntLE((int) flags).writeIntLE(packetSize).writeIntLE(packetSize).writeIntLE(700_000));
    }

    private static byte[] audioStream(int number) {
        return object(AsfGuid.STREAM_PROPERTIES, b -> b.writeBytes(AsfGuid.AUDIO_MEDIA.toBytes())
                .writeBytes(AsfGuid.NO_ERROR_CORRECTION.toBytes()).writeLongLE(0).writeIntLE(18).writeIntLE(0)
                .writeShortLE(number).writeIntLE(0)
                .writeShortLE(0x0162).writeShortLE(2).writeIntLE(44100).writeIntLE(8000).writeShortLE(1000)
                .writeShortLE(16).writeShortLE(0));
    }

    private static byte[] videoStream(int number) {
        return object(AsfGuid.STREAM_PROPERTIES, b -> b.writeBytes(AsfGuid.VIDEO_MEDIA.toBytes())
                .writeBytes(AsfGuid.NO_ERROR_CORRECTION.toBytes()).writeLongLE(0).writeIntLE(11 + 40).writeIntLE(0)
                .writeShortLE(number).writeIntLE(0)
                .writeIntLE(640).writeIntLE(480).writeByte(2).writeShortLE(40)
                .writeIntLE(40).writeIntLE(640).writeIntLE(480).writeShortLE(1).writeShortLE(24)
                .writeBytes("WMV3".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).writeZero(20));
    }

    private static byte[] header(byte[]... objects) {
        ByteBuf body = Unpooled.buffer();
        for (byte[] o : objects) {
            body.writeBytes(o);
        }
        ByteBuf h = Unpooled.buffer();
        h.writeBytes(AsfGuid.HEADER.toBytes()).writeLongLE(30 + body.readableBytes()).writeIntLE(objects.length)
                .writeByte(1).writeByte(2).writeBytes(body);
        h.writeBytes(AsfGuid.DATA.toBytes()).writeLongLE(50 + 10 * 4000L).writeZero(16).writeLongLE(10).writeShortLE(0x0101);
        byte[] out = ByteBufUtil.getBytes(h);
        h.release();
        body.release();
        return out;
    }

    @Test
    void bitrateObjectsAndHiddenStreams() {
        byte[] bitrates = object(AsfGuid.STREAM_BITRATE_PROPERTIES, b -> b.writeShortLE(1).writeShortLE(1).writeIntLE(48_000));
        byte[] embeddedVideo = videoStream(2);
        byte[] esp = object(AsfGuid.EXTENDED_STREAM_PROPERTIES, b -> b.writeLongLE(0).writeLongLE(0)
                .writeIntLE(500_000).writeIntLE(0).writeIntLE(0).writeIntLE(0).writeIntLE(0).writeIntLE(0)
                .writeIntLE(0).writeIntLE(0).writeShortLE(2).writeShortLE(0).writeLongLE(400_000)
                .writeShortLE(1).writeShortLE(1)
                .writeShortLE(0).writeShortLE(4).writeBytes(new byte[] {'h', 0, 'i', 0})
                .writeBytes(AsfGuid.of("399595EC-8667-4E2D-8FDB-98814CE76C1E").toBytes()).writeShortLE(2).writeIntLE(0)
                .writeBytes(embeddedVideo));
        byte[] extension = object(AsfGuid.HEADER_EXTENSION, b -> b.writeBytes(AsfGuid.HEADER_EXTENSION_RESERVED_1.toBytes())
                .writeShortLE(6).writeIntLE(esp.length).writeBytes(esp));
        byte[] bytes = header(fileProperties(4000, 0x2), audioStream(1), bitrates, extension);
        AsfHeader h = AsfHeader.parse(bytes);
        assertEquals(2, h.streams().size());
        assertEquals(new AsfStream(1, AsfStreamType.AUDIO, "wmapro", 48_000, 0, 0), h.streams().get(0));
        assertEquals(new AsfStream(2, AsfStreamType.VIDEO, "WMV3", 500_000, 640, 480), h.streams().get(1));
        assertEquals(548_000, h.totalBitrate());
        assertEquals("01234567-89AB-CDEF-0123-456789ABCDEF", h.fileId());
        assertEquals(8.0, h.durationSeconds(), 1e-9);
        assertEquals(4000, h.maxDataPacketSize());
        assertEquals(10, h.dataPacketsCount());
        assertEquals(40_050, h.dataObjectSize());
        assertEquals(bytes.length, h.fileHeaderSize());
        assertTrue(h.seekable() && !h.broadcast());
        // The largest of the streams' 548 kbit/s, File Properties' 700 kbit/s and 10 packets of 4000 bytes
        // over 8 s (40 kbit/s).
        assertEquals(700_000, h.realTimeBitrate());
    }

    @Test
    void realTimeBitrateFromWhatTheHeaderSaysWhenStreamsHaveNoRate() {
        // Two video streams without any rate object: the sum is 0; File Properties says 700 kbit/s.
        AsfHeader mbr = AsfHeader.parse(header(fileProperties(4000, 0x2), videoStream(1), videoStream(2)));
        assertEquals(0, mbr.totalBitrate());
        assertEquals(700_000, mbr.realTimeBitrate());
        // Larger packets: 10 x 100 000 bytes over 8 s are 1 Mbit/s, more than File Properties says.
        AsfHeader big = AsfHeader.parse(header(fileProperties(100_000, 0x2), videoStream(1), videoStream(2)));
        assertEquals(1_000_000, big.realTimeBitrate());
        // A broadcast's packet count means nothing: File Properties only.
        AsfHeader live = AsfHeader.parse(header(fileProperties(100_000, 0x1), videoStream(1), videoStream(2)));
        assertEquals(700_000, live.realTimeBitrate());
        assertEquals(0, AsfHeader.dataRate(10, 4000, 0));
    }

    @Test
    void rejectsStructuralErrors() {
        // no stream
        assertThrows(AsfFormatException.class, () -> AsfHeader.parse(header(fileProperties(4000, 2))));
        // no file properties
        assertThrows(AsfFormatException.class, () -> AsfHeader.parse(header(audioStream(1))));
        // duplicate stream number
        AsfFormatException e = assertThrows(AsfFormatException.class,
                () -> AsfHeader.parse(header(fileProperties(4000, 2), audioStream(1), audioStream(1))));
        assertTrue(e.getMessage().contains("duplicate stream number 1"), e.getMessage());
        // packet size out of range
        e = assertThrows(AsfFormatException.class,
                () -> AsfHeader.parse(header(fileProperties(8, 2), audioStream(1))));
        assertTrue(e.getMessage().startsWith("File Properties Object.Maximum Data Packet Size"), e.getMessage());
        // missing data object start
        byte[] ok = header(fileProperties(4000, 2), audioStream(1));
        e = assertThrows(AsfFormatException.class, () -> AsfHeader.parse(java.util.Arrays.copyOf(ok, ok.length - 1)));
        assertTrue(e.getMessage().contains("Object Size"), e.getMessage());
        // not a header at all
        e = assertThrows(AsfFormatException.class, () -> AsfHeader.parse(new byte[200]));
        assertTrue(e.getMessage().contains("not an ASF file"), e.getMessage());
    }
}
