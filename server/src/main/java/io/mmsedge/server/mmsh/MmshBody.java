package io.mmsedge.server.mmsh;

import io.mmsedge.protocol.mmsh.MmshFrames;
import io.mmsedge.server.net.PacketBatch;
import io.mmsedge.server.net.PrefixBlocks;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;

/**
 * Where one connection's response bodies go, in order: through the HTTP codec (a Describe's
 * body); as HTTP chunks (a pipelined-mode Play, §3.2.5.1); or, once a streamed Play response's
 * head is out and the HTTP encoder has stepped out, from the pipeline's head past the codec and
 * the stall watch, with the {@code $D} packets of each write window in a {@link PacketBatch}
 * (one writev). Anything else written to the connection writes the batch's packets first
 * ({@link #writeHeld()}).
 */
final class MmshBody implements MmshFraming.Out {

    private final ChannelHandlerContext ctx;
    /** The body is chunked (pipelined mode): it ends, the connection stays. */
    private boolean chunked;
    /** Set once the body streams past the codec (see {@link #streamFrom}); never unset. */
    private PacketBatch streamed;

    MmshBody(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    boolean chunked() {
        return chunked;
    }

    /** A chunked body starts (true) or ends (false). */
    void chunked(boolean on) {
        chunked = on;
    }

    /** From now on the body goes from {@code head}, past the codec: it runs to the close. */
    void streamFrom(ChannelHandlerContext head) {
        streamed = new PacketBatch(head, MmshFraming.DATA_PREFIX);
    }

    @Override
    public void write(ByteBuf b) {
        if (streamed != null) {
            streamed.writeInOrder(b);
        } else if (chunked) {
            ctx.write(new DefaultHttpContent(b), ctx.voidPromise());
        } else {
            ctx.write(b, ctx.voidPromise());
        }
    }

    @Override
    public void writePacket(int locationId, int afFlags, ByteBuf payload) {
        long fields = MmshFraming.dataFields(locationId, afFlags);
        if (streamed != null) {
            streamed.add(fields, payload);
            return;
        }
        // A chunked body's $D: its prefix from this loop's prefix blocks, not the allocator.
        ByteBuf prefix = PrefixBlocks.current().take(MmshFrames.PREFIX_SIZE);
        MmshFraming.DATA_PREFIX.write(prefix, fields, payload.readableBytes());
        write(prefix);
        write(payload);
    }

    /** Packets the batch holds go before anything else written to the connection. */
    void writeHeld() {
        if (streamed != null) {
            streamed.writeHeld();
        }
    }

    /** A window's flush: the batch's packets, and anything else that waits. */
    void flush() {
        if (streamed != null) {
            streamed.flush();
        } else {
            ctx.flush();
        }
    }

    /** The connection is gone: what the batch holds is released. */
    void discard() {
        if (streamed != null) {
            streamed.discard();
        }
    }
}
