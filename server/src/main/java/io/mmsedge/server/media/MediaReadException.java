package io.mmsedge.server.media;

/** Content could not be read (I/O error, corrupt packet); the session ends with an error hr. */
public class MediaReadException extends RuntimeException {
    public MediaReadException(String message, Throwable cause) {
        super(message, cause);
    }

    public MediaReadException(String message) {
        super(message);
    }
}
