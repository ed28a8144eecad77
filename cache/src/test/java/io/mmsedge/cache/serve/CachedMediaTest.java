package io.mmsedge.cache.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.TestMedia;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache serving without sockets: {@link CachedMedia} and {@link CachedCursor} over an item filled
 * with a real fixture's packets, as a server session plays them (header facts, packets in order,
 * seeks, striding, the end of the item), and a partial item that a fill completes while a
 * player reads it.
 */
class CachedMediaTest {

    private static final String FIXTURE = "av.asf";
    private static final String URL = "mms://origin/" + FIXTURE;

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.load(FIXTURE);
    private CacheStore store;
    private CacheService service;

    @BeforeEach
    void open() throws Exception {
        // A small memory tier: chunks come both from memory and, evicted, from disk.
        store = CacheStore.open(new CacheSettings(dir, 64L << 20, 256L << 10, 8), CacheMetrics.NONE);
        service = new CacheService(store, CacheMetrics.NONE, new CachePolicy(0, false, CachePolicy.DEFAULT_FILL_SPEED));
    }

    @AfterEach
    void close() {
        service.close();
    }

    private CacheItem complete() {
        CacheItem item = store.create(URL, av.info, av.fingerprint, false);
        av.writeAll(item);
        return item;
    }

    private CacheItem partial(int stored) {
        CacheItem item = store.create(URL, av.info, av.fingerprint, false);
        for (int n = 0; n < stored; n++) {
            av.write(item, n);
        }
        return item;
    }

    /**
     * Polls {@code c} as a session does until it has {@code max} packets or is finished, waiting
     * for its wake-ups (disk reads run on the store's threads).
     */
    static List<MediaPacket> take(PacketCursor c, int max) throws InterruptedException {
        Semaphore woken = new Semaphore(0);
        c.onAvailable(woken::release);
        List<MediaPacket> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (out.size() < max && !c.finished()) {
            MediaPacket p = c.poll();
            if (p != null) {
                out.add(p);
            } else if (System.nanoTime() > deadline) {
                release(out);
                fail("no packet after " + out.size() + ": " + c);
            } else {
                woken.tryAcquire(20, TimeUnit.MILLISECONDS);
            }
        }
        return out;
    }

    static void release(List<MediaPacket> packets) {
        for (MediaPacket p : packets) {
            p.release();
        }
    }

    /** Asserts that {@code p} is the fixture's packet {@code n}: bytes, send time and payloads. */
    private void assertPacket(long n, MediaPacket p) throws Exception {
        assertEquals(n, p.number());
        assertArrayEquals(av.packets.get((int) n), ByteBufUtil.getBytes(p.content()), "packet " + n);
        assertEquals(av.sendTimes[(int) n], p.sendTimeMs(), "send time of " + n);
        ByteBuf b = av.packet((int) n);
        try {
            List<AsfPayload> want = AsfPacket.parse(b, av.packetSize).payloads();
            assertEquals(want.size(), p.payloads().size(), "payloads of " + n);
            for (int i = 0; i < want.size(); i++) {
                // The streams a session selects by, and the key-frame starts it strides by.
                assertEquals(want.get(i).streamNumber(), p.payloads().get(i).streamNumber());
                assertEquals(want.get(i).isKeyFrameStart(), p.payloads().get(i).isKeyFrameStart());
            }
        } finally {
            b.release();
        }
    }

    private List<Long> numbers(List<MediaPacket> packets) {
        List<Long> out = new ArrayList<>();
        for (MediaPacket p : packets) {
            out.add(p.number());
        }
        return out;
    }

    @Test
    void aCompleteItemServesItsHeaderAndEveryPacketInOrder() throws Exception {
        CacheItem item = complete();
        FakeOrigin spare = new FakeOrigin(av, FIXTURE);
        try (Media media = service.media(item, "pp", spare, null)) {
            assertTrue(spare.closed, "a hit holds no upstream session");
            assertEquals("pp", media.publishingPoint());
            assertArrayEquals(av.header, media.info().fileHeader());
            assertEquals(av.count(), media.info().packetCount());
            assertEquals(1, item.pins(), "pinned while the player has it open");
            assertFalse(media.hasNextEntry());
            assertFalse(media.nextEntry());
            try (PacketCursor c = media.play(PlayRequest.fromStart())) {
                List<MediaPacket> packets = take(c, Integer.MAX_VALUE);
                try {
                    assertEquals(av.count(), packets.size());
                    for (int n = 0; n < packets.size(); n++) {
                        assertPacket(n, packets.get(n));
                    }
                } finally {
                    release(packets);
                }
                assertTrue(c.finished());
                assertNull(c.poll(), "nothing after the end of the item");
            }
            assertTrue(spare.plays.isEmpty(), "nothing asked of the origin");
        }
        assertEquals(0, item.pins(), "closing the media unpins the item");
    }

