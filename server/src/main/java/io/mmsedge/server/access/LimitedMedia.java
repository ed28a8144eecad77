package io.mmsedge.server.access;

import io.github.bucket4j.Bucket;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import io.netty.channel.EventLoop;

/**
 * An admitted player's media: everything as the catalog's, except that closing it gives its
 * place and bandwidth back to {@link AccessControl}, and that with a per-player bandwidth limit
 * its packets come through a {@link ThrottledCursor}.
 */
final class LimitedMedia implements Media {

    private final Media media;
    private final Runnable release;
    /** The player's bandwidth bucket, shared by all its plays; null without a per-player limit. */
    private final Bucket bucket;
    private final long playerBps;
    private final EventLoop loop;
    private boolean closed;

    LimitedMedia(Media media, Runnable release, long playerBps, EventLoop loop) {
        this.media = media;
        this.release = release;
        this.bucket = playerBps > 0 && loop != null ? ThrottledCursor.bucketFor(playerBps) : null;
        this.playerBps = playerBps;
        this.loop = loop;
    }

    private PacketCursor limit(PacketCursor cursor) {
        return bucket != null ? new ThrottledCursor(cursor, bucket, playerBps, loop) : cursor;
    }

    @Override
    public PacketCursor play(long startPacket, double rate) {
        return limit(media.play(startPacket, rate));
    }

    @Override
    public PacketCursor play(PlayRequest request) {
        return limit(media.play(request));
    }

    @Override
    public String publishingPoint() {
        return media.publishingPoint();
    }

    @Override
    public Media unwrapped() {
        return media.unwrapped();
    }

    @Override
    public ContentInfo info() {
        return media.info();
    }

    @Override
    public void clientLog(ClientLog log) {
        media.clientLog(log);
    }

    @Override
    public long packetForTime(long ms) {
        return media.packetForTime(ms);
    }

    @Override
    public long packetForByteOffset(long asfOffset) {
        return media.packetForByteOffset(asfOffset);
    }

    @Override
    public boolean nextEntry() {
        return media.nextEntry();
    }

    @Override
    public boolean hasNextEntry() {
        return media.hasNextEntry();
    }

    @Override
    public ContentInfo upcomingEntry(int ahead) {
        return media.upcomingEntry(ahead);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                media.close();
            } finally {
                release.run();
            }
        }
    }
}
