package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.message.ReportStreamChange;

/**
 * Receives upstream events on the session's event loop. Implementations must not block; an
 * exception thrown by a callback is logged and otherwise ignored.
 */
public interface UpstreamListener {

    /**
     * A media Data packet of the current play request (header parts and stale incarnations are
     * not passed). Ownership passes to the listener (release it).
     */
    void onDataPacket(DataPacket packet);

    /** ReportEndOfStream (§3.1.5.18). hr 1 = a StreamChange follows. */
    void onEndOfStream(int hr);

    /** ReportStreamChange + the new entry's full header (§3.1.5.19). */
    void onStreamChange(ReportStreamChange change, byte[] header);

    /** The session failed (connection lost, timeout, malformed reply, error hr); no more events follow. */
    void onFailure(int hr, String reason);
}
