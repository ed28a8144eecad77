package io.mmsedge.server.media;

import io.mmsedge.protocol.content.ContentInfo;

/**
 * Content opened for one session: one entry, or a server-side playlist of entries
 * (§3.2.4.1–3.2.4.2). Used on the session's event loop only.
 */
public interface Media extends AutoCloseable {

    /** Name for logs and metrics: the publishing point. */
    String publishingPoint();

    /** The current entry. */
    ContentInfo info();

    /**
     * Starts reading the current entry from a packet.
     *
     * @param startPacket first ASF data packet number (LocationId) to send
     * @param rate        1 for normal play; striding rates −5..5 (§2.2.4.26) send key frames only
     */
    PacketCursor play(long startPacket, double rate);

    /**
     * Starts reading the current entry where a play request says (§2.2.4.25): the position
     * unless unset, else asfOffset, else locationId, else the start. Broadcasts start at the
     * live point. Proxied media override this to pass the request upstream.
     */
    default PacketCursor play(PlayRequest request) {
        ContentInfo info = info();
        long start = 0;
        if (!info.broadcast()) {
            if (request.hasPosition()) {
                start = request.positionSeconds() <= 0 ? 0 : packetForTime((long) (request.positionSeconds() * 1000));
            } else if (request.asfOffset() >= 0) {
                start = packetForByteOffset(request.asfOffset());
            } else if (request.locationId() >= 0) {
                start = Math.min(request.locationId(), Math.max(0, info.packetCount() - 1));
            }
        }
        return play(start, request.rate());
    }

    /** The player's Logging message (§2.2.4.20); proxied media forward it upstream. */
    default void clientLog(io.mmsedge.protocol.mms.ClientLog log) {
    }

    /** Finds the packet to start at for a time in ms from the start of the content (§2.2.4.25). */
    long packetForTime(long ms);

    /** Finds the packet holding a byte offset of the ASF file (asfOffset, §2.2.4.25). */
    long packetForByteOffset(long asfOffset);

    /** Moves to the next playlist entry; false when this was the last. */
    boolean nextEntry();

    /** True if another entry follows the current one. */
    boolean hasNextEntry();

    /**
     * The entry {@code ahead} (1 = the next) entries after the current one, read without moving
     * to it; null when there is none or this media can't tell. A play session joins compatible
     * entries into one stream with it (server/play JoinedEntries), shifting the later entries'
     * packets in place: only media whose cursors give each session buffers of its own offer it.
     */
    default ContentInfo upcomingEntry(int ahead) {
        return null;
    }

    @Override
    void close();

    /**
     * The media this one wraps (an access limit's throttle), or itself: what a front end asks for
     * what only the underlying source has, such as a broadcast's shared UDP resend window.
     */
    default Media unwrapped() {
        return this;
    }
}
