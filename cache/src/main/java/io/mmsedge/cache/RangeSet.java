package io.mmsedge.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of non-negative longs kept as merged, disjoint half-open ranges {@code [start, end)}:
 * the packets of an item that are stored. Adjacent and overlapping ranges merge on
 * {@link #add}; {@link #remove} splits a range. Not thread-safe (the item guards it).
 */
final class RangeSet {

    /** start -> endExclusive; disjoint and never adjacent (adjacent ranges are merged). */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private long count;

    /** Adds {@code n}; true when it was not in the set. */
    boolean add(long n) {
        if (contains(n)) {
            return false;
        }
        add(n, n + 1);
        return true;
    }

    /** Adds {@code [start, end)}, merging with overlapping and adjacent ranges. */
    void add(long start, long end) {
        check(start, end);
        if (start == end) {
            return;
        }
        long s = start;
        long e = end;
        Map.Entry<Long, Long> before = ranges.floorEntry(s);
        if (before != null && before.getValue() >= s) {
            // Overlaps or touches the range that starts at or before s.
            s = before.getKey();
            e = Math.max(e, before.getValue());
            count -= before.getValue() - before.getKey();
            ranges.remove(before.getKey());
        }
        // Swallow every range starting within [s, e] (touching at e merges too).
        Map.Entry<Long, Long> next = ranges.ceilingEntry(s);
        while (next != null && next.getKey() <= e) {
            e = Math.max(e, next.getValue());
            count -= next.getValue() - next.getKey();
            ranges.remove(next.getKey());
            next = ranges.ceilingEntry(s);
        }
        ranges.put(s, e);
        count += e - s;
    }

    /** Removes {@code [start, end)}, splitting a range that straddles either end. */
    void remove(long start, long end) {
        check(start, end);
        if (start == end) {
            return;
        }
        Map.Entry<Long, Long> before = ranges.lowerEntry(start);
        if (before != null && before.getValue() > start) {
            // [bs, be) straddles start: keep [bs, start), and [end, be) if it reaches past end.
            long bs = before.getKey();
            long be = before.getValue();
            ranges.put(bs, start);
            count -= be - start;
            if (be > end) {
                ranges.put(end, be);
                count += be - end;
                return;
            }
        }
        Map.Entry<Long, Long> next = ranges.ceilingEntry(start);
        while (next != null && next.getKey() < end) {
            long ns = next.getKey();
            long ne = next.getValue();
            ranges.remove(ns);
            count -= ne - ns;
            if (ne > end) {
                ranges.put(end, ne);
                count += ne - end;
                break;
            }
            next = ranges.ceilingEntry(start);
        }
    }

    boolean contains(long n) {
        Map.Entry<Long, Long> e = ranges.floorEntry(n);
        return e != null && n < e.getValue();
    }

    /** True when every value of {@code [start, end)} is in the set (true for an empty range). */
    boolean containsAll(long start, long end) {
        if (start >= end) {
            return true;
        }
        Map.Entry<Long, Long> e = ranges.floorEntry(start);
        return e != null && end <= e.getValue();
    }

    /** The first value at or after {@code from} that is not in the set. */
    long nextMissing(long from) {
        Map.Entry<Long, Long> e = ranges.floorEntry(from);
        return e != null && from < e.getValue() ? e.getValue() : from;
    }

    /** Number of values in the set. */
    long count() {
        return count;
    }

    /** Number of disjoint ranges. */
    int rangeCount() {
        return ranges.size();
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The ranges as {start, endExclusive}, ascending. A snapshot. */
    List<long[]> ranges() {
        List<long[]> out = new ArrayList<>(ranges.size());
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            out.add(new long[] {e.getKey(), e.getValue()});
        }
        return out;
    }

    private static void check(long start, long end) {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("range [" + start + ", " + end + ") is not a valid range");
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (Map.Entry<Long, Long> e : ranges.entrySet()) {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append('[').append(e.getKey()).append(", ").append(e.getValue()).append(')');
        }
        return b.append(']').toString();
    }
}