    /**
     * A seek by time starts at the key frame sent last before the time, as the origin's does
     * (AsfFile.packetForTime without an index). One known difference, kept as it is: the origin
     * also requires the key frame to be presented by then (presentation time at or before the
     * time plus the preroll) and otherwise steps back one more key frame; the cache stores a
     * key-frame flag and a send time per packet, not presentation times, so for a time just
     * before a key frame's presentation it starts at that key frame, the origin at the one before.
     */
    @Test
    void aSeekByTimeStartsAtTheKeyFrameTheOriginWouldPick() throws Exception {
        CacheItem item = complete();
        long durationMs = (long) (av.info.durationSeconds() * 1000);
        int same = 0;
        int later = 0;
        try (Media media = service.media(item, "pp", null, null);
                AsfFile file = AsfFile.open(Fixtures.media(FIXTURE))) {
            long preroll = file.header().prerollMs();
            for (long ms = 0; ms <= durationMs + 1000; ms += 250) {
                long origin = file.packetForTime(ms);
                long cached = media.packetForTime(ms);
                if (cached == origin) {
                    same++;
                } else {
                    later++;
                    assertEquals(nextKeyFrame(origin), cached, "the key frame after the origin's, at " + ms + " ms");
                    assertTrue(av.sendTimes[(int) cached] <= ms, "sent by then");
                    assertTrue(keyFramePresentationMs((int) cached) > ms + preroll, "not presented by then");
                }
                PacketCursor c = media.play(new PlayRequest(ms / 1000.0, -1, -1, 0, 1.0));
                List<MediaPacket> first = take(c, 1);
                try {
                    // At 0 a session plays from the first packet, as it plays a file (Media.play).
                    assertEquals(ms == 0 ? 0 : cached, first.get(0).number(), "first packet played from " + ms + " ms");
                    assertTrue(ms == 0 || av.keyFrames[(int) cached], "starts at a key frame: " + cached);
                } finally {
                    release(first);
                }
            }
        }
        assertTrue(same > 3 * later, "mostly the origin's very packet: " + same + " same, " + later + " later");
    }

    private long nextKeyFrame(long after) {
        for (int n = (int) after + 1; n < av.count(); n++) {
            if (av.keyFrames[n]) {
                return n;
            }
        }
        return -1;
    }

    private long keyFramePresentationMs(int n) throws Exception {
        ByteBuf b = av.packet(n);
        try {
            for (AsfPayload p : AsfPacket.parse(b, av.packetSize).payloads()) {
                if (p.isKeyFrameStart() && p.streamNumber() == av.info.firstVideoStream()) {
                    return p.presentationTimeMs();
                }
            }
            return -1;
        } finally {
            b.release();
        }
    }

    @Test
    void aSeekByByteOffsetOrPacketStartsThere() throws Exception {
        CacheItem item = complete();
        try (Media media = service.media(item, "pp", null, null);
                AsfFile file = AsfFile.open(Fixtures.media(FIXTURE))) {
            long first = file.firstPacketOffset();
            for (long n : new long[] {0, 1, 17, av.count() - 1}) {
                long offset = first + n * av.packetSize + 3;
                assertEquals(file.packetForByteOffset(offset), media.packetForByteOffset(offset));
                List<MediaPacket> p = take(media.play(new PlayRequest(Double.NaN, offset, -1, 0, 1.0)), 1);
                assertEquals(List.of(n), numbers(p));
                release(p);
                p = take(media.play(new PlayRequest(Double.NaN, -1, n, 0, 1.0)), 1);
                assertEquals(List.of(n), numbers(p), "by LocationId");
                release(p);
            }
            assertEquals(0, media.packetForByteOffset(10), "inside the header: the first packet");
        }
    }

