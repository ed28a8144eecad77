package io.mmsedge.server.net;

import io.mmsedge.server.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops a player that stopped reading (issue #17, finding 4), whatever it plays and whichever
 * front end serves it: first in every player connection's pipeline, it looks at the channel's
 * outbound buffer a few times per timeout. While data waits there, the kernel's send queue is
 * full (Netty keeps only what the socket refused); when nothing of it left for
 * {@code writeStallTimeout} (the buffer's first message neither changed nor progressed), the
 * player is dropped. Waiting for content (a live source, a paused player) queues nothing, so it
 * never counts: only data the player does not take.
 *
 * <p>Every close that leaves data in the outbound buffer (this drop, a split's lag-limit drop,
 * any failure) is an abortive one, SO_LINGER 0: the data would be discarded anyway, and an RST
 * frees the kernel's send queue at once, where a FIN would leave it held (FIN_WAIT1, retrying
 * against a zero window) until the client goes away. A close after the last write completed
 * (an ordinary end) stays a FIN.
 */
final class WriteStallWatch extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(WriteStallWatch.class);

    private final long timeoutNanos;
    private final ServerMetrics metrics;
    private ScheduledFuture<?> check;
    private long stuckSince = -1;
    private int lastHead;
    private long lastProgress;

    WriteStallWatch(Duration timeout, ServerMetrics metrics) {
        this.timeoutNanos = timeout.toNanos();
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(TimeUnit.SECONDS.toNanos(1),
                timeoutNanos / 4));
        check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopChecking();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopChecking();
        super.channelInactive(ctx);
    }

    private void stopChecking() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        ChannelOutboundBuffer buf = ch.unsafe().outboundBuffer();
        if (!ch.isActive() || buf == null || buf.current() == null) {
            stuckSince = -1; // nothing flushed waits: nothing is owed to the player
            return;
        }
        // Bytes leaving the buffer either remove its first message or advance its progress.
        int head = System.identityHashCode(buf.current());
        long progress = buf.currentProgress();
        long now = System.nanoTime();
        if (stuckSince < 0 || head != lastHead || progress != lastProgress) {
            stuckSince = now;
            lastHead = head;
            lastProgress = progress;
        } else if (now - stuckSince >= timeoutNanos) {
            stopChecking();
            log.warn("peer={} dropped: stopped reading, no write progress for {} ms with {} bytes queued",
                    ch.remoteAddress(), TimeUnit.NANOSECONDS.toMillis(now - stuckSince),
                    buf.totalPendingWriteBytes());
            metrics.error("write_stall");
            ch.close(); // from the tail, through close() below: an RST

        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        ChannelOutboundBuffer buf = ctx.channel().unsafe().outboundBuffer();
        if (buf != null && buf.totalPendingWriteBytes() > 0 && ctx.channel().isActive()) {
            try {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                log.debug("peer={} closed with {} bytes unsent: reset", ctx.channel().remoteAddress(),
                        buf.totalPendingWriteBytes());
            } catch (RuntimeException e) {
                log.debug("peer={} SO_LINGER 0 failed: {}", ctx.channel().remoteAddress(), e.toString());
            }
        }
        super.close(ctx, promise);
    }
}
