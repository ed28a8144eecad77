package io.mmsedge.cache.serve;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.play.StreamSelection;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream data session writing an item's packets into the cache as the origin sends them
 * (write-through: players read what it stored, right behind it). When it reaches packets that
 * are stored already, or the end of the content, it moves its session to the next gap; it ends
 * once the item is complete or another fill covers what is left.
 */
final class Fill implements FillSink {

    private static final Logger log = LoggerFactory.getLogger(Fill.class);
    /**
     * Stored packets a fill reads through rather than re-positioning its session: moving costs a
     * StopPlaying/StartPlaying round trip, re-reading a few packets costs little.
     */
    private static final long SKIP_THROUGH = 16;
    /** Sessions a fill opens anew after losing its origin mid-stream, at most (each may fail over). */
    static final int MAX_RESUMES = 3;

    private final ItemFills owner;
    private final CacheItem item;
    private final CompletableFuture<Long> firstPacket = new CompletableFuture<>();
    /** Next packet expected; -1 while a time-positioned request has delivered nothing yet. */
    private volatile long position;
    private volatile boolean done;
    private FillSource source;
    /**
     * Audio and video streams whose first payload after the current play request's start has
     * not been seen yet. An origin may drop a stream's payloads at the start of a play request
     * until that stream's next key frame (§3.2.5.10; ours does on every StartPlaying), and the
     * loss can't be seen in the packet, so nothing is stored until every stream has passed its
     * sync point — except from packet 0, where every player's own session drops the same.
     */
    private final java.util.Set<Integer> unsynced = new java.util.HashSet<>();
    private boolean storeAll;
    /**
     * The packet this fill's current request is for; stored packets before it are its lead-in
     * (read through, not a reason to move on). -1 for a request by time.
     */
    private volatile long target;
    /** Times this fill resumed on a new session after losing one. */
    private int resumes;
    /** Upstream reads paused: the fill is a window ahead of its slowest player, relaying uncached. */
    private volatile boolean paused;
    /** The last packet was relayed uncached (the disk tier did not store it). */
    private volatile boolean relaying;
    private long relayed;

    Fill(ItemFills owner, long startPacket, long target) {
        this.owner = owner;
        this.item = owner.item();
        this.position = startPacket;
        this.target = target;
    }

    /** A play request starts at {@code packet} (-1: at a time the origin resolves). */
    private synchronized void restartAt(long packet) {
        storeAll = packet == 0;
        unsynced.clear();
        if (!storeAll) {
            for (io.mmsedge.protocol.content.ContentInfo.StreamInfo si : item.info().streams()) {
                if (si.audio() || si.video()) {
                    unsynced.add(si.number());
                }
            }
        }
    }

    /** Follows the sync points in {@code p}; true when the packet may be stored. */
    private synchronized boolean synced(AsfPacket p) {
        if (storeAll || unsynced.isEmpty()) {
            return true;
        }
        for (AsfPayload pl : p.payloads()) {
            if (StreamSelection.isSyncPoint(pl, item.info().isVideo(pl.streamNumber()))) {
                unsynced.remove(pl.streamNumber());
            }
        }
        // This packet itself may have lost payloads before the last stream's sync point.
        return false;
    }

    long position() {
        return position;
    }

    CompletableFuture<Long> firstPacket() {
        return firstPacket;
    }

    /** Starts streaming on {@code s} (called once, when its session is open). */
    void attach(FillSource s, long packet, double positionSeconds) {
        synchronized (this) {
            if (done) {
                s.close();
                return;
            }
            source = s;
        }
        restartAt(Double.isNaN(positionSeconds) ? packet : -1);
        s.play(packet, positionSeconds, this);
    }

    @Override
    public void packet(long locationId, ByteBuf content) {
        if (done) {
            return;
        }
        if (locationId < 0 || locationId >= item.packetCount()) {
            failed(Hresults.E_FAIL, "origin sent LocationId " + locationId + " beyond the " + item.packetCount()
                    + " packets it announced");
            return;
        }
        long sendTime;
        boolean keyFrame;
        boolean storable;
        AsfPacket p;
        try {
            p = AsfPacket.parse(content, item.info().packetSize());
            storable = synced(p);
            sendTime = p.sendTimeMs();
            keyFrame = AsfPayload.startsKeyFrame(p.payloads(), owner.videoStream());
        } catch (AsfFormatException e) {
            failed(Hresults.E_FAIL, "origin sent a malformed ASF packet at LocationId " + locationId + ": "
                    + e.getMessage());
            return;
        }
        firstPacket.complete(locationId);
        if (!storable) {
            position = locationId + 1;
            return;
        }
        switch (item.write(locationId, content, sendTime, keyFrame)) {
            case WRITTEN -> {
                position = locationId + 1;
                relaying = false;
                owner.metrics().bytesFilled(content.readableBytes());
                if (item.complete()) {
                    finish("the item is complete");
                }
            }
            case ALREADY_COVERED -> {
                position = locationId + 1;
                if (locationId >= target && item.coveredUntil(locationId) - locationId > SKIP_THROUGH) {
                    moveOn(locationId);
                }
            }
            case UNSTORED -> relayUncached(locationId, content, p, sendTime, keyFrame);
            case REFUSED -> {
                if (!item.valid()) {
                    finish("the item was replaced or evicted");
                } else {
                    // The disk quota is held by items players are reading: relay, as for a full disk.
                    relayUncached(locationId, content, p, sendTime, keyFrame);
                }
            }
        }
    }

