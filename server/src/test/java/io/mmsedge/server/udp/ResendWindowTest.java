package io.mmsedge.server.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.codec.DataDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The resend window (§3.2.5.13) and the token bucket behind the UDP limits, on a hand-driven clock. */
class ResendWindowTest {

    private static final long S = 1_000_000_000L;

    @Test
    void packetsComeBackExactlyWhileYoungAndInTheRing() {
        ResendWindow w = new ResendWindow(4, 3 * S);
        ByteBuf shared = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5});
        for (int seq = 0; seq < 6; seq++) {
            w.put(seq, 100 + seq, 4, seq & 0xFF, shared.retainedDuplicate(), seq * S / 10);
        }
        assertEquals(5, shared.refCnt(), "the ring holds four duplicates of the one buffer, no copies");
        assertEquals(-1, w.find(1, S), "evicted by sequence 5");
        int slot = w.find(5, S);
        assertTrue(slot >= 0);
        ByteBuf d = w.datagram(slot, UnpooledByteBufAllocator.DEFAULT);
        DataPacket p = DataDatagram.decode(d);
        try {
            assertEquals(105, p.locationId());
            assertEquals(4, p.playIncarnation());
            assertEquals(5, p.afFlags());
            assertEquals("0102030405", ByteBufUtil.hexDump(p.content()));
            assertEquals(13, w.datagramSize(slot));
        } finally {
            p.release();
            d.release();
        }
        assertEquals(-1, w.find(5, 4 * S), "too old after three seconds");
        assertEquals(-1, w.find(5 + 4, S), "never sent");
        w.clear();
        assertEquals(-1, w.find(5, S));
        assertEquals(1, shared.refCnt(), "clear gives every duplicate back");
        shared.release();
    }

    @Test
    void theBucketRefillsAtItsRateUpToItsCapacityAndAllowsDebt() {
        TokenBucket b = new TokenBucket(1000, 500, 0);
        assertEquals(500, b.available(0), 1e-9, "starts full");
        assertTrue(b.tryTake(400, 0));
        assertFalse(b.tryTake(200, 0), "not more than is there");
        b.charge(300, 0);
        assertEquals(-200, b.available(0), 1e-9, "debt");
        assertEquals(S / 5 + S / 10, b.nanosUntil(100, 0), 2, "300 tokens at 1000/s");
        assertEquals(300, b.available(S / 2), 1e-6);
        assertEquals(500, b.available(10 * S), 1e-9, "capped");
        b.fill(10, 50);
        assertEquals(50, b.available(10 * S), 1e-9, "new limits, full");
    }
}
