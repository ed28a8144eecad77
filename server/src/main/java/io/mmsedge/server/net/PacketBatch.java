package io.mmsedge.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;

/**
 * One player connection's data packets between two flushes, each a small per-player prefix
 * (the MMS Data header, an MMSH {@code $D} prefix) in front of a shared payload, written with one
 * {@code writev} straight to the socket when nothing else waits in Netty's outbound buffer.
 *
 * <p>Why: a player's write window carries a few packets, and Netty's outbound path costs per
 * buffer: an outbound-buffer entry, its pending-bytes accounting and promise, a prefix buffer of
 * its own (a slice with a reference count) and a retain and release of the payload around the
 * write. Profiled at 4,000 players of a split, the edge's Java work was about a third of its
 * CPU, and that path a large part of it. Here a packet is a payload reference and the prefix's fields (a
 * {@code long}); at the flush the prefixes are written into this loop's scratch memory and the
 * whole batch goes in one system call, as the raw fan-out writes it. Whatever the kernel does not
 * take, and everything whenever the outbound buffer holds data (a player whose socket was full,
 * a command written before), goes the ordinary way behind what is queued, so bytes never change
 * their order and Netty's writability, EPOLLOUT and the write-stall watch see the backlog as before.
 *
 * <p>Only for Netty's native epoll transport ({@link EpollSocketChannel}); on NIO every packet
 * goes the ordinary way at once. Confined to the channel's event loop.
 */
public final class PacketBatch {

    /** Writes one packet's prefix. */
    public interface Prefix {
        /** The prefix's length in bytes (at most {@link PrefixBlocks#MAX_PREFIX}). */
        int size();

        /** Writes the prefix of a packet with these fields and this payload length into {@code out}. */
        void write(ByteBuf out, long fields, int payloadBytes);
    }

    /** {@code -Dmmsedge.noDirectWrites=true}: every packet the ordinary way (a comparison, or a suspect kernel). */
    private static final boolean DIRECT = !Boolean.getBoolean("mmsedge.noDirectWrites");

