package io.mmsedge.server.udp;

/**
 * A token bucket on a caller's clock: {@code rate} tokens a second up to {@code capacity}.
 * Spending may take it below zero (a datagram is charged after it is built); it then refuses
 * until refilled. Not thread-safe: one per session, used on the session's thread.
 *
 * <p>Our own rather than Bucket4j: a session needs two small buckets touched on one thread, with
 * debt allowed and the time until refill known for a timer; thirty lines need no dependency.
 */
final class TokenBucket {

    private double rate;
    private double capacity;
    private double tokens;
    private long lastNanos;

    TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        this.lastNanos = nowNanos;
        fill(ratePerSecond, capacity);
    }

    /** New limits, and a full bucket (less any debt). */
    void fill(double ratePerSecond, double newCapacity) {
        this.rate = Math.max(ratePerSecond, 1e-9);
        this.capacity = Math.max(newCapacity, 1);
        this.tokens = Math.min(tokens, 0) + capacity;
    }

    double available(long nowNanos) {
        refill(nowNanos);
        return tokens;
    }

    /** Takes {@code n} tokens if there are that many; false (and nothing taken) otherwise. */
    boolean tryTake(double n, long nowNanos) {
        refill(nowNanos);
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /** Takes {@code n} tokens, going into debt if need be. */
    void charge(double n, long nowNanos) {
        refill(nowNanos);
        tokens -= n;
    }

    /** Nanoseconds until at least {@code n} tokens are in hand (0 if they are). */
    long nanosUntil(double n, long nowNanos) {
        refill(nowNanos);
        double missing = Math.min(n, capacity) - tokens;
        return missing <= 0 ? 0 : (long) Math.ceil(missing / rate * 1e9);
    }

    private void refill(long nowNanos) {
        long dt = nowNanos - lastNanos;
        if (dt > 0) {
            tokens = Math.min(capacity, tokens + dt / 1e9 * rate);
            lastNanos = nowNanos;
        }
    }
}
