package io.mmsedge.cache;

/** A cached packet could not be read back (I/O error, checksum mismatch, item gone). */
public final class CacheReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CacheReadException(String message, Throwable cause) {
        super(message, cause);
    }

    public CacheReadException(String message) {
        super(message);
    }
}
