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
}
