package io.mmsedge.protocol.mmsh;

/** A request that is not valid MMSH ([MS-WMSP] §2.2): the server answers 400 and logs the reason. */
public final class MmshBadRequest extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MmshBadRequest(String reason) {
        super(reason, null, false, false);
    }
}
