package io.mmsedge.server.broadcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.IllegalReferenceCountException;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leak detection (paranoid, every test class) checks that each count gives its references back. */
class LoopShareTest {

    private static ByteBuf packet() {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(64);
        for (int i = 0; i < 40; i++) {
            b.writeByte(i);
        }
        b.readerIndex(3);
        return b;
    }

    @Test
    void playersCountOnTheShareAndTheSharedBufferSeesOneReference() {
        ByteBuf shared = packet();
        LoopShare share = new LoopShare(shared.retain());
        assertEquals(2, shared.refCnt(), "the share holds one reference");
        List<ByteBuf> players = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            players.add(share.retainedDuplicate());
        }
        assertEquals(2, shared.refCnt(), "a hundred players' duplicates leave the shared count alone");
        assertEquals(101, share.refCnt());
        share.release();
        for (ByteBuf p : players) {
            assertEquals(2, shared.refCnt(), "the shared reference goes with the share's last one only");
            assertTrue(p.isReadable());
            p.release();
        }
        assertEquals(1, shared.refCnt(), "the last player's release gave the share's reference back");
        shared.release();
    }

    @Test
    void aDuplicateShowsTheSameBytesFromTheSameMemory() {
        ByteBuf shared = packet();
        LoopShare share = new LoopShare(shared.retain());
        ByteBuf dup = share.retainedDuplicate();
        ByteBuf slice = share.retainedSlice(5, 10);
        try {
            assertArrayEquals(ByteBufUtil.getBytes(shared), ByteBufUtil.getBytes(dup), "the readable bytes");
            assertEquals(shared.readerIndex(), dup.readerIndex());
            assertEquals(shared.getInt(10), dup.getInt(10));
            assertEquals(shared.getByte(5), slice.getByte(0));
            if (shared.hasMemoryAddress()) {
                assertTrue(dup.hasMemoryAddress());
                assertEquals(shared.memoryAddress(), dup.memoryAddress(), "no copy: the same memory");
            }
            assertSame(BroadcastSessionTest.root(shared), BroadcastSessionTest.root(dup),
                    "below the share is the one shared buffer");
            dup.readByte(); // a player's own indexes
            assertEquals(3, shared.readerIndex());
        } finally {
            dup.release();
            slice.release();
            share.release();
            shared.release();
        }
    }

    @Test
    void aShareIsReadOnlyAndDeadAfterItsLastRelease() {
        ByteBuf shared = packet();
        LoopShare share = new LoopShare(shared.retain());
        ByteBuf dup = share.retainedDuplicate();
        assertThrows(ReadOnlyBufferException.class, () -> dup.setByte(3, 1), "players never write the payload");
        assertFalse(share.hasArray());
        dup.release();
        share.release();
        assertEquals(0, share.refCnt());
        assertThrows(IllegalReferenceCountException.class, () -> share.getByte(3));
        assertThrows(IllegalReferenceCountException.class, share::retainedDuplicate);
        assertEquals(1, shared.refCnt());
        shared.release();
    }
}