    /** Packets held before they go out even without a flush; the pump flushes every 16. */
    static final int MAX_PACKETS = 64;

    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }

        @Override
        protected void onRemoval(Scratch s) {
            s.release();
        }
    };

    private final ChannelHandlerContext ctx;
    private final Channel channel;
    private final Prefix prefix;
    private final int prefixSize;
    /** The socket, or null when the channel is not epoll's: then nothing is held. */
    private final FileDescriptor fd;
    /** This loop's scratch, found at the first packet (on the channel's loop). */
    private Scratch scratch;
    /** The channel went away ({@link #discard()}): nothing more is held. */
    private boolean discarded;

    /**
     * @param ctx the context packets are written from when they go the ordinary way (the
     *            pipeline's head-most one: {@link PlayerChannelHandler#packetContext()})
     */
    public PacketBatch(ChannelHandlerContext ctx, Prefix prefix) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.prefix = prefix;
        this.prefixSize = prefix.size();
        if (prefixSize <= 0 || prefixSize > PrefixBlocks.MAX_PREFIX) {
            throw new IllegalArgumentException("a prefix of " + prefixSize + " bytes");
        }
        this.fd = channel instanceof EpollSocketChannel e && DIRECT ? e.fd() : null;
    }

    /** Whether packets go straight to the socket (epoll) rather than through Netty's outbound buffer. */
    public boolean direct() {
        return fd != null;
    }

    /** Adds one packet; takes ownership of {@code payload}. Not written before {@link #flush()}. */
    public void add(long packetFields, ByteBuf payload) {
        assert channel.eventLoop().inEventLoop() : "a batch is its channel's loop's";
        if (fd == null || discarded || !payload.isDirect() || payload.nioBufferCount() != 1) {
            // Heap or composite buffers need Netty's copy: whatever is held goes first.
            writeHeld();
            queue(packetFields, payload, 0);
            return;
        }
        Scratch s = scratch;
        if (s == null) {
            s = scratch = SCRATCH.get();
        }
        if (s.writing) {
            // Only a write's callback could add while a batch goes out; its packet would pass
            // the ones still to be queued. Nothing does today: fail loudly, not out of order.
            payload.release();
            throw new IllegalStateException("a packet added while this loop's batch is being written");
        }
        if (s.holder != this) {
            if (s.holder != null) {
                // Another player of this loop left packets held without a flush (not the pump's
                // way, which flushes before it returns): they go now, earlier than asked.
                s.holder.writeHeld();
            }
            s.holder = this;
        } else if (s.count == MAX_PACKETS) {
            writeHeld();
            s.holder = this;
        }
        s.payloads[s.count] = payload;
        s.fields[s.count] = packetFields;
        s.count++;
    }

    /** Writes what is held, and flushes whatever waits in the outbound buffer. */
    public void flush() {
        writeHeld();
        // Anything queued the ordinary way (by this batch or another writer) is in the outbound
        // buffer's pending bytes: without any, Netty's flush would find nothing to do.
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        if (out == null || out.totalPendingWriteBytes() != 0) {
            ctx.flush();
        }
    }

    /** Writes a buffer that is not a packet (a frame of the front end's own) behind what is held. */
    public void writeInOrder(ByteBuf buf) {
        writeHeld();
        ctx.write(buf, ctx.voidPromise());
    }

    /**
     * Writes what is held (before anything else is written to the channel, to keep the order):
     * straight to the socket when the outbound buffer is empty, else behind what waits there.
     */
    public void writeHeld() {
        Scratch s = scratch;
        if (s == null || s.holder != this) {
            return;
        }
        s.writing = true;
        try {
            write(s);
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < s.count; i++) { // what neither went nor was queued
                if (s.payloads[i] != null) {
                    s.payloads[i].release();
                    s.payloads[i] = null;
                }
            }
            throw e;
        } finally {
            s.count = 0;
            s.holder = null;
            s.writing = false;
        }
    }

    private void write(Scratch s) {
        int n = s.count;
        ByteBuf[] payloads = s.payloads;
        long[] fields = s.fields;
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        if (out == null || out.totalPendingWriteBytes() != 0 || !channel.isActive() || !fd.isOpen()) {
            queueFrom(payloads, fields, 0, 0, n);
            return;
        }
        IovArray iov = s.iov;
        ByteBuf prefixes = s.prefixes;
        iov.clear();
        prefixes.clear();
        int added = 0;
        for (; added < n; added++) {
            ByteBuf p = payloads[added];
            int len = p.readableBytes();
            int at = prefixes.writerIndex();
            prefix.write(prefixes, fields[added], len);
            if (!iov.add(prefixes, at, prefixSize) || !iov.add(p, p.readerIndex(), len)) {
                break; // not expected (64 packets are 128 of IOV_MAX's 1,024 entries): the rest queue
            }
        }
        long written;
        try {
            written = iov.count() == 0 ? 0 : fd.writevAddresses(iov.memoryAddress(0), iov.count());
        } catch (IOException e) {
            // A reset or closed peer: Netty's own write meets the same error and closes the
            // channel the usual way (logged, pipeline told), so everything goes that way.
            written = 0;
        }
        int i = 0;
        for (; i < added; i++) {
            int size = prefixSize + payloads[i].readableBytes();
            if (written < size) {
                break;
            }
            written -= size;
            payloads[i].release();
            payloads[i] = null;
        }
        if (i < n) {
            queueFrom(payloads, fields, i, (int) written, n);
        }
    }

    /** The channel is gone: releases what is held. */
    public void discard() {
        discarded = true;
        Scratch s = scratch;
        if (s != null && s.holder == this) {
            for (int i = 0; i < s.count; i++) {
                s.payloads[i].release();
                s.payloads[i] = null;
            }
            s.count = 0;
            s.holder = null;
        }
    }

    /** Packets {@code from} to {@code to} go the ordinary way, the first without its first {@code skip} bytes. */
    private void queueFrom(ByteBuf[] payloads, long[] fields, int from, int skip, int to) {
        for (int i = from; i < to; i++) {
            ByteBuf p = payloads[i];
            payloads[i] = null;
            queue(fields[i], p, i == from ? skip : 0);
        }
    }

    private void queue(long packetFields, ByteBuf payload, int skip) {
        if (skip < prefixSize) {
            ByteBuf head = PrefixBlocks.current().take(prefixSize);
            prefix.write(head, packetFields, payload.readableBytes());
            head.skipBytes(skip);
            ctx.write(head, ctx.voidPromise());
        } else {
            payload.skipBytes(skip - prefixSize); // the payload is the caller's own duplicate
        }
        ctx.write(payload, ctx.voidPromise());
    }

    /**
     * An event loop's held packets (of one player at a time: its pump adds a window's packets and
     * flushes before the next player's runs), and the iovec array and prefix memory for their
     * system call. Per loop, not per player: a reference stored per packet into a long-lived
     * per-player array dirtied a card of the heap for every player every window, and G1's
     * concurrent refinement of them tripled (4% to 11% of the edge's samples in the split's
     * profile); one array per loop stays on a few cards.
     */
    private static final class Scratch {
        final ByteBuf[] payloads = new ByteBuf[MAX_PACKETS];
        final long[] fields = new long[MAX_PACKETS];
        int count;
        PacketBatch holder;
        boolean writing;
        final IovArray iov = new IovArray();
        final ByteBuf prefixes = ByteBufAllocator.DEFAULT.directBuffer(MAX_PACKETS * PrefixBlocks.MAX_PREFIX);

        void release() {
            iov.release();
            prefixes.release();
        }
    }
}
