package io.mmsedge.server.access;

import io.github.bucket4j.Bucket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one scope has given out: its players, the bit rate they were admitted with, and each
 * address's new-session bucket. Kept by scope name across policy swaps, so that a reload's new
 * limits count the players admitted before it. Thread-safe: sessions of every event loop use it.
 */
final class ScopeState {

    /** Addresses whose buckets are kept before idle ones are swept (a bucket idle for 1 s is full again). */
    static final int SWEEP_ABOVE = 4096;

    private final AtomicInteger players = new AtomicInteger();
    private final AtomicLong bandwidthBps = new AtomicLong();
    private final ConcurrentHashMap<String, Rate> rates = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

    /** One address's bucket at the rate it was made for (a reload with another rate makes a new one). */
    private static final class Rate {
        final int perSecond;
        final Bucket bucket;
        volatile long lastUsed;

        Rate(int perSecond) {
            this.perSecond = perSecond;
            // Capacity = a second's worth: a player's Describe and Play (MMSH) or a reconnect
            // burst pass, a flood from one address does not.
            this.bucket = Bucket.builder().addLimit(l -> l.capacity(perSecond)
                    .refillGreedy(perSecond, Duration.ofSeconds(1))).build();
        }
    }

    /** Takes a new-session token for {@code address}; false when it has none ({@code perSecond} > 0). */
    boolean takeSession(InetAddress address, int perSecond) {
        if (perSecond <= 0) {
            return true;
        }
        long now = System.nanoTime();
        String key = HexFormat.of().formatHex(Cidr.normalize(address));
        Rate r = rates.compute(key, (k, old) -> old == null || old.perSecond != perSecond ? new Rate(perSecond) : old);
        r.lastUsed = now;
        boolean taken = r.bucket.tryConsume(1);
        sweep(now);
        return taken;
    }

    private void sweep(long now) {
        long last = lastSweep.get();
        if (rates.size() > SWEEP_ABOVE && now - last > TimeUnit.SECONDS.toNanos(1) && lastSweep.compareAndSet(last, now)) {
            rates.values().removeIf(r -> now - r.lastUsed > TimeUnit.SECONDS.toNanos(2));
        }
    }

    /** Counts a player in unless {@code max} (> 0) are playing. */
    boolean reservePlayer(int max) {
        int n = players.incrementAndGet();
        if (max > 0 && n > max) {
            players.decrementAndGet();
            return false;
        }
        return true;
    }

    void releasePlayer() {
        players.decrementAndGet();
    }

    /** Adds {@code bps} to the admitted bit rate unless that takes it over {@code max} (> 0). */
    boolean reserveBandwidth(long bps, long max) {
        long n = bandwidthBps.addAndGet(bps);
        if (max > 0 && n > max) {
            bandwidthBps.addAndGet(-bps);
            return false;
        }
        return true;
    }

    void releaseBandwidth(long bps) {
        bandwidthBps.addAndGet(-bps);
    }

    int players() {
        return players.get();
    }

    long bandwidthBps() {
        return bandwidthBps.get();
    }

    int trackedAddresses() {
        return rates.size();
    }
}
