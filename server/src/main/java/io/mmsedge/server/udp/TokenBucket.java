package io.mmsedge.server.udp;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;

/**
 * A token bucket on a caller's clock: {@code rate} tokens a second up to {@code capacity}.
 * Spending may take it below zero (a datagram is charged after it is built); it then refuses
 * until refilled. Not thread-safe: one per session, used on the session's thread.
 *
 * <p>A Bucket4j local bucket (issue #15: a well-kept rate-limiting library rather than
 * hand-written buckets), unsynchronized, with greedy refill, read on the session's clock
 * ({@code PlayerChannel.nanoTime()}, or a test's) through a {@link TimeMeter}. Bucket4j counts
 * whole tokens and refills at most one a nanosecond, so this one counts up to a thousandth of the
 * caller's tokens, as fine as that limit allows for its rate: a resend bucket of a few packets a
 * second keeps three decimals, a byte budget of megabytes a second counts bytes; rates above 10^9
 * a second are capped there (no player gets near). Debt is Bucket4j's
 * {@code consumeIgnoringRateLimits}. Measured on the per-datagram path (charge, then available)
 * against the hand-written bucket it replaced: see {@code TokenBucketBenchmark}.
 */
final class TokenBucket {

    /** Bucket4j tokens per caller token at most (slow buckets: fractional rates and sizes). */
    private static final long MAX_SCALE = 1000;
    /** Bucket4j's highest refill rate, per second: one token a nanosecond. */
    private static final double MAX_RATE = 1e9;

    /** The caller's clock, as of the current call: Bucket4j reads it through {@link #clock}. */
    private long now;
    private final TimeMeter clock = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return now;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };
    private LocalBucket bucket;
    private double capacity;
    /** Bucket4j tokens per caller token, for the current rate. */
    private long scale = MAX_SCALE;

    TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        this.now = nowNanos;
        fill(ratePerSecond, capacity);
    }

    /** New limits, and a full bucket (less any debt). */
    void fill(double ratePerSecond, double newCapacity) {
        double debt = bucket == null ? 0 : Math.min(0, bucket.getAvailableTokens()) / (double) scale;
        double rate = Math.min(Math.max(ratePerSecond, 1e-9), MAX_RATE);
        capacity = Math.max(newCapacity, 1);
        scale = MAX_SCALE;
        while (scale > 1 && rate * scale > MAX_RATE / 10) {
            scale /= 10;
        }
        long scaledCapacity = (long) Math.ceil(capacity * scale);
        long perSecond = Math.max(1, Math.round(rate * scale));
        bucket = Bucket.builder()
                .addLimit(limit -> limit.capacity(scaledCapacity).refillGreedy(perSecond, Duration.ofSeconds(1)))
                .withCustomTimePrecision(clock)
                .withSynchronizationStrategy(SynchronizationStrategy.NONE)
                .build();
        if (debt < 0) {
            bucket.consumeIgnoringRateLimits(scaled(-debt));
        }
    }

    double available(long nowNanos) {
        now = nowNanos;
        return bucket.getAvailableTokens() / (double) scale;
    }

    /** Takes {@code n} tokens if there are that many; false (and nothing taken) otherwise. */
    boolean tryTake(double n, long nowNanos) {
        now = nowNanos;
        return bucket.tryConsume(scaled(n));
    }

    /** Takes {@code n} tokens, going into debt if need be. */
    void charge(double n, long nowNanos) {
        now = nowNanos;
        bucket.consumeIgnoringRateLimits(scaled(n));
    }

    /** Nanoseconds until at least {@code n} tokens are in hand (0 if they are). */
    long nanosUntil(double n, long nowNanos) {
        now = nowNanos;
        return bucket.estimateAbilityToConsume(scaled(Math.min(n, capacity))).getNanosToWaitForRefill();
    }

    private long scaled(double n) {
        return Math.max(1, Math.round(n * scale));
    }
}
