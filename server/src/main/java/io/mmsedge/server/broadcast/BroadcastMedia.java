package io.mmsedge.server.broadcast;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import io.netty.channel.EventLoop;

/**
 * A broadcast as one session sees it. Joining starts at the live point whatever position the
 * player asks for (§3.2.5.11: a broadcast can't seek); the subscription lives until the session
 * closes the media, so {@link #play(long, double)} after a StreamChange (or a StartPlaying while
 * streaming) continues it without losing a packet. Used on the session's event loop only.
 */
public final class BroadcastMedia implements Media {

    private final Broadcast broadcast;
    private final String publishingPoint;
    private final EventLoop loop;
    private ContentInfo current;
    private volatile BroadcastSubscriber subscriber;

    BroadcastMedia(Broadcast broadcast, String publishingPoint, EventLoop loop, ContentInfo header) {
        this.broadcast = broadcast;
        this.publishingPoint = publishingPoint;
        this.loop = loop;
        this.current = header;
    }

    @Override
    public String publishingPoint() {
        return publishingPoint;
    }

    public Broadcast broadcast() {
        return broadcast;
    }

    /** This session's latest subscription, or null before the first play request (for tests and status). */
    public BroadcastSubscriber subscriber() {
        return subscriber;
    }

    @Override
    public ContentInfo info() {
        return current;
    }

    /** Joins (or re-joins after StopPlaying) at the live point: the latest key frame the broadcast holds. */
    @Override
    public PacketCursor play(PlayRequest request) {
        if (subscriber != null) {
            subscriber.close();
        }
        subscriber = new BroadcastSubscriber(broadcast, loop, current);
        broadcast.subscribe(subscriber);
        return subscriber.cursor();
    }

    /** Continues the subscription (the position is meaningless for a broadcast). */
    @Override
    public PacketCursor play(long startPacket, double rate) {
        if (subscriber == null || !subscriber.usable()) {
            return play(PlayRequest.fromStart());
        }
        return subscriber.cursor();
    }

    /** The player's log goes to the broadcast's log sink (a split's origin), if it has one. */
    @Override
    public void clientLog(io.mmsedge.protocol.mms.ClientLog clientLog) {
        broadcast.clientLog(clientLog);
    }

    @Override
    public long packetForTime(long ms) {
        return 0;
    }

    @Override
    public long packetForByteOffset(long asfOffset) {
        return 0;
    }

    @Override
    public boolean hasNextEntry() {
        return subscriber != null && subscriber.headerChangeNext();
    }

    @Override
    public boolean nextEntry() {
        ContentInfo next = subscriber == null ? null : subscriber.takeHeaderChange();
        if (next == null) {
            return false;
        }
        current = next;
        return true;
    }

    @Override
    public void close() {
        if (subscriber != null) {
            subscriber.close(); // kept (closed, holding nothing) for status and tests
        }
    }
}
