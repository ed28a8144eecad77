package io.mmsedge.cache.serve;

import io.mmsedge.cache.CacheItem;

/**
 * Seeking in stored packets (§2.2.4.25), as the origin would without an index: the last packet
 * sent at or before the time, stepped back to the packet that begins a video key frame. Only
 * answers when the time falls inside one stored range and its key frame is stored too;
 * otherwise the origin is asked (it may know better from its Simple Index).
 */
final class CachedSeek {

    /** How far back a key frame is looked for: as far as the origin looks in its files. */
    private static final int MAX_KEY_FRAME_STEP_BACK = io.mmsedge.protocol.asf.AsfFile.MAX_KEY_FRAME_STEP_BACK;

    private CachedSeek() {
    }

    /**
     * The packet to start at for {@code ms} of content, or -1 when the stored packets can't
     * tell (the time lies in or next to a gap).
     */
    static long packetForTime(CacheItem item, long ms, int videoStream) {
        long count = item.packetCount();
        long target = Math.max(0, ms);
        for (long[] r : item.coverage()) {
            long from = r[0];
            long to = r[1]; // exclusive
            if (from > 0 && item.sendTimeMs(from) > target) {
                return -1; // ranges ascend: the time lies in the gap before this one
            }
            if (to < count && item.sendTimeMs(to - 1) <= target) {
                continue; // the time is at or after this range's end: maybe in the gap after it
            }
            long candidate = lastSentAtOrBefore(item, from, to, target);
            if (videoStream < 0) {
                return candidate;
            }
            long limit = Math.max(from, candidate - MAX_KEY_FRAME_STEP_BACK);
            for (long n = candidate; n >= limit; n--) {
                if (item.keyFrame(n)) {
                    return n;
                }
            }
            if (from == 0) {
                // Before the first key frame: start at the first one, as the origin does.
                for (long n = 0; n < Math.min(to, MAX_KEY_FRAME_STEP_BACK); n++) {
                    if (item.keyFrame(n)) {
                        return n;
                    }
                }
                return candidate;
            }
            return -1; // its key frame is not stored
        }
        return -1;
    }

    private static long lastSentAtOrBefore(CacheItem item, long from, long to, long ms) {
        long lo = from;
        long hi = to - 1;
        long found = from;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            if (item.sendTimeMs(mid) <= ms) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The packet holding byte {@code asfOffset} of the ASF file (asfOffset, §2.2.4.25). */
    static long packetForByteOffset(CacheItem item, long asfOffset) {
        int headerSize = item.info().fileHeaderSize();
        int packetSize = item.info().packetSize();
        if (asfOffset < headerSize || packetSize <= 0) {
            return 0;
        }
        return Math.min(item.packetCount() - 1, (asfOffset - headerSize) / packetSize);
    }
}
