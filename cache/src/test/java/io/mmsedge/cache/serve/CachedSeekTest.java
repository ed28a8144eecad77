package io.mmsedge.cache.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.TestMedia;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CachedSeek} over an item with gaps: it answers only where the stored packets can tell. */
class CachedSeekTest {

    @TempDir
    Path dir;

    private final TestMedia av = TestMedia.av();

    /** The last packet sent at or before {@code ms} in the whole fixture. */
    private long lastSentAtOrBefore(long ms) {
        long found = 0;
        for (int n = 0; n < av.count(); n++) {
            if (av.sendTimes[n] <= ms) {
                found = n;
            }
        }
        return found;
    }

    private long keyFrameAtOrBefore(long n) {
        for (long k = n; k >= 0; k--) {
            if (av.keyFrames[(int) k]) {
                return k;
            }
        }
        return -1;
    }

    @Test
    void answersInsideStoredRangesAndNotInGaps() throws Exception {
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, 64L << 20, 0), CacheMetrics.NONE)) {
            CacheItem item = store.create("mms://origin/av.asf", av.info, av.fingerprint, false);
            int gapStart = 40;
            int gapEnd = 70;
            for (int n = 0; n < av.count(); n++) {
                if (n < gapStart || n >= gapEnd) {
                    av.write(item, n);
                }
            }
            int video = av.info.firstVideoStream();
            assertTrue(video > 0);
            int checked = 0;
            for (long ms = 0; ms < av.sendTimes[av.count() - 1]; ms += 100) {
                long candidate = lastSentAtOrBefore(ms);
                long key = keyFrameAtOrBefore(candidate);
                long got = CachedSeek.packetForTime(item, ms, video);
                boolean beforeGap = av.sendTimes[gapStart - 1] > ms;
                boolean afterGap = av.sendTimes[gapEnd] <= ms;
                if (beforeGap) {
                    assertEquals(key >= 0 ? key : firstKeyFrameBefore(gapStart, candidate), got,
                            "before the gap, at " + ms + " ms");
                } else if (!afterGap) {
                    assertEquals(-1, got, "in (or at the edge of) the gap, at " + ms + " ms: the origin is asked");
                } else {
                    assertEquals(key >= gapEnd ? key : -1, got, "after the gap, at " + ms + " ms: its key frame "
                            + (key >= gapEnd ? "is stored" : "is in the gap"));
                }
                assertEquals(beforeGap || afterGap ? candidate : -1, CachedSeek.packetForTime(item, ms, -1),
                        "audio only: the last packet sent by then, at " + ms + " ms");
                checked++;
            }
            assertTrue(checked > 50);
        }
    }

    /** Before the first key frame the seek starts at the first one (if stored), as the origin does. */
    private long firstKeyFrameBefore(int end, long otherwise) {
        for (int n = 0; n < end; n++) {
            if (av.keyFrames[n]) {
                return n;
            }
        }
        return otherwise;
    }

    @Test
    void aByteOffsetMapsToItsPacket() throws Exception {
        try (CacheStore store = CacheStore.open(new CacheSettings(dir, 64L << 20, 0), CacheMetrics.NONE)) {
            CacheItem item = store.create("mms://origin/av.asf", av.info, av.fingerprint, false);
            int header = av.info.fileHeaderSize();
            assertEquals(0, CachedSeek.packetForByteOffset(item, 0), "inside the header");
            assertEquals(0, CachedSeek.packetForByteOffset(item, header));
            assertEquals(3, CachedSeek.packetForByteOffset(item, header + 3L * av.packetSize + 7));
            assertEquals(av.count() - 1, CachedSeek.packetForByteOffset(item, header + 10_000L * av.packetSize),
                    "past the end: the last packet");
        }
    }
}
