package io.mmsedge.protocol.mms.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class DataDatagramTest {

    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void oneDataPacketPerDatagramRoundTrips() {
        byte[] payload = new byte[1400];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        ByteBuf shared = Unpooled.wrappedBuffer(payload);
        ByteBuf d = DataDatagram.encode(ALLOC, 0x01020304, 4, 0xFE, shared.retainedDuplicate());
        try {
            assertEquals(1408, d.readableBytes());
            assertEquals(1408, d.getUnsignedShortLE(6), "PacketSize is the whole datagram");
            DataPacket p = DataDatagram.decode(d);
            try {
                assertEquals(0x01020304, p.locationId());
                assertEquals(4, p.playIncarnation());
                assertEquals(0xFE, p.afFlags());
                assertArrayEquals(payload, ByteBufUtil.getBytes(p.content()));
                assertFalse(DataDatagram.isPacketPair(p));
            } finally {
                p.release();
            }
            assertEquals(0, d.readerIndex(), "decode leaves the datagram's indices alone");
        } finally {
            d.release();
        }
        assertEquals(1, shared.refCnt(), "encode took one reference of the shared payload and gave it back");
        shared.release();
    }

    @Test
    void packetPairIsRecognised() {
        ByteBuf d = DataDatagram.encode(ALLOC, DataDatagram.PACKET_PAIR_LOCATION, DataPacket.PACKET_PAIR_INCARNATION,
                DataPacket.AF_PACKET_PAIR, Unpooled.buffer(DataDatagram.PACKET_PAIR_PAYLOAD)
                        .writeZero(DataDatagram.PACKET_PAIR_PAYLOAD));
        DataPacket p = DataDatagram.decode(d);
        try {
            assertTrue(DataDatagram.isPacketPair(p));
            assertEquals(1472, p.packetSize(), "§4.4.1: 1,472 bytes on the wire");
        } finally {
            p.release();
            d.release();
        }
    }

    @Test
    void malformedDatagramsAreTypedFailures() {
        ByteBuf shortOne = Unpooled.wrappedBuffer(new byte[7]);
        assertEquals("PacketSize", assertThrows(MmsDecodeException.class, () -> DataDatagram.decode(shortOne)).field());
        ByteBuf lies = Unpooled.buffer().writeIntLE(0).writeByte(1).writeByte(0).writeShortLE(9000).writeZero(100);
        assertEquals("PacketSize", assertThrows(MmsDecodeException.class, () -> DataDatagram.decode(lies)).field());
        lies.setShortLE(6, 100);
        assertThrows(MmsDecodeException.class, () -> DataDatagram.decode(lies), "shorter than the datagram");
        assertEquals(2, lies.refCnt() + shortOne.refCnt(), "failures retain nothing");
        lies.release();
        shortOne.release();
        ByteBuf big = Unpooled.buffer(65535).writeZero(65535 - 7);
        assertThrows(IllegalArgumentException.class, () -> DataDatagram.encode(ALLOC, 0, 1, 0, big));
        assertEquals(0, big.refCnt(), "a refused payload is released");
    }
}
