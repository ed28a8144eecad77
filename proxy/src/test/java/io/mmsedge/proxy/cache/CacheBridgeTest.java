package io.mmsedge.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.serve.CachePolicy;
import io.mmsedge.cache.serve.CacheService;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.origin.OriginOpener;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.route.OriginUrl;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When an open is served from the cache, without an upstream session: which opens describe
 * cacheable content, a trusted copy, a stale copy while the origin is unreachable. No sockets:
 * the origin's answers are built from a fixture file, the cache lives in a temporary folder.
 */
class CacheBridgeTest {

    private static final Hop FIRST = Hop.direct(OriginUrl.parse("mms://10.0.0.1"), "av.asf");
    private static final OpenRequest REQUEST = new OpenRequest("av.asf", null, null, null, null);
    private static final int SEEKABLE = ContentInfo.ATTR_CANSEEK;

    private static byte[] header;
    private static int packetSize;
    private static long packetCount;

    @TempDir
    Path dir;
    private final AtomicInteger staleServed = new AtomicInteger();
    private CacheStore store;
    private CacheService service;
    private OriginOpener opener;

    @BeforeAll
    static void readFixture() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            header = f.header().fileHeader();
            packetSize = f.packetSize();
            packetCount = f.packetCount();
        }
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        if (opener != null) {
            opener.close();
        }
    }

    private CacheBridge bridge(long trustMillis, boolean serveStale) throws Exception {
        CacheMetrics metrics = new CacheMetrics() {
            @Override
            public void servedStale() {
                staleServed.incrementAndGet();
            }
        };
        store = CacheStore.open(new CacheSettings(dir, 64L << 20, 4L << 20, CacheSettings.DEFAULT_CHUNK_PACKETS),
                metrics);
        service = new CacheService(store, metrics, new CachePolicy(trustMillis, serveStale, 1));
        opener = new OriginOpener(null, ProxyMetrics.NONE,
                (r, g) -> CompletableFuture.failedFuture(new AssertionError("no upstream open expected")));
        return new CacheBridge(service, opener, ProxyMetrics.NONE, new AtomicInteger());
    }

    /** What an origin's open reports for the fixture, with {@code attributes} (§2.2.4.19 ReportOpenFile). */
    private static UpstreamOpenResult.Opened opened(int attributes, long packets) {
        return new UpstreamOpenResult.Opened(null, new ReportOpenFile(Hresults.S_OK, 1, 1, 0, 0, attributes, 30.0, 30,
                packetSize, packets, 182_000, header.length), header);
    }

    /** The fixture's item, every packet stored. */
    private CacheItem completeItem(CacheBridge bridge) {
        CacheItem item = bridge.itemFor(CacheBridge.key(FIRST), opened(SEEKABLE, packetCount), false);
        for (long n = 0; n < packetCount; n++) {
            ByteBuf b = Unpooled.wrappedBuffer(new byte[] {(byte) n});
            try {
                item.write(n, b, n * 100, n == 0);
            } finally {
                b.release();
            }
        }
        assertTrue(item.complete());
        return item;
    }

    @Test
    void onlySeekableSingleOnDemandEntriesWithAPacketCountAreCacheable() {
        assertTrue(CacheBridge.cacheable(opened(SEEKABLE, packetCount)));
        assertFalse(CacheBridge.cacheable(opened(SEEKABLE | ContentInfo.ATTR_BROADCAST, packetCount)),
                "broadcasts are split");
        assertFalse(CacheBridge.cacheable(opened(SEEKABLE | ContentInfo.ATTR_PLAYLIST, packetCount)),
                "playlists are relayed");
        assertFalse(CacheBridge.cacheable(opened(0, packetCount)), "not seekable");
        assertFalse(CacheBridge.cacheable(opened(SEEKABLE, 0)), "no packet count");
        UpstreamOpenResult.Opened badHeader = new UpstreamOpenResult.Opened(null, opened(SEEKABLE, 10).openFile(),
                new byte[] {1, 2, 3});
        assertFalse(CacheBridge.cacheable(badHeader), "the relay reports a bad header");
    }

    @Test
    void theCacheKeyIsTheFirstCandidatesUrl() {
        assertEquals("mms://10.0.0.1:1755/av.asf", CacheBridge.key(FIRST));
    }

    @Test
    void theSameContentFindsTheSameItem() throws Exception {
        CacheBridge bridge = bridge(0, false);
        CacheItem item = bridge.itemFor(CacheBridge.key(FIRST), opened(SEEKABLE, packetCount), false);
        assertNotNull(item);
        assertSame(item, bridge.itemFor(CacheBridge.key(FIRST), opened(SEEKABLE, packetCount), false));
        assertNull(bridge.itemFor(CacheBridge.key(FIRST), opened(SEEKABLE | ContentInfo.ATTR_BROADCAST, packetCount),
                false));
    }

    @Test
    void aCompleteCopyConfirmedWithinTheTrustWindowIsServedWithoutAskingTheOrigin() throws Exception {
        CacheBridge bridge = bridge(60_000, false);
        assertNull(bridge.trusted(REQUEST, java.util.List.of(FIRST), null), "nothing stored");
        completeItem(bridge);
        OpenResult r = bridge.trusted(REQUEST, java.util.List.of(FIRST), null);
        OpenResult.Opened o = assertInstanceOf(OpenResult.Opened.class, r);
        assertEquals("upstream:10.0.0.1:1755", o.media().publishingPoint());
        assertEquals(packetCount, o.media().info().packetCount());
    }

    @Test
    void withoutATrustWindowEveryOpenAsksTheOrigin() throws Exception {
        CacheBridge bridge = bridge(0, true);
        completeItem(bridge);
        assertNull(bridge.trusted(REQUEST, java.util.List.of(FIRST), null));
    }

    @Test
    void aProtectedCopyIsNeverTrusted() throws Exception {
        CacheBridge bridge = bridge(60_000, true);
        CacheItem item = bridge.itemFor(CacheBridge.key(FIRST), opened(SEEKABLE, packetCount), true);
        assertTrue(item.protectedContent());
        assertNull(bridge.trusted(REQUEST, java.util.List.of(FIRST), null));
    }

    @Test
    void aCompleteCopyIsServedStaleWhenNoOriginAnswers() throws Exception {
        CacheBridge bridge = bridge(0, true);
        OpenResult.Failed down = new OpenResult.Failed(Hresults.NS_E_NOCONNECTION, "origin 10.0.0.1:1755: refused");
        assertNull(bridge.stale(REQUEST, FIRST, down), "nothing stored");
        completeItem(bridge);
        assertInstanceOf(OpenResult.Opened.class, bridge.stale(REQUEST, FIRST, down));
        assertEquals(1, staleServed.get());
    }

    @Test
    void staleCopiesAreServedOnlyWhenThePolicySaysSo() throws Exception {
        CacheBridge bridge = bridge(60_000, false);
        completeItem(bridge);
        assertNull(bridge.stale(REQUEST, FIRST, new OpenResult.Failed(Hresults.NS_E_NOCONNECTION, "down")));
        assertEquals(0, staleServed.get());
    }

    @Test
    void aPartialCopyIsNotServedStale() throws Exception {
        CacheBridge bridge = bridge(0, true);
        bridge.itemFor(CacheBridge.key(FIRST), opened(SEEKABLE, packetCount), false);
        assertNull(bridge.stale(REQUEST, FIRST, new OpenResult.Failed(Hresults.NS_E_NOCONNECTION, "down")));
    }
}
