package io.mmsedge.server.media;

/**
 * Reads an on-demand entry from a start packet. At rate 1 every packet is returned in order.
 * At striding rates (§2.2.4.26) only packets that start a video key frame are returned (all
 * packets for audio-only content), forwards for positive rates, backwards for negative ones.
 */
final class FileCursor implements PacketCursor {

    private final AsfFileEntry entry;
    private final boolean keyFramesOnly;
    private final int step;
    private final int videoStream;
    private long next;

    FileCursor(AsfFileEntry entry, long startPacket, double rate) {
        this.entry = entry;
        this.step = rate < 0 ? -1 : 1;
        this.videoStream = entry.info().firstVideoStream();
        this.keyFramesOnly = rate != 1.0 && videoStream > 0;
        long count = entry.packetCount();
        this.next = Math.max(0, Math.min(startPacket, count - 1));
        if (count == 0) {
            this.next = -1;
        }
    }

    @Override
    public MediaPacket poll() {
        while (!finished()) {
            MediaPacket p = entry.read(next);
            next += step;
            if (!keyFramesOnly || p.startsKeyFrame(videoStream)) {
                return p;
            }
            p.release();
        }
        return null;
    }

    @Override
    public boolean finished() {
        return next < 0 || next >= entry.packetCount();
    }

    @Override
    public void close() {
        next = -1;
    }
}
