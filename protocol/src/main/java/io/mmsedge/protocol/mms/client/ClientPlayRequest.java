package io.mmsedge.protocol.mms.client;

/**
 * One StartPlaying or StartStriding request (§2.2.4.25, §2.2.4.26).
 *
 * @param accelBitRate dwAccelBandwidth, bits/s; -1 = absent
 * @param accelMs      dwAccelDuration, ms; -1 = absent
 */
public record ClientPlayRequest(boolean striding, double position, int asfOffset, int locationId, int frameOffset,
                                double rate, long accelBitRate, long accelMs) {

    /** StartPlaying at {@code position} (or asfOffset / locationId), at the content's own pace. */
    public static ClientPlayRequest play(double position, int asfOffset, int locationId, int frameOffset) {
        return new ClientPlayRequest(false, position, asfOffset, locationId, frameOffset, 1.0, -1, -1);
    }

    /**
     * StartPlaying asking for the first {@code accelMs} at {@code accelBitRate} bits/s (§3.2.5.11);
     * either not positive: a plain {@link #play}. Both are clamped to 32 bits.
     */
    public static ClientPlayRequest accelerated(double position, int asfOffset, int locationId, int frameOffset,
                                                long accelBitRate, long accelMs) {
        if (accelBitRate <= 0 || accelMs <= 0) {
            return play(position, asfOffset, locationId, frameOffset);
        }
        return new ClientPlayRequest(false, position, asfOffset, locationId, frameOffset, 1.0,
                Math.min(accelBitRate, 0xFFFF_FFFFL), Math.min(accelMs, 0xFFFF_FFFFL));
    }

    /** StartStriding at {@code rate} (fast forward / rewind). */
    public static ClientPlayRequest stride(double position, int asfOffset, int locationId, double rate) {
        return new ClientPlayRequest(true, position, asfOffset, locationId, 0, rate, -1, -1);
    }

    /** False for a rate that no server can play (NaN, infinite, zero). */
    public boolean validRate() {
        return Double.isFinite(rate) && rate != 0;
    }
}
