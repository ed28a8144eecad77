package io.mmsedge.cache.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.Fingerprint;
import io.mmsedge.cache.TestMedia;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.server.media.Media;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CacheService} without sockets: which item a freshness check leads to, when an item is
 * trusted or served stale, hits and misses, prestuffing, and where a player's log goes.
 */
class CacheServiceTest {

    private static final String URL = "mms://origin/av.asf";

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();
    private final Counting metrics = new Counting();
    private CacheService service;

    private CacheService open(CachePolicy policy) throws Exception {
        CacheStore store = CacheStore.open(new CacheSettings(dir, 64L << 20, 1L << 20), metrics);
        service = new CacheService(store, metrics, policy);
        return service;
    }

    private CacheService open() throws Exception {
        return open(new CachePolicy(60_000, true, CachePolicy.DEFAULT_FILL_SPEED));
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    private CacheItem completeItem(CacheService s, boolean protectedContent) {
        CacheItem item = s.itemFor(URL, av.info, av.fingerprint, protectedContent);
        av.writeAll(item);
        return item;
    }

    @Test
    void theStoredItemIsKeptWhileTheOriginServesTheSameContent() throws Exception {
        CacheService s = open();
        CacheItem first = s.itemFor(URL, av.info, av.fingerprint, false);
        assertTrue(first.validatedAtMillis() > 0, "a new item counts as just validated");
        assertSame(first, s.itemFor(URL, av.info, av.fingerprint, false));
        assertEquals(List.of(false), metrics.revalidations);
    }

    @Test
    void changedContentReplacesTheItem() throws Exception {
        CacheService s = open();
        CacheItem first = s.itemFor(URL, av.info, av.fingerprint, false);
        Fingerprint changed = new Fingerprint(av.fingerprint.fileId(), av.fingerprint.fileSize() + 1,
                av.fingerprint.packetCount(), av.fingerprint.headerSha256());
        CacheItem second = s.itemFor(URL, av.info, changed, false);
        assertNotSame(first, second);
        assertFalse(first.valid(), "the old content leaves the cache");
        assertEquals(changed, second.fingerprint());
        CacheItem third = s.itemFor(URL, av.info, changed, true);
        assertNotSame(second, third, "now protected: not the item filled without a challenge");
        assertEquals(List.of(true, true), metrics.revalidations);
        assertSame(third, s.store().lookup(URL));
    }

    @Test
    void onlyACompleteUnprotectedRecentlyValidatedItemIsTrusted() throws Exception {
        CacheService s = open();
        CacheItem item = s.itemFor(URL, av.info, av.fingerprint, false);
        assertFalse(s.trusted(item), "partial");
        av.writeAll(item);
        assertTrue(s.trusted(item));
        item.markValidated(System.currentTimeMillis() - 120_000);
        assertFalse(s.trusted(item), "validated longer ago than the trust window");
        CacheItem protectedItem = completeItem(s, true);
        assertFalse(s.trusted(protectedItem), "protected content is always checked");
    }

    @Test
    void nothingIsTrustedWithoutATrustWindow() throws Exception {
        CacheService s = open(new CachePolicy(0, false, 1));
        assertFalse(s.trusted(completeItem(s, false)));
        assertNull(s.stale(URL), "no stale serving either");
    }

    @Test
    void aCompleteUnprotectedItemIsServedStale() throws Exception {
        CacheService s = open();
        assertNull(s.stale(URL), "nothing cached");
        CacheItem item = s.itemFor(URL, av.info, av.fingerprint, false);
        assertNull(s.stale(URL), "partial");
        av.writeAll(item);
        assertSame(item, s.stale(URL));
        completeItem(s, true);
        assertNull(s.stale(URL), "protected");
    }

    @Test
    void hitsAndMissesAreCountedWhenPlayersOpen() throws Exception {
        CacheService s = open();
        CacheItem item = s.itemFor(URL, av.info, av.fingerprint, false);
        FakeOrigin spare = new FakeOrigin(av, "av.asf");
        s.media(item, "pp", spare, null).close();
        assertEquals(1, metrics.misses.get(), "nothing stored");
        av.write(item, 0);
        s.media(item, "pp", null, null).close();
        assertEquals(1, metrics.hits.get(), "partly stored counts as a hit");
        for (int n = 1; n < av.count(); n++) {
            av.write(item, n);
        }
        FakeOrigin unused = new FakeOrigin(av, "av.asf");
        Media m = s.media(item, "pp", unused, null);
        assertTrue(unused.closed, "a complete item needs no upstream session");
        m.close();
        assertEquals(2, metrics.hits.get());
        assertEquals(0, item.pins());
    }

    @Test
    void prestuffingFillsTheWholeItemOnce() throws Exception {
        CacheService s = open();
        CacheItem item = s.itemFor(URL, av.info, av.fingerprint, false);
        FakeOrigin origin = new FakeOrigin(av, "av.asf");
        assertTrue(s.prestuff(item, origin, null));
        assertEquals(1, s.activeFills(item));
        assertEquals(List.of(new FakeOrigin.Play(0, Double.NaN)), origin.plays);
        FakeOrigin second = new FakeOrigin(av, "av.asf");
        assertFalse(s.prestuff(item, second, null), "a fill runs already");
        assertTrue(second.closed);
        origin.pump();
        assertTrue(item.complete());
        assertEquals(0, s.activeFills(item));
        assertEquals(1, s.fillsStarted(item));
        assertTrue(origin.closed, "the fill ends its session");
        assertEquals(sum(av.packets), metrics.filled.get(), "every packet fetched once");
        FakeOrigin third = new FakeOrigin(av, "av.asf");
        assertFalse(s.prestuff(item, third, null), "complete");
        assertTrue(third.closed);
    }

    private static long sum(List<byte[]> packets) {
        long total = 0;
        for (byte[] p : packets) {
            total += p.length;
        }
        return total;
    }

    @Test
    void aPlayersLogGoesUpOnItsOwnSessionOrOnANewOne() throws Exception {
        CacheService s = open();
        CacheItem item = s.itemFor(URL, av.info, av.fingerprint, false);
        FakeOrigin spare = new FakeOrigin(av, "av.asf");
        List<FakeOrigin> opened = new ArrayList<>();
        Filler filler = () -> {
            FakeOrigin o = new FakeOrigin(av, "av.asf");
            opened.add(o);
            return CompletableFuture.completedFuture(o);
        };
        try (Media m = s.media(item, "pp", spare, filler)) {
            m.clientLog(ClientLog.empty());
            assertEquals(1, spare.logs.size(), "on the player's freshness session");
            assertTrue(opened.isEmpty());
        }
        av.writeAll(item);
        try (Media m = s.media(item, "pp", null, filler)) {
            m.clientLog(ClientLog.empty());
            assertEquals(1, opened.size(), "a short session of its own");
            assertEquals(1, opened.get(0).logs.size());
            assertTrue(opened.get(0).closed);
        }
    }

    @Test
    void closingTheServiceClosesTheStore() throws Exception {
        CacheService s = open();
        CacheItem item = completeItem(s, false);
        s.close();
        assertFalse(item.valid());
        assertNull(s.store().lookup(URL));
        service = null;
    }

    /** Counts what the service reports. */
    private static final class Counting implements CacheMetrics {
        final AtomicInteger hits = new AtomicInteger();
        final AtomicInteger misses = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong filled = new java.util.concurrent.atomic.AtomicLong();
        final List<Boolean> revalidations = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void hit() {
            hits.incrementAndGet();
        }

        @Override
        public void miss() {
            misses.incrementAndGet();
        }

        @Override
        public void revalidated(boolean changed) {
            revalidations.add(changed);
        }

        @Override
        public void bytesFilled(long bytes) {
            filled.addAndGet(bytes);
        }
    }
}
