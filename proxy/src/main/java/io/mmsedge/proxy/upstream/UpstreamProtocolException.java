package io.mmsedge.proxy.upstream;

/** A server reply that violates MS-MMSP; the session fails with NS_E_PROTOCOL_MISMATCH. */
final class UpstreamProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UpstreamProtocolException(String message) {
        super(message, null, false, false);
    }
}
