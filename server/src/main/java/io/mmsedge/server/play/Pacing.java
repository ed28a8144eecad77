package io.mmsedge.server.play;

import java.util.concurrent.TimeUnit;

/** Timing rules shared by the header and packet senders. */
final class Pacing {

    /**
     * Gap between a reply and the Data packets that follow it. MPlayer reads each reply with a
     * single recv() and loses whatever arrives in the same read (docs/players.md).
     */
    static final long REPLY_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Pacing() {
    }

    /**
     * Time to send {@code bytes} at {@code bitRate}, scaled by the configured pacing speed
     * ({@code server.pacingSpeed}; 0 = unpaced).
     */
    static long paceNanos(long bytes, long bitRate, double speed) {
        if (speed == 0 || bitRate <= 0) {
            return 0;
        }
        return (long) (bytes * 8.0 * 1e9 / bitRate / speed);
    }
}
