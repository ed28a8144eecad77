package io.mmsedge.protocol.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.Test;

class MmshFramesTest {

    private static final ByteBufAllocator A = ByteBufAllocator.DEFAULT;

    @Test
    void dataHeaderLayout() {
        ByteBuf h = MmshFrames.dataHeader(A, MmshFrames.DATA, 0x01020304L, 5, 6, 100);
        try {
            assertEquals(12, h.readableBytes());
            assertEquals(0x24, h.getUnsignedByte(0));
            assertEquals('D', h.getUnsignedByte(1));
            assertEquals(108, h.getUnsignedShortLE(2), "PacketLength counts the 8-byte data header");
            assertEquals(0x01020304, h.getIntLE(4));
            assertEquals(5, h.getUnsignedByte(8));
            assertEquals(6, h.getUnsignedByte(9));
            assertEquals(108, h.getUnsignedShortLE(10), "PacketSize = PacketLength (VLC reads this one)");
        } finally {
            h.release();
        }
        assertThrows(IllegalArgumentException.class, () -> MmshFrames.dataHeader(A, 'H', 0, 0, 0, 65528));
    }

    @Test
    void roundTripEveryKind() {
        ByteBuf wire = Unpooled.buffer();
        ByteBuf h = MmshFrames.dataHeader(A, MmshFrames.HEADER, 0, 0, MmshFrames.AF_HEADER_LAST, 3);
        wire.writeBytes(h).writeBytes(new byte[] {1, 2, 3});
        h.release();
        ByteBuf d = MmshFrames.dataHeader(A, MmshFrames.DATA, 7, 0, 1, 2);
        wire.writeBytes(d).writeBytes(new byte[] {9, 9});
        d.release();
        ByteBuf e = MmshFrames.endOfStream(A, 1);
        ByteBuf c = MmshFrames.streamChange(A, 0);
        wire.writeBytes(e).writeBytes(c);
        e.release();
        c.release();
        MmshFrame f1 = MmshFrameDecoder.decodeOne(wire, 0xFFFF);
        MmshFrame f2 = MmshFrameDecoder.decodeOne(wire, 0xFFFF);
        MmshFrame f3 = MmshFrameDecoder.decodeOne(wire, 0xFFFF);
        MmshFrame f4 = MmshFrameDecoder.decodeOne(wire, 0xFFFF);
        try {
            assertEquals('H', f1.packetId());
            assertEquals(3, f1.content().readableBytes());
            assertEquals(MmshFrames.AF_HEADER_LAST, f1.afFlags());
            assertEquals('D', f2.packetId());
            assertEquals(7, f2.locationId());
            assertEquals('E', f3.packetId());
            assertEquals(1, f3.reason());
            assertEquals('C', f4.packetId());
            assertNull(MmshFrameDecoder.decodeOne(wire, 0xFFFF));
        } finally {
            f1.release();
            f2.release();
            f3.release();
            f4.release();
            wire.release();
        }
    }

    @Test
    void incompleteFrameReadsNothing() {
        ByteBuf wire = Unpooled.buffer().writeByte(0x24).writeByte('D').writeShortLE(20).writeIntLE(0);
        try {
            assertNull(MmshFrameDecoder.decodeOne(wire, 0xFFFF));
            assertEquals(0, wire.readerIndex());
        } finally {
            wire.release();
        }
    }

    @Test
    void garbageAndBoundsFail() {
        ByteBuf garbage = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n", java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf unknown = Unpooled.buffer().writeByte(0x24).writeByte('Z').writeShortLE(0);
        ByteBuf big = Unpooled.buffer().writeByte(0x24).writeByte('D').writeShortLE(5000);
        ByteBuf mismatch = Unpooled.buffer().writeByte(0x24).writeByte('D').writeShortLE(8).writeIntLE(0)
                .writeShortLE(0).writeShortLE(9);
        try {
            assertThrows(CorruptedFrameException.class, () -> MmshFrameDecoder.decodeOne(garbage, 0xFFFF));
            assertThrows(CorruptedFrameException.class, () -> MmshFrameDecoder.decodeOne(unknown, 0xFFFF));
            assertThrows(CorruptedFrameException.class, () -> MmshFrameDecoder.decodeOne(big, 4096));
            assertThrows(CorruptedFrameException.class, () -> MmshFrameDecoder.decodeOne(mismatch, 0xFFFF));
        } finally {
            garbage.release();
            unknown.release();
            big.release();
            mismatch.release();
        }
    }

    /** §2.2.3.7: sizes fixed by the Reason, 2080 bytes in all, whatever the head's size. */
    @Test
    void packetPairsAreSizedByTheReason() {
        for (int head : new int[] {0, 300, 504, 900}) {
            ByteBuf b = MmshFrames.packetPairs(ByteBufAllocator.DEFAULT, head, new java.util.Random(1));
            try {
                assertEquals(MmshFrames.PACKET_PAIR_BYTES, b.readableBytes());
                int reason = Math.min(504, head);
                int[] length = {504, 504, 1048};
                int[] payload = {reason == 504 ? 0 : 504 - reason, 504, 1048 + reason};
                for (int i = 0; i < 3; i++) {
                    assertEquals(0x24, b.readUnsignedByte());
                    assertEquals('P', b.readUnsignedByte());
                    assertEquals(length[i], b.readUnsignedShortLE());
                    assertEquals(reason, b.readIntLE());
                    b.skipBytes(payload[i]);
                }
                assertEquals(0, b.readableBytes());
            } finally {
                b.release();
            }
        }
    }
}
