package io.mmsedge.protocol.asf;

/**
 * Thrown when ASF data (a header, a data packet, an index, a file) is malformed or
 * violates a bound. The message names the object and field concerned and the reason.
 *
 * <p>Unchecked: every parser in this package throws only this exception for bad input,
 * never {@link IndexOutOfBoundsException} or similar.
 */
public final class AsfFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AsfFormatException(String message) {
        super(message);
    }

    public AsfFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "{@code object}.{@code field}: {@code reason}". */
    static AsfFormatException of(String object, String field, String reason) {
        return new AsfFormatException(object + "." + field + ": " + reason);
    }
}
