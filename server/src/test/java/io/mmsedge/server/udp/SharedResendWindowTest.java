package io.mmsedge.server.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.codec.DataDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A split's shared resend window (§3.2.5.13, "shared for a split"): the payloads once for all
 * players, found by LocationId behind each player's own header, bounded by packets, bytes and age,
 * and every buffer given back. On a hand-driven clock.
 */
class SharedResendWindowTest {

    private static final long S = 1_000_000_000L;

    private static ByteBuf packet(ByteBufAllocator alloc, int n, int size) {
        ByteBuf b = alloc.directBuffer(size);
        for (int i = 0; i < size; i++) {
            b.writeByte(n + i);
        }
        return b;
    }

    @Test
    void nothingIsKeptUntilAPlayerAttachesAndAllIsGivenBackWhenTheLastLeaves() {
        SharedResendWindow w = new SharedResendWindow(8, 1 << 20);
        ByteBuf p = packet(UnpooledByteBufAllocator.DEFAULT, 0, 100);
        w.put(0, p, 0);
        assertEquals(0, w.packets());
        assertEquals(1, p.refCnt(), "no UDP player: nothing retained");
        assertTrue(w.attach(5));
        assertTrue(w.attach(5));
        w.put(1, p, 0);
        assertEquals(1, w.packets());
        assertEquals(100, w.bytes());
        assertEquals(2, p.refCnt());
        w.detach();
        assertEquals(1, w.packets(), "one player still uses it");
        w.detach();
        assertEquals(0, w.packets());
        assertEquals(1, p.refCnt(), "the last player gone: released");
        w.close();
        assertFalse(w.attach(5), "closed");
        p.release();
    }

    @Test
    void aPlayersOwnPayloadIsTheSharedOneOnlyIfItIsTheSameMemory() {
        List<ByteBuf> published = new ArrayList<>();
        try (SharedResendWindow w = new SharedResendWindow(8, 1 << 20)) {
            w.attach(5);
            for (int n = 10; n < 13; n++) {
                ByteBuf p = packet(PooledByteBufAllocator.DEFAULT, n, 50);
                published.add(p);
                w.put(n, p, 0);
            }
            ByteBuf forLoop = published.get(1).retainedDuplicate(); // as a player gets it
            ByteBuf sent = forLoop.retainedDuplicate();
            assertTrue(w.holds(11, sent), "a duplicate of the published buffer");
            assertFalse(w.holds(12, sent), "not that packet number");
            ByteBuf copy = sent.copy();
            assertFalse(w.holds(11, copy), "same bytes in other memory: a player's own (filtered) payload");
            ByteBuf shorter = sent.retainedSlice(0, 40);
            assertFalse(w.holds(11, shorter), "fewer bytes");
            ByteBuf heap = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(sent));
            assertFalse(w.holds(11, heap));
            copy.release();
            shorter.release();
            heap.release();
            sent.release();
            forLoop.release();
        } finally {
            published.forEach(ByteBuf::release);
        }
    }

    @Test
    void theRingIsBoundedByPacketsBytesAndAge() {
        try (SharedResendWindow w = new SharedResendWindow(4, 250)) {
            w.attach(2); // kept 2 s + the lag margin
            List<ByteBuf> published = new ArrayList<>();
            for (int n = 0; n < 6; n++) {
                ByteBuf p = packet(UnpooledByteBufAllocator.DEFAULT, n, 50);
                published.add(p);
                w.put(n, p, 0);
            }
            assertEquals(4, w.packets(), "four slots");
            assertNull(w.retainedPayload(1), "evicted by packet 5");
            for (int n = 6; n < 9; n++) {
                ByteBuf p = packet(UnpooledByteBufAllocator.DEFAULT, n, 100);
                published.add(p);
                w.put(n, p, 0);
            }
            assertTrue(w.bytes() <= 250, "bytes bounded: " + w.bytes());
            assertEquals(2, w.packets(), "two packets of 100 bytes and no room for a third");
            long late = 2 * S + SharedResendWindow.LAG_MARGIN_NANOS + 1;
            ByteBuf p9 = packet(UnpooledByteBufAllocator.DEFAULT, 9, 10);
            published.add(p9);
            w.put(9, p9, late);
            assertEquals(1, w.packets(), "older than the resend time plus margin: gone");
            ByteBuf got = w.retainedPayload(9);
            assertEquals(ByteBufUtil.hexDump(p9), ByteBufUtil.hexDump(got));
            got.release();
            assertEquals(1, w.served());
            w.put(100, p9, late); // a jump past the whole ring
            assertEquals(1, w.packets());
            assertNull(w.retainedPayload(9));
            w.close();
            for (ByteBuf p : published) {
                assertEquals(1, p.refCnt(), "every kept duplicate released");
                p.release();
            }
        }
    }

    @Test
    void aPlayersResendIsTheSharedPayloadBehindItsOwnHeader() {
        try (SharedResendWindow shared = new SharedResendWindow(16, 1 << 20)) {
            shared.attach(3);
            ByteBuf published = packet(UnpooledByteBufAllocator.DEFAULT, 7, 30);
            shared.put(1000, published, 0);
            ResendWindow a = new ResendWindow(8, 3 * S, shared);
            ResendWindow b = new ResendWindow(8, 3 * S, shared);
            a.put(5, 1000, 4, 5, null, 0); // player A sent packet 1000 as its sequence 5
            ByteBuf ownFiltered = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
            b.put(77, 1000, 9, 77, ownFiltered, 0); // player B's stream selection filtered it
            assertEquals(2, published.refCnt(), "the window's one duplicate; player A keeps none");
            int slot = a.find(5, S);
            assertTrue(slot >= 0 && a.sharedSlot(slot));
            ByteBuf d = a.datagram(slot, UnpooledByteBufAllocator.DEFAULT);
            DataPacket p = DataDatagram.decode(d);
            try {
                assertEquals(1000, p.locationId());
                assertEquals(4, p.playIncarnation(), "player A's own header");
                assertEquals(5, p.afFlags());
                assertEquals(ByteBufUtil.hexDump(published), ByteBufUtil.hexDump(p.content()));
            } finally {
                p.release();
                d.release();
            }
            int bs = b.find(77, S);
            ByteBuf db = b.datagram(bs, UnpooledByteBufAllocator.DEFAULT);
            DataPacket pb = DataDatagram.decode(db);
            try {
                assertEquals("010203", ByteBufUtil.hexDump(pb.content()), "player B's own payload");
                assertEquals(9, pb.playIncarnation());
            } finally {
                pb.release();
                db.release();
            }
            assertEquals(-1, a.find(5, 4 * S), "the player's own resend time still applies");
            shared.detach();
            assertNull(a.datagram(slot, UnpooledByteBufAllocator.DEFAULT), "gone from the shared window: none");
            a.clear();
            b.clear();
            assertEquals(1, published.refCnt());
            published.release();
        }
    }
}
