package io.mmsedge.server.access;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.PacketCursor;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A player's packets at no more than its bandwidth limit. It sits where the play session's pump
 * reads packets, so the pump's pacing, write windows and writability all still apply: a packet
 * the bucket can't pay for yet is held back whole (never cut or dropped here), {@link #poll}
 * answers "none yet", and the cursor wakes the pump (through the listener every cursor has) once
 * the bucket has refilled enough. A live player held back this way falls behind like any slow
 * player, and its broadcast's queue and lag limits apply to it.
 *
 * <p>Used on the session's event loop only, like every cursor.
 */
final class ThrottledCursor implements PacketCursor {

    /** The smallest burst: a whole data packet always fits (MMS packets stay below 64 KiB). */
    static final long MIN_BURST_BYTES = 64 * 1024;

    private final PacketCursor cursor;
    private final Bucket bucket;
    private final long capacity;
    private final EventLoop loop;
    private Runnable listener = () -> { };
    private MediaPacket held;
    private ScheduledFuture<?> wake;
    private boolean closed;

    /**
     * @param bucket a player's bucket ({@link #bucketFor}), shared by the cursors of its plays and
     *               seeks so that a player can't buy a fresh burst by seeking
     */
    ThrottledCursor(PacketCursor cursor, Bucket bucket, long bitsPerSecond, EventLoop loop) {
        this.cursor = cursor;
        this.loop = loop;
        this.bucket = bucket;
        this.capacity = burstBytes(bitsPerSecond);
    }

    /**
     * A player's bucket at {@code bitsPerSecond}: half a second of bursts (at least a packet) keeps
     * the rate close to the limit over any second, while letting a packet through as soon as it is
     * paid for.
     */
    static Bucket bucketFor(long bitsPerSecond) {
        long bytesPerSecond = Math.max(1, bitsPerSecond / 8);
        long capacity = burstBytes(bitsPerSecond);
        return Bucket.builder().withNanosecondPrecision().addLimit(l -> l.capacity(capacity)
                .refillGreedy(bytesPerSecond, Duration.ofSeconds(1)).initialTokens(capacity)).build();
    }

    private static long burstBytes(long bitsPerSecond) {
        return Math.max(MIN_BURST_BYTES, bitsPerSecond / 16);
    }

    @Override
    public MediaPacket poll() {
        if (closed) {
            return null;
        }
        if (held == null) {
            held = cursor.poll();
            if (held == null) {
                return null;
            }
        }
        if (wake != null) {
            return null; // still waiting for the refill
        }
        long cost = Math.min(capacity, held.content().readableBytes());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(cost);
        if (probe.isConsumed()) {
            MediaPacket p = held;
            held = null;
            return p;
        }
        wake = loop.schedule(() -> {
            wake = null;
            if (!closed) {
                listener.run();
            }
        }, Math.max(1, probe.getNanosToWaitForRefill()), TimeUnit.NANOSECONDS);
        return null;
    }

    @Override
    public boolean finished() {
        return held == null && cursor.finished();
    }

    @Override
    public boolean selfPaced() {
        return cursor.selfPaced();
    }

    @Override
    public void onAvailable(Runnable listener) {
        this.listener = listener;
        cursor.onAvailable(listener);
    }

    @Override
    public void stalled() {
        cursor.stalled();
    }

    @Override
    public void close() {
        closed = true;
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
        if (held != null) {
            held.release();
            held = null;
        }
        cursor.close();
    }
}
