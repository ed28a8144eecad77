package io.mmsedge.cache;

/** A cached packet could not be read back (I/O error, checksum mismatch, item gone). */
public final class CacheReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean dropped;

    public CacheReadException(String message, Throwable cause) {
        super(message, cause);
        this.dropped = false;
    }

    public CacheReadException(String message) {
        this(message, false);
    }

    CacheReadException(String message, boolean dropped) {
        super(message);
        this.dropped = dropped;
    }

    /**
     * The packet failed its checksum and was dropped from the item, which stays in the cache: it
     * is no longer stored, and a reader gets it as any packet not stored (from a fill).
     */
    public boolean dropped() {
        return dropped;
    }
}
