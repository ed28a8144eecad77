package io.mmsedge.server.net;

import io.mmsedge.server.play.PlayerChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A player's connection as its play session sees it ({@link PlayerChannel}), on a Netty
 * channel: the channel's event loop and clock, its writability, and its loop's write window.
 * The MMS/TCP and MMSH handlers both build on it.
 */
public abstract class PlayerChannelHandler extends ChannelInboundHandlerAdapter implements PlayerChannel {

    private final WriteWindows windows;
    /** Set when the handler is added; a channel's handler context never changes. */
    protected ChannelHandlerContext ctx;
    private WriteWindows.Window window;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PlayerChannelHandler.class);

    protected PlayerChannelHandler(WriteWindows windows) {
        this.windows = windows;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.window = windows.of(ctx.channel().eventLoop()); // a channel's loop never changes
    }

    /**
     * The context a front end writes its packets from: the write-stall watch's, at the pipeline's
     * head, when there is one. A write starts at the handler before the one it is written from,
     * and what lies between a front end and the head (its codec, done with a packet's buffers;
     * the stall watch, which looks at the outbound buffer, not at writes) has nothing to do with
     * them: two handler hops fewer per buffer, each an outbound context search and a promise
     * check, two buffers per packet per player. Everything runs on the channel's loop, so
     * packets and the front end's other writes keep their order.
     */
    protected final ChannelHandlerContext packetContext() {
        ChannelHandlerContext watch = ctx.pipeline().context(WriteStallWatch.class);
        return watch != null ? watch : ctx;
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return ctx.executor().schedule(task, delay, unit);
    }

    @Override
    public void execute(Runnable task) {
        ctx.executor().execute(task);
    }

    @Override
    public void atWindowEnd(Runnable task) {
        window.atEnd(task);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public InetSocketAddress peer() {
        return (InetSocketAddress) ctx.channel().remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return ctx == null ? null : (InetSocketAddress) ctx.channel().localAddress();
    }

    @Override
    public void handshakeDone() {
        Admission.handshakeDone(ctx.channel());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ShutdownEvent.END_SESSION) {
            endForShutdown();
        } else if (evt instanceof DrainRedirect r) {
            redirectForDrain(r.location());
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    /**
     * The server is going away: ends the session in the way its player stops cleanly. By default
     * the connection closes; a front end with a session sends its end-of-stream first.
     */
    protected void endForShutdown() {
        ctx.close();
    }

    /**
     * A drain sends broadcast players to a sibling: a front end that can redirect a player watching
     * a broadcast does so and closes; by default (and for on-demand content) nothing happens, and
     * the session finishes, or ends at the drain's deadline.
     */
    protected void redirectForDrain(String location) {
    }

    /** Logs a pipeline exception with the peer: resets by players are routine, anything else a warning. */
    protected void logPipelineError(Throwable cause) {
        if (cause instanceof java.io.IOException) {
            LOG.debug("peer={} connection error: {}", peer(), cause.toString());
        } else {
            LOG.warn("peer={} pipeline error: {}; closing", peer(), cause.toString());
        }
    }
}
