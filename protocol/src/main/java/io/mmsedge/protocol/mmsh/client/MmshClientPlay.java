package io.mmsedge.protocol.mmsh.client;

import java.util.List;

/**
 * The position and pace of one Play request ([MS-WMSP] §2.2.2.6).
 *
 * @param streamTimeMs    stream-time (§2.2.1.4.29): where to start, ms; used when no other position is set
 * @param packetNum       packet-num (§2.2.1.4.15): the first data packet, or -1
 * @param streamOffset    stream-offset (§2.2.1.4.28): a byte offset into the data packets, or -1
 * @param rate            rate (§2.2.1.4.19): 1 = real time; other values stride
 * @param accelBandwidth  AccelBW (§2.2.1.4.1), bits/s, or 0: send the first {@code accelDurationMs} faster
 * @param accelDurationMs AccelDuration (§2.2.1.4.2), ms
 * @param streams         the stream numbers to receive (stream-switch-entry, §2.2.1.4.27), all at thinning 0
 */
public record MmshClientPlay(long streamTimeMs, long packetNum, long streamOffset, double rate, long accelBandwidth,
                             long accelDurationMs, List<Integer> streams) {

    /** stream-switch-entry is bounded by what servers accept on one Pragma line. */
    public static final int MAX_STREAMS = 127;

    public MmshClientPlay {
        streams = List.copyOf(streams);
        if (streams.size() > MAX_STREAMS) {
            throw new IllegalArgumentException(streams.size() + " streams (max " + MAX_STREAMS + ")");
        }
        for (int s : streams) {
            if (s < 1 || s > 127) {
                throw new IllegalArgumentException("stream number " + s + " outside 1..127");
            }
        }
        if (!Double.isFinite(rate) || rate == 0) {
            throw new IllegalArgumentException("rate must be finite and non-zero: " + rate);
        }
    }

    /** Real time from {@code ms}. */
    public static MmshClientPlay fromTime(long ms, List<Integer> streams) {
        return new MmshClientPlay(Math.max(0, ms), -1, -1, 1.0, 0, 0, streams);
    }
}
