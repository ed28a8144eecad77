package io.mmsedge.cache;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the disk tier takes writes. A write that fails (the file system is full, read-only or
 * failing) puts the store in a failing state: from then on packets are not stored — fills relay
 * them to their players from memory, uncached, and the items stay partial — and only one write
 * every {@link #RETRY_NANOS} tries the disk again, so a full disk costs one failed write per
 * interval, not one per packet. The first failure is logged once (WARN) and counted
 * ({@link CacheMetrics#diskWriteFailed()}); the first write that succeeds afterwards ends the
 * state (INFO). Thread-safe.
 */
final class DiskHealth {

    private static final Logger LOG = LoggerFactory.getLogger(CacheStore.class);

    /** How long a failing disk tier is left alone before one write tries it again. */
    static final long RETRY_NANOS = 2_000_000_000L;

    private final Path dir;
    private final CacheMetrics metrics;
    private volatile long retryNanos = RETRY_NANOS;
    // Guarded by this.
    private boolean failing;
    private long retryAtNanos;
    private long unstored;

    DiskHealth(Path dir, CacheMetrics metrics) {
        this.dir = dir;
        this.metrics = metrics;
    }

    /** Sets the retry interval (tests: a disk made writable again is tried at once). */
    synchronized void retryAfter(long nanos) {
        retryNanos = nanos;
        retryAtNanos = Math.min(retryAtNanos, System.nanoTime() + nanos);
    }

    /**
     * True when a write may go to the disk now: it is healthy, or the retry interval of a failing
     * disk has passed (then this caller is the one that tries, and the next one waits again).
     */
    synchronized boolean mayWrite() {
        if (!failing) {
            return true;
        }
        long now = System.nanoTime();
        if (now - retryAtNanos < 0) {
            unstored++;
            return false;
        }
        retryAtNanos = now + retryNanos;
        return true;
    }

    /** True while writes fail (packets are relayed uncached). */
    synchronized boolean failing() {
        return failing;
    }

    /** A write failed even after evicting what could be evicted; {@code evicted}: items evicted for it. */
    void failed(String url, long packet, IOException e, int evicted) {
        synchronized (this) {
            unstored++;
            retryAtNanos = System.nanoTime() + retryNanos;
            if (failing) {
                return;
            }
            failing = true;
        }
        metrics.diskWriteFailed();
        LOG.warn("cache: the disk tier in {} cannot store packets ({}; {} of {}{}): serving without caching "
                        + "— players are relayed from the origin and the items stay partial — until a write succeeds "
                        + "again (tried every {} s)", dir, reason(e), packet < 0 ? "creating the files" : "packet "
                        + packet, url,
                evicted > 0 ? "; " + evicted + " items evicted did not make room" : noSpace(e)
                        ? "; nothing could be evicted" : "", retryNanos / 1e9);
    }

    /** A write succeeded: a failing disk tier is back. */
    void succeeded() {
        long skipped;
        synchronized (this) {
            if (!failing) {
                return;
            }
            failing = false;
            skipped = unstored;
            unstored = 0;
        }
        LOG.info("cache: the disk tier in {} takes writes again ({} packets were not stored meanwhile)", dir, skipped);
    }

    /**
     * The file system has no room (ENOSPC, or EDQUOT for a user's disk quota): evicting items
     * frees it. Java reports both only by the OS's message.
     */
    static boolean noSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }

    private static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
