package io.mmsedge.server.net;

import io.mmsedge.server.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops a player that stopped reading (issue #17, finding 4), whatever it plays and whichever
 * front end serves it: first in every player connection's pipeline, it looks at the channel's
 * outbound buffer a few times per timeout (one sweep per event loop, {@link Sweeps}). While data
 * waits there, the kernel's send queue is full (Netty keeps only what the socket refused); when
 * nothing of it left for {@code writeStallTimeout} (the buffer's first message neither changed
 * nor progressed), the player is dropped. Waiting for content (a live source, a paused player) queues nothing, so it
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

    private final Sweeps sweeps;
    private final long timeoutNanos;
    private final ServerMetrics metrics;
    private ChannelHandlerContext ctx;
    /** Cleared when the channel goes: its loop's sweep then forgets it. */
    private boolean watching;
    private long stuckSince = -1;
    private int lastHead;
    private long lastProgress;

    WriteStallWatch(Sweeps sweeps, ServerMetrics metrics) {
        this.sweeps = sweeps;
        this.timeoutNanos = sweeps.timeoutNanos;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        watching = true;
        sweeps.of(ctx.channel().eventLoop()).add(this);
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
        watching = false;
    }

    private void check() {
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

    /**
     * The stall watches of one server, swept once per period by one task per event loop. A timer
     * per player (4,000 players: 4,000 scheduled tasks a second, each taken from and put back
     * into its loop's timer heap, which they also doubled in size) cost more than the checks.
     */
    static final class Sweeps {
        private final long timeoutNanos;
        private final long periodNanos;
        private final Map<EventLoop, Sweep> byLoop = new ConcurrentHashMap<>();

        Sweeps(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
            // A few checks per timeout, so a drop comes at most a quarter late (1 s at most).
            this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100),
                    Math.min(TimeUnit.SECONDS.toNanos(1), timeoutNanos / 4));
        }

        Sweep of(EventLoop loop) {
            return byLoop.computeIfAbsent(loop, l -> new Sweep(l, periodNanos));
        }

        /** Tests: the watches held over all loops and the loops whose sweep timer runs, asked on each loop. */
        int[] watchedAndTimers() throws Exception {
            int[] r = new int[2];
            for (Sweep s : byLoop.values()) {
                int[] one = s.loop.submit(() -> new int[] {s.watches.size(), s.timer == null ? 0 : 1})
                        .get(10, TimeUnit.SECONDS);
                r[0] += one[0];
                r[1] += one[1];
            }
            return r;
        }
    }

    /** One loop's watches. Confined to that loop; runs only while it has some. */
    static final class Sweep implements Runnable {
        private final EventLoop loop;
        private final long periodNanos;
        private final ArrayList<WriteStallWatch> watches = new ArrayList<>();
        private ScheduledFuture<?> timer;

        private Sweep(EventLoop loop, long periodNanos) {
            this.loop = loop;
            this.periodNanos = periodNanos;
        }

        void add(WriteStallWatch w) {
            watches.add(w);
            if (timer == null) {
                timer = loop.scheduleAtFixedRate(this, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void run() {
            int n = watches.size();
            for (int i = 0; i < n; ) {
                WriteStallWatch w = watches.get(i);
                if (!w.watching) {
                    watches.set(i, watches.get(n - 1)); // order does not matter: swap with the last
                    watches.remove(--n);
                    continue;
                }
                try {
                    w.check();
                } catch (RuntimeException e) {
                    // One channel's failure must not stop the watch over the others.
                    log.error("write stall watch: checking {} failed", w.ctx.channel().remoteAddress(), e);
                }
                i++;
            }
            if (watches.isEmpty()) {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
