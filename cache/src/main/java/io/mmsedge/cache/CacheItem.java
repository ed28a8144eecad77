package io.mmsedge.cache;

import io.mmsedge.server.media.ContentInfo;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * One cached on-demand entry: its header facts and fingerprint, and the data packets stored so
 * far. Coverage is a set of packet ranges that grow as fills write packets and merge; the item
 * is complete once every packet is present. Thread-safe: fills write on upstream event loops
 * while sessions read on theirs.
 *
 * <p>Packets are stored exactly as the origin sent them (padding already stripped, §2.2.2),
 * with their send time and whether they begin a video key frame, so that a session can seek
 * and stride in cached content without parsing the disk tier.
 */
public final class CacheItem {

    /** Outcome of {@link #write}. */
    public enum WriteResult {
        /** The packet is stored and covered from now on. */
        WRITTEN,
        /** Another fill stored it already: the writer has reached covered content. */
        ALREADY_COVERED,
        /**
         * Not stored: the item is invalid (evicted, replaced, discarded), the disk quota is full of
         * pinned items, the packet number is out of range, or it is larger than the packet size.
         */
        REFUSED
    }

    /** A hold against deletion; close it once, when the session or fill is done with the item. */
    public interface Pin extends AutoCloseable {
        @Override
        void close();
    }

    /** The origin URL this item caches (the cache key). */
    public String url() {
        throw new UnsupportedOperationException();
    }

    public Fingerprint fingerprint() {
        throw new UnsupportedOperationException();
    }

    /** Header facts as the origin reported them in ReportOpenFile (§2.2.4.7). */
    public ContentInfo info() {
        throw new UnsupportedOperationException();
    }

    public long packetCount() {
        throw new UnsupportedOperationException();
    }

    /** True when the origin challenged players for this content (§2.2.4.14). */
    public boolean protectedContent() {
        throw new UnsupportedOperationException();
    }

    /** Every packet is stored. */
    public boolean complete() {
        throw new UnsupportedOperationException();
    }

    /** False once the item was evicted, replaced by newer content or discarded: readers stop using it. */
    public boolean valid() {
        throw new UnsupportedOperationException();
    }

    /** True when packet {@code n} is stored. */
    public boolean has(long n) {
        throw new UnsupportedOperationException();
    }

    /** The first packet number at or after {@code n} that is not stored ({@link #packetCount()} if none). */
    public long coveredUntil(long n) {
        throw new UnsupportedOperationException();
    }

    /** Number of stored packets. */
    public long coveredPackets() {
        throw new UnsupportedOperationException();
    }

    /** Stored ranges as {start, endExclusive} pairs, ascending, merged. A snapshot. */
    public List<long[]> coverage() {
        throw new UnsupportedOperationException();
    }

    /** Send time (ms) of a stored packet; -1 when {@code n} is not stored. */
    public long sendTimeMs(long n) {
        throw new UnsupportedOperationException();
    }

    /** True when stored packet {@code n} begins a video key frame (false when not stored). */
    public boolean keyFrame(long n) {
        throw new UnsupportedOperationException();
    }

    /**
     * Reads stored packet {@code n}: from the memory tier when its chunk is there, otherwise from
     * disk (verifying its checksum) and, once the whole chunk is stored, into the memory tier.
     * The buffer is backed by memory no other reader can change or free (a heap array), so the
     * caller releases it without affecting anyone else; it is never a pooled buffer shared with
     * a removal listener.
     *
     * @throws CacheReadException if the packet is not stored, the item is gone, or the bytes are
     *                            corrupt (the item is then discarded)
     */
    public ByteBuf read(long n) {
        throw new UnsupportedOperationException();
    }

    /**
     * Stores packet {@code n} (its readable bytes; the buffer is not released). The disk write
     * happens before the packet counts as covered, and listeners are told after.
     */
    public WriteResult write(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame) {
        throw new UnsupportedOperationException();
    }

    /** Holds the item against deletion while a session reads or a fill writes it. */
    public Pin pin() {
        throw new UnsupportedOperationException();
    }

    /** Current pins. */
    public int pins() {
        throw new UnsupportedOperationException();
    }

    /**
     * Calls {@code listener} (on the writer's thread) after each write that covers a new packet,
     * and once when the item becomes invalid. Closing the returned handle removes it.
     */
    public AutoCloseable addListener(Runnable listener) {
        throw new UnsupportedOperationException();
    }

    /** When the origin last confirmed this fingerprint (epoch ms); 0 = never in this run. */
    public long validatedAtMillis() {
        throw new UnsupportedOperationException();
    }

    public void markValidated(long epochMillis) {
        throw new UnsupportedOperationException();
    }

    /** Bytes this item holds on disk. */
    public long diskBytes() {
        throw new UnsupportedOperationException();
    }

    /** Last time a session opened or read it (epoch ms): the LRU order. */
    public long lastAccessMillis() {
        throw new UnsupportedOperationException();
    }
}
