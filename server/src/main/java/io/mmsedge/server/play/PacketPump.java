package io.mmsedge.server.play;

import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.PacketCursor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends one play request's ASF data packets (§3.2.5.11.1): filtered by the stream selection,
 * paced by send time (ahead by the preroll, after an optional accelerated start), stopping
 * while the socket is not writable so that a slow player only ever delays itself.
 */
final class PacketPump {

    /** How many packets go out between flushes while a backlog is being sent. */
    private static final int FLUSH_EVERY = 16;

    private final PlaySession session;
    private final PlayerChannel channel;
    private final PlayerTransport transport;
    private final ByteBufAllocator alloc;
    private final ContentInfo info;
    private final StreamSelection selection;
    private final PacketCursor cursor;
    private final double rate;
    private long stopAtMs;
    private final long stopAfterMs;
    private final long accelBitRate;
    private final long accelMs;
    private final boolean keyFramesOnly;
    private long startNanos;
    /**
     * A clock reading already taken: a packet due at or before it is due now without reading the
     * clock again. Live and relayed packets are all due at the start (self-paced), so a split
     * reads the clock once per play, not once per packet per player (190,000 reads a second at
     * 4,000 players).
     */
    private long passedNanos = Long.MIN_VALUE;
    private long firstSendTime = -1;
    private long bytesThisRun;
    private long lastNumber = -1;
    private MediaPacket pending;
    private ScheduledFuture<?> timer;
    private boolean stopped;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    /** Packets that arrive already paced go out once per write window (see the cursor listener). */
    private final boolean mergeWrites;
    private boolean startedOnce;
    private boolean windowWakePending;

    /**
     * @param stop where to stop, resolved from the request's frameOffset (§2.2.4.25)
     * @param viaProxy the player is a proxy's upstream session (a VIA token, §2.2.4.17)
     */
    PacketPump(PlaySession session, PlayerChannel channel, PlayerTransport transport, ByteBufAllocator alloc,
               ContentInfo info,
               StreamSelection selection, PacketCursor cursor, double rate, StopPoint stop, long accelBitRate,
               long accelMs, boolean viaProxy, long writeMergeMillis) {
        this.session = session;
        this.channel = channel;
        this.transport = transport;
        this.alloc = alloc;
        this.info = info;
        this.selection = selection;
        this.cursor = cursor;
        this.rate = rate;
        this.stopAtMs = stop.atMs();
        this.stopAfterMs = stop.afterMs();
        this.accelBitRate = accelBitRate;
        this.accelMs = accelMs;
        this.keyFramesOnly = rate != 1.0;
        // Not for a proxy's upstream session: it is one connection carrying the broadcast for all
        // the proxy's players, which merges their writes itself; merging here too would only add
        // a window of lag to every one of them.
        this.mergeWrites = cursor.selfPaced() && writeMergeMillis > 0 && !viaProxy;
        // Called for every packet a live source, a relay or a cache fill publishes. Packets that
        // arrive already paced wait for the end of the write window: the player then gets every
        // packet of the window in one pump and one write (the first goes at once, so a player
        // starts without waiting). Otherwise one queued wakeup at a time per player, however many
        // packets arrive before it runs.
        cursor.onAvailable(() -> {
            if (mergeWrites) {
                if (channel.inEventLoop()) {
                    wakeAtWindowEnd();
                } else if (wakePending.compareAndSet(false, true)) {
                    channel.execute(() -> {
                        wakePending.set(false);
                        wakeAtWindowEnd();
                    });
                }
            } else if (wakePending.compareAndSet(false, true)) {
                channel.execute(() -> {
                    wakePending.set(false);
                    pumpIfIdle();
                });
            }
        });
    }

    /** Where a play request stops: an absolute send time, or a duration from its first packet; -1 = not set. */
    record StopPoint(long atMs, long afterMs) {
        static final StopPoint NONE = new StopPoint(-1, -1);

        /** frameOffset (§2.2.4.25): 0 = to the end; MSB clear = absolute ms; MSB set = ms from the first packet sent. */
        static StopPoint fromFrameOffset(int frameOffset) {
            if (frameOffset == 0) {
                return NONE;
            }
            long ms = frameOffset & 0x7FFFFFFFL;
            return (frameOffset & 0x80000000) != 0 ? new StopPoint(-1, ms) : new StopPoint(ms, -1);
        }
    }

    /** On the session's thread: pump at the end of the current write window (once per window). */
    private void wakeAtWindowEnd() {
        if (!startedOnce) {
            startedOnce = true;
            channel.execute(this::pumpIfIdle); // queued: a listener may run inside this pump
            return;
        }
        if (!windowWakePending) {
            windowWakePending = true;
            channel.atWindowEnd(windowEnd);
        }
    }