    @Test
    void theLastPacketEndsThePlay() throws Exception {
        CacheItem item = complete();
        try (Media media = service.media(item, "pp", null, null)) {
            PacketCursor c = media.play(av.count() - 1, 1.0);
            List<MediaPacket> p = take(c, Integer.MAX_VALUE);
            assertEquals(List.of((long) av.count() - 1), numbers(p));
            release(p);
            assertTrue(c.finished());
            c = media.play(av.count() + 50, 1.0);
            p = take(c, Integer.MAX_VALUE);
            assertEquals(List.of((long) av.count() - 1), numbers(p), "a start past the end plays the last packet");
            release(p);
        }
    }

    @Test
    void stridingReturnsOnlyKeyFramesForwardAndBackward() throws Exception {
        CacheItem item = complete();
        List<Long> keys = new ArrayList<>();
        for (int n = 0; n < av.count(); n++) {
            if (av.keyFrames[n]) {
                keys.add((long) n);
            }
        }
        assertTrue(keys.size() > 1, "the fixture has key frames to stride by");
        try (Media media = service.media(item, "pp", null, null)) {
            List<MediaPacket> fast = take(media.play(0, 5.0), Integer.MAX_VALUE);
            assertEquals(keys, numbers(fast));
            release(fast);
            List<MediaPacket> back = take(media.play(av.count() - 1, -5.0), Integer.MAX_VALUE);
            List<Long> backwards = new ArrayList<>(keys);
            java.util.Collections.reverse(backwards);
            assertEquals(backwards, numbers(back));
            release(back);
        }
    }

    @Test
    void aPlayerPastTheStoredPacketsIsServedBehindAFill() throws Exception {
        CacheItem item = partial(30);
        FakeOrigin spare = new FakeOrigin(av, FIXTURE);
        Media media = service.media(item, "pp", spare, null);
        PacketCursor c = media.play(PlayRequest.fromStart());
        List<MediaPacket> stored = take(c, 30);
        assertEquals(30, stored.size());
        release(stored);
        assertNull(c.poll(), "packet 30 is not stored: the cursor waits for a fill");
        assertEquals(1, spare.plays.size(), "the fill runs on the player's own session");
        assertTrue(spare.plays.get(0).packet() <= 30, "from a lead-in before packet 30: " + spare.plays);
        spare.pump(); // the origin streams; the fill stores, the cursor follows
        assertTrue(item.complete());
        assertTrue(spare.closed, "a fill closes its session once the item is complete");
        List<MediaPacket> rest = take(c, Integer.MAX_VALUE);
        try {
            assertEquals(av.count() - 30, rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertPacket(30 + i, rest.get(i));
            }
        } finally {
            release(rest);
        }
        assertTrue(c.finished());
        media.close();
        assertEquals(0, item.pins());
    }

    @Test
    void aSeekBeyondTheStoredPacketsLetsTheOriginPick() throws Exception {
        CacheItem item = partial(30);
        long ms = (long) (av.info.durationSeconds() * 1000) * 3 / 4;
        long origin = FakeOrigin.originPacketForTime(FIXTURE, ms);
        assertTrue(origin > 30, "the fixture's time lies beyond the stored packets: " + origin);
        FakeOrigin spare = new FakeOrigin(av, FIXTURE);
        try (Media media = service.media(item, "pp", spare, null)) {
            PacketCursor c = media.play(new PlayRequest(ms / 1000.0, -1, -1, 0, 1.0));
            assertNull(c.poll(), "waits for the fill the seek started");
            assertEquals(List.of(new FakeOrigin.Play(-1, ms / 1000.0)), spare.plays, "a play by time upstream");
            spare.pump();
            List<MediaPacket> p = take(c, 1);
            try {
                assertEquals(origin, p.get(0).number(), "starts where the origin started the fill");
                assertPacket(origin, p.get(0));
            } finally {
                release(p);
            }
        }
    }

    @Test
    void anItemEvictedUnderAPlayerEndsItsPlayAtTheFirstMissingPacket() throws Exception {
        CacheItem item = partial(20);
        try (Media media = service.media(item, "pp", new FakeOrigin(av, FIXTURE), null)) {
            PacketCursor c = media.play(PlayRequest.fromStart());
            store.invalidate(URL);
            assertFalse(item.valid());
            List<MediaPacket> stored = take(c, 20);
            assertEquals(20, stored.size(), "the pinned item is still read");
            release(stored);
            MediaReadException e = assertThrows(MediaReadException.class, c::poll);
            assertTrue(e.getMessage().contains("replaced or evicted"), e.getMessage());
        }
    }
}
