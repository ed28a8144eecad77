package io.mmsedge.server.broadcast;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.PacketCursor;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One player's view of a {@link Broadcast}: a queue of packets (and header changes) bounded in
 * bytes, confined to the player's session event loop.
 *
 * <p>A player that doesn't keep up never delays the broadcast or other players: when its queue
 * would exceed {@link BroadcastSettings#maxQueueBytes()} the queued packets are released and the
 * player skips ahead to the next video key frame (counted in {@link #droppedPackets()}). A player
 * that takes nothing for longer than {@link BroadcastSettings#maxLag()} while packets wait for it
 * (dropped ones included) is disconnected: its cursor throws {@link MediaReadException}, and the
 * session ends with EndOfStream carrying the error.
 */
public final class BroadcastSubscriber {

    /**
     * A packet and when it reached this subscriber's event loop (for the lag). One arrival serves
     * every subscriber of a loop: a loop's delivery makes one per packet, and each subscriber
     * that queues it takes a reference to the packet, not a duplicate; {@link #poll()} makes the
     * player's duplicate as the pump takes it. A queue entry per player per packet is gone, and
     * the duplicate lives for one pump, not for as long as it waits in the queue.
     */
    record Arrival(MediaPacket packet, long atNanos) {
    }

    /** The broadcast moved to the next entry; packets after it belong to that entry. */
    private record HeaderChange(ContentInfo info, int keyStream) {
    }

    private final Broadcast broadcast;
    private final EventLoop loop;
    private final long maxQueueBytes;
    private final long maxLagNanos;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** The header this subscriber's player knows: packets are compared with it on start. */
    private ContentInfo announced;

    private Broadcast.LoopGroup group;
    private boolean begun;
    private boolean closed;
    private boolean ended;
    /** Why the player was dropped; written on the event loop, read by status and tests on others. */
    private volatile String failure;
    private int keyStream = -1;
    private boolean awaitingKeyFrame;
    /** Skipping ahead after an overflow: packets passed over count as drops. */
    private boolean skipping;
    /** Queued time of the oldest packet the player hasn't taken (dropped ones included), or -1. */
    private long behindSince = -1;
    private Cursor attached;
    private Runnable listener;

    private volatile long queuedBytes;
    private volatile long peakQueuedBytes;
    private volatile long droppedPackets;
    private volatile long deliveredPackets;

    BroadcastSubscriber(Broadcast broadcast, EventLoop loop, ContentInfo announced) {
        this.broadcast = broadcast;
        this.loop = loop;
        this.announced = announced;
        this.maxQueueBytes = broadcast.settings().maxQueueBytes();
        this.maxLagNanos = broadcast.settings().maxLag().toNanos();
    }

    EventLoop loop() {
        return loop;
    }

    /** Payload bytes queued now. */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** The most payload bytes ever queued at once. */
    public long peakQueuedBytes() {
        return peakQueuedBytes;
    }

    /** Packets this player skipped to catch up with the live point. */
    public long droppedPackets() {
        return droppedPackets;
    }

    /** Packets handed to this player's session. */
    public long deliveredPackets() {
        return deliveredPackets;
    }

    /** Why the player was disconnected, or null. */
    public String failure() {
        return failure;
    }

    boolean usable() {
        return !closed && failure == null && !ended;
    }

    // ------------------------------------------------------------------ from the broadcast (on loop)

    /**
     * Starts after registration: {@code history} (owned) begins at a key frame of {@code ks}, or is
     * empty. Returns false if the subscriber already left (the history is released).
     */
    boolean begin(Broadcast.LoopGroup g, ContentInfo header, int ks, List<MediaPacket> history) {
        if (closed) {
            history.forEach(MediaPacket::release);
            return false;
        }
        group = g;
        begun = true;
        g.add(this);
        if (header != announced) {
            // The broadcast moved on between OpenFile and now: the player gets a StreamChange first.
            queue.addLast(new HeaderChange(header, ks));
        }
        keyStream = ks;
        awaitingKeyFrame = ks >= 0;
        long now = System.nanoTime();
        for (MediaPacket p : history) {
            offer(new Arrival(p, now));
            p.release();
        }
        notifyListener();
        return true;
    }

    /**
     * One packet for this player. The caller keeps its reference: the subscriber takes one of its
     * own if it queues the packet. A loop's delivery reads the clock once for all its players
     * (the arrival's time), not once per player per packet.
     */
    void offer(Arrival a) {
        if (closed || failure != null || ended) {
            return;
        }
        long now = a.atNanos();
        if (attached != null && lagging(now)) {
            fail(now);
            return;
        }
        MediaPacket p = a.packet();
        if (awaitingKeyFrame) {
            if (keyStream >= 0 && !p.startsKeyFrame(keyStream)) {
                if (skipping) {
                    dropped(1);
                }
                return;
            }
            awaitingKeyFrame = false;
            skipping = false;
        }
        int size = p.content().readableBytes();
        if (queuedBytes + size > maxQueueBytes) {
            dropped(dropQueuedPackets());
            if (keyStream >= 0 && !p.startsKeyFrame(keyStream)) {
                awaitingKeyFrame = true;
                skipping = true;
                dropped(1);
                return;
            }
        }
        boolean wasEmpty = queue.isEmpty();
        queue.addLast(a);
        p.retain();
        queuedBytes += size;
        if (queuedBytes > peakQueuedBytes) {
            peakQueuedBytes = queuedBytes;
        }
        if (behindSince < 0) {
            behindSince = now;
        }
        if (wasEmpty) {
            notifyListener();
        }
    }

    void headerChanged(ContentInfo header, int ks) {
        if (closed || failure != null || ended) {
            return;
        }
        boolean wasEmpty = queue.isEmpty();
        queue.addLast(new HeaderChange(header, ks));
        // The new entry's packets start at its beginning; the player's selection restarts too.
        keyStream = ks;
        if (!skipping) {
            awaitingKeyFrame = false;
        }
        if (wasEmpty) {
            notifyListener();
        }
    }

    /** The broadcast ended: the player gets what is queued, then EndOfStream. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        leaveGroup();
        notifyListener();
    }

    // ------------------------------------------------------------------ for the session (on loop)

    /** A cursor reading this subscriber; the previous cursor, if any, stops being notified. */
    PacketCursor cursor() {
        Cursor c = new Cursor();
        attached = c;
        listener = null;
        behindSince = oldestQueuedAt();
        return c;
    }

    /** True when the next thing queued is the next entry's header. */
    boolean headerChangeNext() {
        return failure == null && queue.peekFirst() instanceof HeaderChange;
    }

    /** Takes the next entry's header (after {@link #headerChangeNext()}). */
    ContentInfo takeHeaderChange() {
        if (!headerChangeNext()) {
            return null;
        }
        HeaderChange hc = (HeaderChange) queue.pollFirst();
        announced = hc.info();
        behindSince = oldestQueuedAt();
        return hc.info();
    }

    /** The player is gone: everything queued is released. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        attached = null;
        listener = null;
        releaseQueue();
        leaveGroup();
        broadcast.unsubscribed();
    }

    private MediaPacket poll() {
        if (failure != null) {
            throw new MediaReadException(Hresults.E_FAIL, failure);
        }
        Object head = queue.peekFirst();
        if (head instanceof Arrival q) {
            queue.pollFirst();
            queuedBytes -= q.packet().content().readableBytes();
            deliveredPackets++;
            behindSince = oldestQueuedAt();
            // The player's own duplicate (own indexes), made as it is taken rather than as it is
            // queued: it carries the reference offer() took, and lives only until the write.
            MediaPacket shared = q.packet();
            return shared.replace(shared.content().duplicate());
        }
        if (head == null) {
            behindSince = -1; // caught up with the live point
        }
        return null;
    }

    private boolean finished() {
        if (failure != null) {
            return false; // poll() reports it
        }
        Object head = queue.peekFirst();
        return head instanceof HeaderChange || (ended && head == null);
    }

    private void stalled() {
        if (failure == null && lagging(System.nanoTime())) {
            fail(System.nanoTime());
        }
        if (failure != null) {
            throw new MediaReadException(Hresults.E_FAIL, failure);
        }
    }

    // ------------------------------------------------------------------ internals

    private boolean lagging(long now) {
        return behindSince >= 0 && now - behindSince > maxLagNanos;
    }

    private void fail(long now) {
        failure = "player lags " + TimeUnit.NANOSECONDS.toMillis(now - behindSince) + " ms behind the live point of "
                + broadcast.name() + " (limit " + broadcast.settings().maxLag().toMillis() + " ms, "
                + droppedPackets + " packets skipped): disconnecting it";
        broadcast.metrics().broadcastLagDisconnect(broadcast.name());
        releaseQueue();
        leaveGroup();
        notifyListener();
    }

    private long oldestQueuedAt() {
        for (Object o : queue) {
            if (o instanceof Arrival q) {
                return q.atNanos();
            }
        }
        return -1;
    }

    /** Releases queued packets, keeping header changes; returns how many were released. */
    private long dropQueuedPackets() {
        long n = 0;
        for (Iterator<Object> it = queue.iterator(); it.hasNext(); ) {
            if (it.next() instanceof Arrival q) {
                q.packet().release();
                it.remove();
                n++;
            }
        }
        queuedBytes = 0;
        return n;
    }

    private void releaseQueue() {
        dropQueuedPackets();
        queue.clear();
    }

    private void dropped(long n) {
        if (n > 0) {
            droppedPackets += n;
            broadcast.metrics().broadcastDropped(broadcast.name(), n);
        }
    }

    private void leaveGroup() {
        if (group != null) {
            group.remove(this);
            group = null;
        }
    }

    private void notifyListener() {
        Runnable l = listener;
        if (l != null) {
            l.run();
        }
    }

    /** The session's cursor: self-paced (packets go out as they arrive). */
    private final class Cursor implements PacketCursor {

        private boolean current() {
            return attached == this && !closed;
        }

        @Override
        public MediaPacket poll() {
            return current() ? BroadcastSubscriber.this.poll() : null;
        }

        @Override
        public boolean finished() {
            return !current() || BroadcastSubscriber.this.finished();
        }

        @Override
        public boolean selfPaced() {
            return true;
        }

        @Override
        public void onAvailable(Runnable l) {
            if (current()) {
                listener = l;
            }
        }

        @Override
        public void stalled() {
            if (current()) {
                BroadcastSubscriber.this.stalled();
            }
        }

        @Override
        public void close() {
            // The subscription outlives its cursor: play(next, rate) after a StreamChange or a
            // StartPlaying while streaming continues it. Until then packets queue (bounded).
            if (attached == this) {
                attached = null;
                listener = null;
            }
        }
    }
}
