package io.mmsedge.cache.serve;

/**
 * One upstream data session for an item's content (for MMS, an MS-MMSP §3.1 client session in
 * READY state). The fill positions it; packets and the end of each play request go to the sink
 * on the session's own thread.
 */
public interface FillSource extends AutoCloseable {

    /**
     * Starts playing (stopping the current play request first, if any) at a packet, or at a
     * time when {@code positionSeconds} is not NaN (the origin then picks the packet, e.g. a key
     * frame, §2.2.4.25). From then on packets of this request go to {@code sink} until the
     * next {@code play} or {@link #close()}.
     */
    void play(long packet, double positionSeconds, FillSink sink);

    /**
     * Sends a player's log (LinkViewerToMacLogging, §2.2.4.20) to the origin on this session,
     * so the origin logs a play the cache served as it would one it served itself (§3.2.5.15).
     * No reply; the session stays as it was.
     */
    void forwardLog(io.mmsedge.protocol.mms.ClientLog log);

    /**
     * Pauses (false) or resumes (true) reading from the origin, so that TCP holds it back: a fill
     * relaying uncached packets pauses while it is far ahead of its players. Any thread.
     */
    default void setReading(boolean reading) {
    }

    /** Ends the upstream session (CloseFile). Idempotent; no sink calls follow. */
    @Override
    void close();
}
