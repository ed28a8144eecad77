package io.mmsedge.cache.serve;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cached item as one player's {@link Media}: header facts from the cache, packets from the
 * cache where stored and from a fill right behind the origin where not. The same server session
 * that plays files plays this (§3.2), with local seeking, stream selection and striding. The
 * item is pinned while the player has it open, so eviction never pulls it from under a session.
 */
final class CachedMedia implements Media {

    private static final Logger log = LoggerFactory.getLogger(CachedMedia.class);

    private final String publishingPoint;
    private final ItemFills fills;
    private final CacheItem item;
    private final CacheItem.Pin pin;
    /** An upstream session already open for this player (its freshness check), for the first fill it needs. */
    private FillSource spare;
    /** Opens upstream sessions as this player (its subscriberName and credentials). */
    private final Filler playersSessions;
    /** One forwarded log at a time per player: a player sending Logging in a loop opens no more sessions. */
    private final AtomicBoolean logInFlight = new AtomicBoolean();
    /**
     * The freshness check running while this player is answered from the cache (null: none, or
     * it passed before the open). No Data packet goes out before it passes; if it fails, the
     * player's cursor fails with it.
     */
    private final CompletableFuture<Void> confirmed;
    private CachedCursor cursor;
    private boolean closed;

    CachedMedia(String publishingPoint, ItemFills fills, FillSource spare, Filler playersSessions) {
        this(publishingPoint, fills, spare, playersSessions, null);
    }

    CachedMedia(String publishingPoint, ItemFills fills, FillSource spare, Filler playersSessions,
                CompletableFuture<Void> confirmed) {
        this.confirmed = confirmed;
        this.publishingPoint = publishingPoint;
        this.fills = fills;
        this.item = fills.item();
        this.pin = item.pin();
        this.spare = spare;
        this.playersSessions = playersSessions;
    }

    @Override
    public String publishingPoint() {
        return publishingPoint;
    }

    @Override
    public ContentInfo info() {
        return item.info();
    }

    @Override
    public PacketCursor play(PlayRequest request) {
        if (request.hasPosition() && request.positionSeconds() > 0) {
            long ms = (long) (request.positionSeconds() * 1000);
            long local = CachedSeek.packetForTime(item, ms, fills.videoStream());
            if (local < 0 && !item.complete()) {
                // Beyond what is stored: the origin picks the packet, and a fill starts there.
                CompletableFuture<Long> first = fills.fillAt(request.positionSeconds(), takeSpare());
                return replaceCursor(new CachedCursor(this, fills, 0, request.rate(), first));
            }
            return play(Math.max(0, local), request.rate());
        }
        return Media.super.play(request);
    }

    @Override
    public PacketCursor play(long startPacket, double rate) {
        return replaceCursor(new CachedCursor(this, fills, startPacket, rate, null));
    }

    private PacketCursor replaceCursor(CachedCursor c) {
        if (cursor != null) {
            cursor.close();
        }
        cursor = c;
        return c;
    }

    @Override
    public long packetForTime(long ms) {
        long p = CachedSeek.packetForTime(item, ms, fills.videoStream());
        return Math.max(0, p);
    }

    @Override
    public long packetForByteOffset(long asfOffset) {
        return CachedSeek.packetForByteOffset(item, asfOffset);
    }

    @Override
    public boolean nextEntry() {
        return false; // server-side playlists are relayed, never cached
    }

    @Override
    public boolean hasNextEntry() {
        return false;
    }

    /** The freshness check the first Data packet waits for, or null. */
    CompletableFuture<Void> confirmed() {
        return confirmed;
    }

    FillSource spare() {
        return spare;
    }

    void spareTaken() {
        spare = null;
    }

    /**
     * The origin's log is how its operator counts plays (§3.2.5.15), and a play the cache served
     * never reached it. The log goes up on this player's freshness session while the player still
     * holds it; otherwise on a short session of its own (Connect … OpenFile, Logging, CloseFile),
     * as the player itself would have sent it.
     */
    @Override
    public void clientLog(io.mmsedge.protocol.mms.ClientLog clientLog) {
        FillSource s = spare;
        if (s != null) {
            s.forwardLog(clientLog);
            return;
        }
        if (!logInFlight.compareAndSet(false, true)) {
            log.info("{}: a player's log was not forwarded to the origin: its previous log is still on the way",
                    item.url());
            return;
        }
        CompletionStage<FillSource> opened;
        try {
            opened = playersSessions.open();
        } catch (RuntimeException e) {
            opened = CompletableFuture.failedFuture(e);
        }
        opened.whenComplete((session, e) -> {
            logInFlight.set(false);
            if (session != null) {
                session.forwardLog(clientLog);
                session.close();
            } else {
                Throwable why = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                log.info("{}: a player's log was not forwarded to the origin: {}", item.url(),
                        why == null ? "no session" : why.getMessage());
            }
        });
    }

    private FillSource takeSpare() {
        FillSource s = spare;
        spare = null;
        return s;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cursor != null) {
            cursor.close();
        }
        FillSource s = takeSpare();
        if (s != null) {
            s.close();
        }
        pin.close();
    }
}
