package io.mmsedge.cache;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's own threads, so that an event loop serving many players never waits for a disk:
 * one I/O thread for fsyncs and metadata renames, in order, and two read threads for reads of
 * chunks not in the memory tier.
 */
final class CacheThreads {

    private static final Logger LOG = LoggerFactory.getLogger(CacheStore.class);

    /**
     * Where the fsyncs go: writes reach the page cache on the caller's thread (an event loop),
     * making them durable can take as long as the disk likes, so it happens here, in order.
     */
    private final ExecutorService io = Executors.newSingleThreadExecutor(daemons("mms-edge-cache-io", false));

    /**
     * Reads that would go to the disk (a chunk not in the memory tier) run here, so an event loop
     * serving many players never waits for a disk (see {@link CacheItem#prefetch}). Two threads:
     * the machines this runs on have few cores, and one slow read must not hold up every other.
     * The queue holds at most one read per reading player, plus its read-ahead.
     */
    private final ExecutorService reads = Executors.newFixedThreadPool(2, daemons("mms-edge-cache-read-", true));

    private static ThreadFactory daemons(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs {@code task} on the I/O thread; dropped once the store is closing (close saves every item itself). */
    void inBackground(Runnable task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException closing) {
            LOG.debug("cache: store closing, background task dropped");
        }
    }

    /** Waits until every task queued on the I/O thread so far has run. */
    void awaitBackgroundIo() throws InterruptedException {
        try {
            io.submit(() -> { }).get();
        } catch (RejectedExecutionException closing) {
            // closed: close itself waited for the queue
        } catch (ExecutionException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    /** Runs a disk read on the read threads; false once the store is closing. */
    boolean readInBackground(Runnable task) {
        try {
            reads.execute(task);
            return true;
        } catch (RejectedExecutionException closing) {
            return false;
        }
    }

    /** Takes no more tasks; waits (up to 30 s) for the queued fsyncs. */
    void shutdown() {
        reads.shutdown(); // what is queued still runs, and fails once the files are closed
        io.shutdown(); // what is queued still runs; items are saved by the store in any case
        try {
            if (!io.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("cache: the disk did not finish its queued fsyncs within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