    /** Made once: a player asks for a window's end every window. */
    private final Runnable windowEnd = () -> {
        windowWakePending = false;
        pumpIfIdle();
    };

    /** Starts sending after the reply gap. */
    void begin() {
        long gap = session.replyGapNanos();
        startNanos = channel.nanoTime() + gap;
        schedule(gap);
    }

    /** The packet a continued play request starts at (§3.2.5.11: positions are ignored while streaming). */
    long nextPacket() {
        if (pending != null) {
            return pending.number();
        }
        return lastNumber + 1;
    }

    void stop() {
        stopped = true;
        PlaySession.cancel(timer);
        timer = null;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        cursor.close();
    }

    private void schedule(long delayNanos) {
        PlaySession.cancel(timer);
        timer = channel.schedule(this::pump, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void pumpIfIdle() {
        if (timer == null) {
            pump();
        }
    }

    void pump() {
        session.guarded(pumpPackets);
        session.publishCounts();
    }

    /**
     * Made once: a method reference made per pump (per player per window) was not inlined in the
     * split's profile and cost an allocation through the method-handle path each time
     * ({@code DirectMethodHandle.allocateInstance}, 1.9% of the edge's samples).
     */
    private final Runnable pumpPackets = this::pumpPackets;

    private void pumpPackets() {
        if (stopped || session.isClosed()) {
            return;
        }
        timer = null;
        int batch = 0;
        while (!stopped) {
            if (!channel.isWritable()) {
                channel.flush();
                cursor.stalled(); // a live cursor ends a player lagging too far behind
                return; // PlaySession.onWritable() resumes
            }
            if (pending == null) {
                MediaPacket p = cursor.poll();
                if (p == null) {
                    channel.flush();
                    if (cursor.finished()) {
                        session.endOfEntry();
                    }
                    return; // live: onAvailable() resumes
                }
                if (stopAfterMs >= 0 && stopAtMs < 0) {
                    stopAtMs = p.sendTimeMs() + stopAfterMs;
                }
                if (stopAtMs >= 0 && rate > 0 && p.sendTimeMs() > stopAtMs) {
                    p.release();
                    channel.flush();
                    session.endOfEntry();
                    return;
                }
                pending = p;
            }
            long due = dueNanos(pending);
            if (due > passedNanos) {
                long now = channel.nanoTime();
                if (due > now) {
                    channel.flush();
                    schedule(due - now);
                    return;
                }
                passedNanos = now;
            }
            MediaPacket p = pending;
            pending = null;
            send(p);
            if (++batch == FLUSH_EVERY) {
                channel.flush();
                batch = 0;
            }
        }
    }

    private long dueNanos(MediaPacket p) {
        if (firstSendTime < 0) {
            firstSendTime = p.sendTimeMs();
        }
        double speed = session.pacingSpeed();
        if (speed == 0 || cursor.selfPaced()) {
            return startNanos;
        }
        double contentMs = rate > 0 ? p.sendTimeMs() - firstSendTime : firstSendTime - p.sendTimeMs();
        contentMs /= Math.abs(rate);
        long lead = rate == 1.0 ? info.prerollMs() : 0;
        double realTimeMs = Math.max(0, contentMs - lead - accelMs);
        long due = startNanos + (long) (realTimeMs * 1e6 / speed);
        if (accelBitRate > 0 && contentMs < accelMs + lead) {
            // dwAccelBandwidth/dwAccelDuration (§3.2.5.11): the first accelMs of content go at
            // the requested rate instead of real time.
            due = Math.max(due, startNanos + Pacing.paceNanos(bytesThisRun, accelBitRate, speed));
        }
        return due;
    }

    private void send(MediaPacket p) {
        lastNumber = p.number();
        try {
            ByteBuf payload;
            if (selection.keepsAll(p.payloads(), keyFramesOnly)) {
                // The common case: the shared buffer goes out as is, behind this session's header.
                payload = p.content().retainedDuplicate();
            } else {
                ByteBuf filtered = AsfPackets.filter(p.content(), info.packetSize(),
                        pl -> selection.keep(pl, keyFramesOnly), alloc);
                if (filtered == null) {
                    return; // §3.2.5.11.1: a packet with every payload filtered away is not sent
                }
                // filter() keeps the packet length and pads; the padding goes again (§2.2.2).
                try {
                    payload = AsfPackets.stripPadding(filtered, info.packetSize(), alloc);
                } finally {
                    filtered.release();
                }
            }
            int n = payload.readableBytes();
            transport.sendPacket(p.number(), payload);
            bytesThisRun += n;
            session.countSent(n, false);
        } finally {
            p.release();
        }
    }
}
