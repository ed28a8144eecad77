package io.mmsedge.server.play;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.server.broadcast.AsfTimes;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.PacketCursor;

/**
 * A later entry of {@link JoinedEntries}: its packets numbered on from the previous entries'
 * and moved along the time line after them (Send Time and every Presentation Time, in place:
 * the media's cursor gives this session buffers of its own, see Media#upcomingEntry).
 */
final class JoinedCursor implements PacketCursor {

    private final PacketCursor entry;
    private final long shiftMs;
    private final long firstPacket;
    private final int packetSize;

    JoinedCursor(PacketCursor entry, long shiftMs, long firstPacket, int packetSize) {
        this.entry = entry;
        this.shiftMs = shiftMs;
        this.firstPacket = firstPacket;
        this.packetSize = packetSize;
    }

    @Override
    public MediaPacket poll() {
        MediaPacket p = entry.poll();
        if (p == null) {
            return null;
        }
        try {
            AsfPacket parsed = AsfPacket.parse(p.content(), packetSize);
            AsfTimes.shift(p.content(), parsed, shiftMs);
            AsfPacket shifted = AsfPacket.parse(p.content(), packetSize);
            return new MediaPacket(firstPacket + p.number(), p.sendTimeMs() + shiftMs, shifted.payloads(),
                    p.content().retain());
        } catch (AsfFormatException e) {
            throw new MediaReadException("corrupt packet " + p.number() + " of a joined entry: " + e.getMessage(), e);
        } finally {
            p.release();
        }
    }

    @Override
    public boolean finished() {
        return entry.finished();
    }

    @Override
    public void close() {
        entry.close();
    }
}
