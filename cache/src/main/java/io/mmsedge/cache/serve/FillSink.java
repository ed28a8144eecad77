package io.mmsedge.cache.serve;

import io.netty.buffer.ByteBuf;

/** Receives what a {@link FillSource} streams. Called on the source's thread; must not block. */
public interface FillSink {

    /**
     * A Data packet's ASF packet (padding already stripped, §2.2.2) at {@code locationId}. The
     * buffer is borrowed: the source releases it after the call.
     */
    void packet(long locationId, ByteBuf content);

    /** The play request ended: {@code hr} 0 at the end of the content, an error hr otherwise. */
    void ended(int hr, String reason);

    /**
     * The source lost its origin mid-stream (connection closed, stall, no reply): not the
     * origin's answer about the content. A fill may resume elsewhere (issue #13 §2); by default
     * this ends the play request with NS_E_CANNOTCONNECT.
     */
    default void lost(String reason) {
        ended(io.mmsedge.protocol.mms.Hresults.NS_E_CANNOTCONNECT, reason);
    }
}
