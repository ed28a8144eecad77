package io.mmsedge.cache;

import java.util.BitSet;
import java.util.List;

/**
 * Which packets of an item are stored, with each stored packet's send time and key-frame flag.
 * Guarded by the item's state monitor (its {@link ItemLifecycle}), so that a look at the
 * coverage and at the lifecycle state is one atomic step: a write covers its packet only while
 * the item is in the index, and a read sees a packet only while the files are there. Once the
 * item left the index the coverage no longer changes.
 */
final class ItemCoverage {

    /** What a reader may do with packet {@code n}: see {@link #checkRead}. */
    record Readable(boolean chunkStored, boolean inIndex) {
    }

    private final String url; // for error messages
    private final long packetCount;
    private final ItemLifecycle state;
    // Guarded by state.
    private final RangeSet covered;
    private final long[] sendTimes;
    private final BitSet keyFrames;

    ItemCoverage(String url, long packetCount, ItemLifecycle state, RangeSet covered, long[] sendTimes,
            BitSet keyFrames) {
        this.url = url;
        this.packetCount = packetCount;
        this.state = state;
        this.covered = covered;
        this.sendTimes = sendTimes;
        this.keyFrames = keyFrames;
    }

    boolean has(long n) {
        synchronized (state) {
            return covered.contains(n);
        }
    }

    boolean hasAll(long start, long end) {
        synchronized (state) {
            return covered.containsAll(start, end);
        }
    }

    long coveredUntil(long n) {
        if (n >= packetCount) {
            return packetCount;
        }
        synchronized (state) {
            return Math.min(packetCount, covered.nextMissing(Math.max(0, n)));
        }
    }

    long count() {
        synchronized (state) {
            return covered.count();
        }
    }

    List<long[]> ranges() {
        synchronized (state) {
            return covered.ranges();
        }
    }

    long sendTimeMs(long n) {
        synchronized (state) {
            return covered.contains(n) ? sendTimes[(int) n] : -1;
        }
    }

    boolean keyFrame(long n) {
        synchronized (state) {
            return covered.contains(n) && keyFrames.get((int) n);
        }
    }

    /**
     * Every packet is stored. Out of the index the coverage is frozen and says it: an item
     * evicted after it was complete still reads complete (a fill's status shows it so). A
     * COMPLETE item one of whose packets was {@linkplain #drop dropped} is not complete until a
     * fill stores that packet again.
     */
    boolean complete() {
        synchronized (state) {
            ItemState s = state.state();
            return (s == ItemState.COMPLETE || !s.inIndex()) && covered.count() == packetCount;
        }
    }

    /**
     * Stops covering stored packet {@code n}, whose slot failed its checksum on read, so that a
     * fill stores it again (issue #17): true when it was covered and the item is in the index.
     * Out of the index the coverage stays frozen (false).
     */
    boolean drop(long n) {
        synchronized (state) {
            if (!state.valid() || !covered.contains(n)) {
                return false;
            }
            covered.remove(n, n + 1);
            keyFrames.clear((int) n);
            return true;
        }
    }

    /** Bytes on disk: none once the files are deleted. */
    long diskBytes(int slotSize, int metaSize) {
        synchronized (state) {
            return state.state() == ItemState.DELETED ? 0 : covered.count() * slotSize + metaSize;
        }
    }

    /**
     * Before a read of stored packet {@code n} in chunk {@code [chunkStart, chunkEnd)}.
     *
     * @throws CacheReadException when the files are deleted or the packet is not stored
     */
    Readable checkRead(long n, long chunkStart, long chunkEnd) {
        synchronized (state) {
            ItemState s = state.state();
            if (s == ItemState.DELETED) {
                throw new CacheReadException(url + ": the item is gone (evicted, replaced or discarded)");
            }
            if (!covered.contains(n)) {
                throw new CacheReadException(url + ": packet " + n + " is not stored");
            }
            return new Readable(covered.containsAll(chunkStart, chunkEnd), s.inIndex());
        }
    }

    /** The result of a write of {@code n} that needs no disk write (refused, covered already); null to go on. */
    CacheItem.WriteResult checkWrite(long n) {
        synchronized (state) {
            if (!state.valid()) {
                return CacheItem.WriteResult.REFUSED;
            }
            return covered.contains(n) ? CacheItem.WriteResult.ALREADY_COVERED : null;
        }
    }

    /** What {@link #cover} did. */
    enum Covered {
        /** Not covered: the item left the index during the write. */
        REFUSED,
        COVERED,
        /** Covered, and it was the last missing packet. */
        NOW_COMPLETE
    }

    /** Covers packet {@code n}, whose slot is written, if the item is still in the index. */
    Covered cover(long n, long sendTimeMs, boolean keyFrame) {
        synchronized (state) {
            if (!state.valid()) {
                return Covered.REFUSED;
            }
            covered.add(n);
            sendTimes[(int) n] = sendTimeMs;
            keyFrames.set((int) n, keyFrame);
            return covered.count() == packetCount ? Covered.NOW_COMPLETE : Covered.COVERED;
        }
    }
}
