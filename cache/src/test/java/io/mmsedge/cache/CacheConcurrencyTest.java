package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheConcurrencyTest {

    private static final String URL = "mms://origin/av.asf";

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();

    /**
     * Two fills write overlapping ranges of one item (one forwards over the first two thirds,
     * one backwards over the last two thirds) while a session reads whatever is covered.
     */
    @RepeatedTest(5)
    void twoWritersAndAReader() throws Exception {
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, 64L << 20, 200_000, 8), CacheMetrics.NONE)) {
            CacheItem item = store.create(URL, av.info, av.fingerprint, false);
            int count = av.count();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger written = new AtomicInteger();
            AtomicInteger alreadyCovered = new AtomicInteger();
            AtomicInteger notified = new AtomicInteger();
            AtomicInteger reads = new AtomicInteger();
            item.addListener(notified::incrementAndGet);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writersDone = new AtomicBoolean();

            Runnable forwards = () -> {
                for (int n = 0; n < count * 2 / 3; n++) {
                    record(av.write(item, n), written, alreadyCovered, failures);
                }
            };
            Runnable backwards = () -> {
                for (int n = count - 1; n >= count / 3; n--) {
                    record(av.write(item, n), written, alreadyCovered, failures);
                }
            };
            Runnable reader = () -> {
                long n = 0;
                while (true) {
                    if (item.has(n)) {
                        assertArrayEquals(av.packets.get((int) n), TestMedia.read(item, n), "packet " + n);
                        assertEquals(av.sendTimes[(int) n], item.sendTimeMs(n));
                        reads.incrementAndGet();
                    }
                    n = (n + 1) % count;
                    if (writersDone.get() && item.complete() && reads.get() >= count) {
                        return;
                    }
                }
            };
            List<Thread> threads = List.of(thread("fill-a", start, forwards, failures),
                    thread("fill-b", start, backwards, failures), thread("session", start, reader, failures));
            threads.forEach(Thread::start);
            start.countDown();
            threads.get(0).join(TimeUnit.MINUTES.toMillis(2));
            threads.get(1).join(TimeUnit.MINUTES.toMillis(2));
            writersDone.set(true);
            threads.get(2).join(TimeUnit.MINUTES.toMillis(2));
            for (Thread t : threads) {
                assertFalse(t.isAlive(), t.getName() + " finished");
            }
            assertTrue(failures.isEmpty(), "failures: " + failures);
            assertEquals(count, written.get(), "each packet written exactly once");
            int overlap = count * 2 / 3 - count / 3;
            assertEquals(overlap, alreadyCovered.get(), "the overlap was found covered by the other fill");
            assertEquals(count, notified.get(), "one notification per newly covered packet");
            assertTrue(item.complete());
            assertEquals(1, item.coverage().size());
            av.assertAll(item);
            assertTrue(store.memoryBytes() <= 200_000);
        }
    }

    private static void record(CacheItem.WriteResult r, AtomicInteger written, AtomicInteger covered,
            Queue<Throwable> failures) {
        switch (r) {
            case WRITTEN -> written.incrementAndGet();
            case ALREADY_COVERED -> covered.incrementAndGet();
            default -> failures.add(new AssertionError("unexpected " + r));
        }
    }

    private static Thread thread(String name, CountDownLatch start, Runnable body, Queue<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                start.await();
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** Items of several URLs filled in parallel under a tight quota: accounting stays exact. */
    @Test
    @SuppressWarnings("try") // the pin is held for the block
    void parallelFillsUnderATightQuota() throws Exception {
        long slot = SlotFormat.slotSize(av.packetSize);
        long quota = slot * av.count() * 2;
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, quota, 100_000, 8), CacheMetrics.NONE)) {
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] fills = new Thread[4];
            for (int t = 0; t < fills.length; t++) {
                int id = t;
                fills[t] = thread("fill-" + t, start, () -> {
                    for (int round = 0; round < 3; round++) {
                        CacheItem item = store.create("mms://origin/" + id + "/" + round, av.info, av.fingerprint, false);
                        if (item == null) {
                            continue;
                        }
                        try (CacheItem.Pin pin = item.pin()) {
                            for (int n = 0; n < av.count(); n++) {
                                if (av.write(item, n) == CacheItem.WriteResult.WRITTEN) {
                                    assertArrayEquals(av.packets.get(n), TestMedia.read(item, n));
                                }
                                long used = store.diskBytes();
                                if (used > quota) {
                                    throw new AssertionError("disk bytes " + used + " > quota " + quota);
                                }
                            }
                        }
                    }
                }, failures);
                fills[t].start();
            }
            start.countDown();
            for (Thread t : fills) {
                t.join(TimeUnit.MINUTES.toMillis(2));
                assertFalse(t.isAlive());
            }
            assertTrue(failures.isEmpty(), "failures: " + failures);
            long sum = 0;
            for (CacheItem i : store.items()) {
                sum += i.diskBytes();
            }
            assertEquals(sum, store.diskBytes(), "nothing pinned any more: the index is all that is charged");
            assertTrue(store.diskBytes() <= quota);
        }
    }
}