    /**
     * The disk tier did not store the packet: the players behind this fill get it from memory
     * instead (issue #17: a full disk degrades to serving without caching). With no player
     * behind it the fill stops; the item stays partial, and a later fill completes it.
     */
    private void relayUncached(long n, ByteBuf content, AsfPacket p, long sendTime, boolean keyFrame) {
        byte[] copy = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), copy);
        position = n + 1;
        relaying = true;
        if (!owner.relay(this, new UncachedWindow.Packet(n, sendTime, keyFrame, copy, List.copyOf(p.payloads())))) {
            stopUncached("no player is behind it");
            return;
        }
        relayed++;
    }

    /** Stops a fill relaying uncached (nobody needs what it would relay): the item stays partial. */
    void stopUncached(String why) {
        finish("the disk tier does not store its packets and " + why + "; " + relayed
                + " packets relayed uncached, the item stays partial");
    }

    boolean paused() {
        return paused;
    }

    /** Pauses the upstream's reads (TCP holds the origin back) until {@link #resume}. */
    void pause() {
        if (paused) {
            return;
        }
        paused = true;
        FillSource s = source();
        if (s != null) {
            s.setReading(false);
        }
    }

    void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        FillSource s = source();
        if (s != null) {
            s.setReading(true);
        }
    }

    private synchronized FillSource source() {
        return source;
    }

    @Override
    public void ended(int hr, String reason) {
        if (done) {
            return;
        }
        if (Hresults.failed(hr)) {
            failed(hr, reason != null ? reason : "origin ended the fill with hr=" + Hresults.hex(hr));
            return;
        }
        if (relaying) {
            stopUncached("the content ended");
            return;
        }
        // End of the content: fill any gap before where this fill started.
        moveOn(item.packetCount());
    }

    /**
     * The session lost its origin mid-stream: resume on a new session from the next packet
     * expected (issue #13 §2). The {@link Filler} opens it at the route's next origin that is up
     * and refuses content whose fingerprint differs, which ends the fill as a failure. The new
     * request starts a lead-in before that packet, as any move does, so the streams re-sync on
     * packets already stored.
     */
    @Override
    public void lost(String reason) {
        Filler filler = owner.filler();
        long from = position;
        FillSource old;
        synchronized (this) {
            if (done) {
                return;
            }
            if (filler == null || from < 0 || resumes >= MAX_RESUMES) {
                old = null;
            } else {
                resumes++;
                old = source;
                source = null;
            }
        }
        if (old == null) {
            failed(Hresults.NS_E_CANNOTCONNECT, reason + (resumes >= MAX_RESUMES ? " (after " + resumes
                    + " resumes)" : ""));
            return;
        }
        old.close();
        log.warn("cache fill of {} lost its upstream ({}): resuming at packet {} on a new session", item.url(),
                reason, from);
        filler.resume().whenComplete((s, err) -> {
            if (err != null) {
                Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                failed(Hresults.NS_E_CANNOTCONNECT, reason + "; no other session could resume it: "
                        + (c.getMessage() != null ? c.getMessage() : c));
                return;
            }
            synchronized (this) {
                if (done) {
                    s.close();
                    return;
                }
                source = s;
            }
            moveOn(from);
        });
    }

    private void moveOn(long from) {
        long next = owner.nextGapFor(this, from);
        if (next < 0) {
            finish(item.complete() ? "the item is complete" : "other fills cover the rest");
            return;
        }
        long start = owner.leadIn(next);
        log.debug("cache fill of {} moves from packet {} to the gap at {} (starting at {})", item.url(), from, next,
                start);
        position = start;
        target = next;
        FillSource s;
        synchronized (this) {
            s = source;
        }
        if (s != null) {
            restartAt(start);
            resume();
            s.play(start, Double.NaN, this);
        }
    }

    private void finish(String why) {
        if (stopSource()) {
            log.info("cache fill of {} done: {} ({} of {} packets stored)", item.url(), why, item.coveredPackets(),
                    item.packetCount());
            owner.finished(this);
        }
    }

    void failed(int hr, String reason) {
        firstPacket.completeExceptionally(new IllegalStateException(reason));
        if (stopSource()) {
            owner.failed(this, hr, reason);
        }
    }

    /** Stops without completing (shutdown or item gone). */
    void stop() {
        finish("stopped");
    }

    /** Marks the fill done and closes its session; true the first time. */
    private boolean stopSource() {
        FillSource s;
        synchronized (this) {
            if (done) {
                return false;
            }
            done = true;
            s = source;
            source = null;
        }
        firstPacket.completeExceptionally(new IllegalStateException("the fill ended before delivering a packet"));
        if (s != null) {
            s.close();
        }
        return true;
    }
}
