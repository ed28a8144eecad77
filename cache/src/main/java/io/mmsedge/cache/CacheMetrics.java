package io.mmsedge.cache;

/** Cache events for metrics; the distribution binds them to Micrometer. Thread-safe and cheap. */
public interface CacheMetrics {

    CacheMetrics NONE = new CacheMetrics() {
    };

    /** A player's open was served from a cached item (complete, or partial and followed). */
    default void hit() {
    }

    /** A player's open found nothing usable cached. */
    default void miss() {
    }

    /** A freshness check with the origin ended; {@code changed}: the fingerprint differed. */
    default void revalidated(boolean changed) {
    }

    /** A complete item was served without a freshness check because the origin was unreachable. */
    default void servedStale() {
    }

    /**
     * Packet bytes sent to a player that were already cached when its play request began. With
     * {@link #bytesFromOrigin} each byte a player is sent is counted exactly once.
     */
    default void bytesFromCache(long bytes) {
    }

    /**
     * Packet bytes sent to a player that were not cached when its play request began: a fill
     * fetched them from the origin while it played. Two players of one fill both count them
     * (each was sent them); bytes no player is sent (prestuffing) are in {@link #bytesFilled}.
     */
    default void bytesFromOrigin(long bytes) {
    }

    /** Packet bytes a fill received from the origin and stored, each once (prestuffing included). */
    default void bytesFilled(long bytes) {
    }

    /** An upstream fill started (+1) or ended (-1). */
    default void fillsInFlight(int delta) {
    }

    /** An item left the disk tier to make room. */
    default void evicted(long bytes) {
    }

    /** An item was found truncated or corrupt and thrown away ({@code reason} for the log is given separately). */
    default void discarded() {
    }

    /**
     * A write to the disk tier failed (full, read-only or failing file system) and eviction did
     * not help: the store serves without caching until a write succeeds again. Counted once per
     * such episode, not per packet.
     */
    default void diskWriteFailed() {
    }

    /** Packet bytes a fill received and relayed to its players from memory without storing them. */
    default void bytesUncached(long bytes) {
    }

    /** A stored packet failed its checksum when read: it was dropped from its item, to be fetched again. */
    default void packetDropped() {
    }
}
