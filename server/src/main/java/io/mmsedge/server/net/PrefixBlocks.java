package io.mmsedge.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The small per-player prefixes in front of each shared payload — an MMS Data packet's 8-byte
 * header (§2.2.2) over TCP or UDP, an MMSH {@code $D} prefix (MS-WMSP §2.2.3.1) — cut
 * from one block per thread instead of taken one by one from the allocator. A prefix is written
 * once per packet per player, so at thousands of players it is the edge's most frequent
 * allocation: the pooled allocator took about 100 ns for each
 * ({@code SplitPathBenchmark.prefixFromAllocator}), half of a player's user-space cost per
 * packet. A slice of a block is a small object and an increment of the block's reference count:
 * a block is written and sliced on its event loop, and a TCP socket's completed writes release
 * the slices there too (a UDP datagram's, on the UDP listener's loop: the count is atomic).
 *
 * <p>A thread releases its block once full and takes a new one; a block is freed when the last
 * of its prefixes has been written. A thread's last block is released when the thread ends.
 */
public final class PrefixBlocks {

    /**
     * 2,048 MMS headers. A prefix still queued for a slow player keeps its whole block; the
     * pooled allocator's chunks are pinned the same way by any buffer left in them, and a
     * small block bounds what a stalled player's few queued prefixes can hold to 16 KiB each.
     */
    static final int BLOCK_BYTES = 16 * 1024;
    /** The largest prefix taken: anything larger is not a prefix. */
    static final int MAX_PREFIX = 64;

    private static final FastThreadLocal<PrefixBlocks> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected PrefixBlocks initialValue() {
            return new PrefixBlocks(ByteBufAllocator.DEFAULT);
        }

        @Override
        protected void onRemoval(PrefixBlocks blocks) {
            blocks.close();
        }
    };

    private final ByteBufAllocator alloc;
    private ByteBuf block;

    PrefixBlocks(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** This thread's blocks. */
    public static PrefixBlocks current() {
        return PER_THREAD.get();
    }

    /**
     * An empty buffer of exactly {@code bytes} (at most {@value #MAX_PREFIX}) to write a prefix
     * into; the caller releases it, or hands it to a write that does.
     */
    public ByteBuf take(int bytes) {
        if (bytes <= 0 || bytes > MAX_PREFIX) {
            throw new IllegalArgumentException("a prefix of " + bytes + " bytes");
        }
        if (block == null || block.writableBytes() < bytes) {
            close();
            block = alloc.directBuffer(BLOCK_BYTES, BLOCK_BYTES);
        }
        int at = block.writerIndex();
        block.writerIndex(at + bytes);
        return block.retainedSlice(at, bytes).clear();
    }

    /** Lets go of the current block (the prefixes still out keep it until they are written). */
    void close() {
        if (block != null) {
            block.release();
            block = null;
        }
    }
}
