package io.mmsedge.server.broadcast;

import java.time.Duration;

/**
 * Bounds of a broadcast's fan-out.
 *
 * @param maxQueueBytes   per subscriber: payload bytes queued for a player that hasn't taken them
 *                        yet. Above it the subscriber drops its queue and skips ahead to the next
 *                        video key frame (the drops are counted).
 * @param maxLag          a subscriber whose player hasn't taken a packet that has been waiting this
 *                        long (dropped packets included) is disconnected
 * @param maxHistoryBytes the recent history kept for joining players: packets since the latest
 *                        video key frame, up to this many bytes (a longer GOP keeps none, and a
 *                        joining player waits for the next key frame)
 */
public record BroadcastSettings(long maxQueueBytes, Duration maxLag, long maxHistoryBytes) {

    public BroadcastSettings {
        if (maxQueueBytes < 1 || maxHistoryBytes < 0 || maxLag.toMillis() <= 0) {
            throw new IllegalArgumentException("maxQueueBytes and maxLag must be positive, maxHistoryBytes >= 0");
        }
    }

    /** 1 MiB per player (about 40 s of a 200 kb/s stream), 10 s lag, 2 MiB history. */
    public static BroadcastSettings defaults() {
        return new BroadcastSettings(1 << 20, Duration.ofSeconds(10), 2 << 20);
    }

    public BroadcastSettings withMaxQueueBytes(long bytes) {
        return new BroadcastSettings(bytes, maxLag, maxHistoryBytes);
    }

    public BroadcastSettings withMaxLag(Duration lag) {
        return new BroadcastSettings(maxQueueBytes, lag, maxHistoryBytes);
    }
}
