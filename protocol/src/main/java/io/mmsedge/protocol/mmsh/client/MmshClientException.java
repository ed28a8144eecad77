package io.mmsedge.protocol.mmsh.client;

/** A response that does not follow HTTP or [MS-WMSP]: the connection can no longer be trusted. */
public final class MmshClientException extends RuntimeException {

    public MmshClientException(String message) {
        super(message);
    }
}
