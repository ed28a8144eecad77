package io.mmsedge.server.media;

import io.mmsedge.protocol.mms.Hresults;

/**
 * Content could not be read (I/O error, corrupt packet, upstream failure); the session ends
 * with EndOfStream carrying {@link #hr()}.
 */
public class MediaReadException extends RuntimeException {

    private final int hr;

    public MediaReadException(String message, Throwable cause) {
        super(message, cause);
        this.hr = Hresults.E_FAIL;
    }

    public MediaReadException(String message) {
        this(Hresults.E_FAIL, message);
    }

    public MediaReadException(int hr, String message) {
        super(message);
        this.hr = hr;
    }

    public int hr() {
        return hr;
    }
}
