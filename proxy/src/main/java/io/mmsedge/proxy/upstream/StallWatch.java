package io.mmsedge.proxy.upstream;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Bounds the silence of a stream by the Data packets the protocol <em>accepted</em>: the first
 * one after a play request, then the gap between two. A read timeout cannot do this: a server
 * whose packets are all dropped (another incarnation), or that sends only Pings, keeps bytes
 * arriving while the player gets nothing (issue #13 §1). One check is scheduled at a time and
 * re-scheduled for the remaining time, so a packet costs a clock read, not a timer.
 *
 * <p>Confined to the session's event loop; a generation count makes a check that was already
 * scheduled when the watch stopped a no-op.
 * Public so that the MMSH adapter ({@code upstream.mmsh}) shares it with {@link UpstreamSession}.
 */
public final class StallWatch {

    private final EventLoop loop;
    private final long firstNanos;
    private final long stallNanos;
    /** While false (not STREAMING: stopping, between playlist entries) the watch ends. */
    private final BooleanSupplier streaming;
    /** While false (reads paused for backpressure) the silence is by choice. */
    private final BooleanSupplier reading;
    private final Consumer<String> onStall;
    private ScheduledFuture<?> pending;
    private long generation;
    private long lastNanos;
    private boolean gotData;
    /** The content's time between two packets at its bit rate; a gap of a few of them is normal. */
    private long packetIntervalNanos;

    public StallWatch(EventLoop loop, long firstNanos, long stallNanos, BooleanSupplier streaming, BooleanSupplier reading,
               Consumer<String> onStall) {
        this.loop = loop;
        this.firstNanos = firstNanos;
        this.stallNanos = stallNanos;
        this.streaming = streaming;
        this.reading = reading;
        this.onStall = onStall;
    }

    /**
     * The content's packet size and bit rate (ReportOpenFile). A low-rate stream sends a packet
     * seconds apart (3,200 bytes at 8 kbit/s: 3.2 s), so the limits stretch to three packet
     * intervals when that is longer than the configured timeouts.
     */
    public void content(int packetSize, long bitRate) {
        packetIntervalNanos = bitRate <= 0 || packetSize <= 0 ? 0 : (long) (packetSize * 8e9 / bitRate);
    }

    /** A play request (or a playlist entry) started streaming: its first Data packet is due. */
    public void start() {
        stop();
        gotData = false;
        lastNanos = System.nanoTime();
        schedule(Math.max(firstNanos, 3 * packetIntervalNanos));
    }

    /** A Data packet was accepted. */
    public void packet() {
        lastNanos = System.nanoTime();
        if (!gotData) {
            gotData = true;
            // The check pending is the first-data one; left alone, a stall within the first-data
            // timeout of the start would only be seen when that check fires. From now on the
            // stall limit applies (one timer more per play request, not per packet).
            stop();
            schedule(Math.max(stallNanos, 3 * packetIntervalNanos));
        }
    }

    public void stop() {
        generation++;
        ScheduledFuture<?> t = pending;
        pending = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void schedule(long delayNanos) {
        long g = generation;
        pending = loop.schedule(() -> check(g), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(long g) {
        if (g != generation || !streaming.getAsBoolean()) {
            return;
        }
        long now = System.nanoTime();
        long limit = Math.max(gotData ? stallNanos : firstNanos, 3 * packetIntervalNanos);
        if (!reading.getAsBoolean()) {
            lastNanos = now;
            schedule(limit);
            return;
        }
        long since = now - lastNanos;
        if (since < limit) {
            schedule(limit - since);
        } else {
            onStall.accept(gotData
                    ? "no Data packet for " + TimeUnit.NANOSECONDS.toMillis(since) + " ms while streaming (stall timeout)"
                    : "no Data packet within " + TimeUnit.NANOSECONDS.toMillis(since) + " ms of the play request");
        }
    }
}
