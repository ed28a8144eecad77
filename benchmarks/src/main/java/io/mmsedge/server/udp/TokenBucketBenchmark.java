package io.mmsedge.server.udp;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The rate limit's cost on a UDP player's per-datagram path (issue #15: a well-kept rate-limiting
 * library rather than hand-written token buckets): what {@code UdpPlayer} does for every datagram,
 * charge its size to the byte budget ({@code queue}) and ask whether there is budget left
 * ({@code isWritable}), for a 600 kbit/s player on a clock that moves 8 ms a datagram, with {@link TokenBucket} (Bucket4j
 * local bucket) and, the baseline in the same run, the hand-written bucket it replaced.
 *
 * <p>In {@code io.mmsedge.server.udp} to reach the package-private {@link TokenBucket}.
 * Run: {@code bench/jmh.sh TokenBucketBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketBenchmark {

    /** A Data datagram of a 1,200-byte ASF packet and its 8-byte header. */
    private static final int DATAGRAM = 1208;
    /** A datagram every 8 ms: 151 kB/s, the budget's rate, so it swings between credit and debt. */
    private static final long STEP_NANOS = 8_000_000;
    /** A 600 kbit/s player's budget: twice its content's rate, five seconds of burst (UdpSettings.defaults()). */
    private static final double RATE = 2 * 75_000.0;
    private static final double CAPACITY = 5 * 75_000.0;

    private TokenBucket bucket4j;
    private HandWritten handWritten;
    private long now;

    @Setup
    public void setUp() {
        bucket4j = new TokenBucket(RATE, CAPACITY, 0);
        handWritten = new HandWritten(RATE, CAPACITY, 0);
    }

    @Benchmark
    public boolean bucket4j() {
        now += STEP_NANOS;
        bucket4j.charge(DATAGRAM, now);
        return bucket4j.available(now) > 0;
    }

    @Benchmark
    public boolean handWritten() {
        now += STEP_NANOS;
        handWritten.charge(DATAGRAM, now);
        return handWritten.available(now) > 0;
    }

    /** The hand-written bucket TokenBucket was before Bucket4j (its two per-datagram calls). */
    static final class HandWritten {
        private final double rate;
        private final double capacity;
        private double tokens;
        private long lastNanos;

        HandWritten(double rate, double capacity, long nowNanos) {
            this.rate = rate;
            this.capacity = capacity;
            this.tokens = capacity;
            this.lastNanos = nowNanos;
        }

        double available(long nowNanos) {
            refill(nowNanos);
            return tokens;
        }

        void charge(double n, long nowNanos) {
            refill(nowNanos);
            tokens -= n;
        }

        private void refill(long nowNanos) {
            long dt = nowNanos - lastNanos;
            if (dt > 0) {
                tokens = Math.min(capacity, tokens + dt / 1e9 * rate);
                lastNanos = nowNanos;
            }
        }
    }
}
