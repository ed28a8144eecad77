package io.mmsedge.protocol.mms.client;

/** A server reply that violates MS-MMSP; the client session fails with NS_E_PROTOCOL_MISMATCH. */
public final class ClientProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClientProtocolException(String message) {
        super(message, null, false, false);
    }
}
