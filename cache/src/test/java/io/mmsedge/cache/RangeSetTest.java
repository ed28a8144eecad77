package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeSetTest {

    private static String ranges(RangeSet s) {
        StringBuilder b = new StringBuilder();
        for (long[] r : s.ranges()) {
            b.append('[').append(r[0]).append(',').append(r[1]).append(')');
        }
        return b.toString();
    }

    @Test
    void emptySet() {
        RangeSet s = new RangeSet();
        assertTrue(s.isEmpty());
        assertEquals(0, s.count());
        assertFalse(s.contains(0));
        assertEquals(5, s.nextMissing(5));
        assertTrue(s.containsAll(3, 3), "an empty range is always contained");
        assertFalse(s.containsAll(3, 4));
        assertEquals("", ranges(s));
    }

    @Test
    void singlesMergeWhenAdjacent() {
        RangeSet s = new RangeSet();
        assertTrue(s.add(3));
        assertTrue(s.add(5));
        assertEquals("[3,4)[5,6)", ranges(s));
        assertTrue(s.add(4), "4 joins [3,4) and [5,6)");
        assertEquals("[3,6)", ranges(s));
        assertFalse(s.add(4), "already there");
        assertTrue(s.add(2));
        assertTrue(s.add(6));
        assertEquals("[2,7)", ranges(s));
        assertEquals(5, s.count());
        assertEquals(1, s.rangeCount());
    }

    @Test
    void rangeSwallowsSeveralAndTouchesBothEnds() {
        RangeSet s = new RangeSet();
        s.add(0, 2);
        s.add(4, 6);
        s.add(8, 10);
        s.add(12, 14);
        s.add(2, 12); // touches [0,2) at 2 and [12,14) at 12, swallows the middle two
        assertEquals("[0,14)", ranges(s));
        assertEquals(14, s.count());
    }

    @Test
    void overlappingAddsCountOnce() {
        RangeSet s = new RangeSet();
        s.add(10, 20);
        s.add(15, 25);
        s.add(5, 12);
        s.add(11, 13); // inside
        assertEquals("[5,25)", ranges(s));
        assertEquals(20, s.count());
        s.add(30, 30); // empty: no-op
        assertEquals(1, s.rangeCount());
    }

    @Test
    void nonTouchingRangesStaySeparate() {
        RangeSet s = new RangeSet();
        s.add(0, 5);
        s.add(6, 8);
        assertEquals("[0,5)[6,8)", ranges(s));
        assertEquals(5, s.nextMissing(0));
        assertEquals(5, s.nextMissing(5));
        assertEquals(8, s.nextMissing(6));
        assertEquals(8, s.nextMissing(8));
        assertEquals(100, s.nextMissing(100));
        assertTrue(s.containsAll(0, 5));
        assertFalse(s.containsAll(0, 6));
        assertFalse(s.containsAll(4, 7), "spans the gap");
        assertTrue(s.containsAll(6, 8));
        assertFalse(s.contains(5));
        assertTrue(s.contains(7));
        assertFalse(s.contains(8));
    }

    @Test
    void removeSplitsARange() {
        RangeSet s = new RangeSet();
        s.add(0, 10);
        s.remove(3, 5);
        assertEquals("[0,3)[5,10)", ranges(s));
        assertEquals(8, s.count());
        s.remove(0, 1); // the start of a range
        assertEquals("[1,3)[5,10)", ranges(s));
        s.remove(9, 10); // the end of a range
        assertEquals("[1,3)[5,9)", ranges(s));
        s.remove(2, 6); // across a gap, cutting both neighbours
        assertEquals("[1,2)[6,9)", ranges(s));
        assertEquals(4, s.count());
        s.remove(0, 100);
        assertTrue(s.isEmpty());
        assertEquals(0, s.count());
    }

    @Test
    void removeOfMissingValuesChangesNothing() {
        RangeSet s = new RangeSet();
        s.add(5, 10);
        s.remove(0, 5);
        s.remove(10, 20);
        s.remove(7, 7);
        assertEquals("[5,10)", ranges(s));
        assertEquals(5, s.count());
    }

    @Test
    void removeInsideThenAddBackMerges() {
        RangeSet s = new RangeSet();
        s.add(0, 100);
        s.remove(40, 41);
        assertEquals(2, s.rangeCount());
        assertEquals(40, s.nextMissing(0));
        s.add(40);
        assertEquals("[0,100)", ranges(s));
    }

    @Test
    void rejectsInvalidRanges() {
        RangeSet s = new RangeSet();
        assertThrows(IllegalArgumentException.class, () -> s.add(5, 4));
        assertThrows(IllegalArgumentException.class, () -> s.add(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> s.remove(3, 2));
    }

    @Test
    void snapshotIsIndependent() {
        RangeSet s = new RangeSet();
        s.add(1, 3);
        List<long[]> snap = s.ranges();
        s.add(3, 9);
        assertEquals(3, snap.get(0)[1], "a snapshot does not follow later changes");
        snap.get(0)[1] = 99;
        assertEquals("[1,9)", ranges(s), "changing a snapshot does not change the set");
    }

    /** Random adds and removes agree with a BitSet model on every query. */
    @Test
    void matchesABitSetModel() {
        Random rnd = new Random(42);
        RangeSet s = new RangeSet();
        BitSet model = new BitSet();
        for (int step = 0; step < 5_000; step++) {
            int a = rnd.nextInt(200);
            int b = a + rnd.nextInt(12);
            if (rnd.nextInt(3) == 0) {
                s.remove(a, b);
                model.clear(a, b);
            } else {
                s.add(a, b);
                model.set(a, b);
            }
            assertEquals(model.cardinality(), s.count(), "count at step " + step);
            int q = rnd.nextInt(220);
            assertEquals(model.get(q), s.contains(q));
            assertEquals(model.nextClearBit(q), s.nextMissing(q));
        }
        // Ranges are maximal: each is preceded and followed by a missing value.
        long prevEnd = -1;
        for (long[] r : s.ranges()) {
            assertTrue(r[0] > prevEnd, "ranges are disjoint and never adjacent: " + ranges(s));
            assertEquals(model.nextClearBit((int) r[0]), r[1]);
            prevEnd = r[1];
        }
    }
}
