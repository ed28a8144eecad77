package io.mmsedge.server.media;

/**
 * Where and how to play, as StartPlaying/StartStriding said it (§2.2.4.25, §2.2.4.26).
 * File media resolve it to a packet; proxied media pass it upstream unchanged.
 *
 * @param positionSeconds start time in seconds, or NaN when unset (DBL_MAX on the wire)
 * @param asfOffset       byte offset into the ASF file, or -1 when unset
 * @param locationId      ASF data packet number, or -1 when unset
 * @param frameOffset     stop point exactly as on the wire (0 = to the end)
 * @param rate            1 for StartPlaying, the striding rate otherwise
 */
public record PlayRequest(double positionSeconds, long asfOffset, long locationId, int frameOffset, double rate) {

    public static PlayRequest fromStart() {
        return new PlayRequest(0, -1, -1, 0, 1.0);
    }

    /** Wire values (DBL_MAX, 0/0xFFFFFFFF = unset) to a request. */
    public static PlayRequest fromWire(double position, int asfOffset, int locationId, int frameOffset, double rate) {
        double pos = Double.isFinite(position) && position < Double.MAX_VALUE ? Math.max(0, position) : Double.NaN;
        long off = asfOffset == 0 || asfOffset == -1 ? -1 : Integer.toUnsignedLong(asfOffset);
        long loc = locationId == 0 || locationId == -1 ? -1 : Integer.toUnsignedLong(locationId);
        return new PlayRequest(pos, off, loc, frameOffset, rate);
    }

    public boolean hasPosition() {
        return !Double.isNaN(positionSeconds);
    }
}
