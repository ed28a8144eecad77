package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * One open session with an origin, whatever protocol carries it: what relays, cache fills and
 * splits use. {@link UpstreamSession} speaks MMS/TCP (MS-MMSP §3.1); an MMSH origin (MS-WMSP)
 * gets its own implementation. Events arrive on {@link #eventLoop()} through the
 * {@link UpstreamListener}; the methods may be called from any thread.
 *
 * <p>Every implementation bounds every wait (connect, replies, first data, stalls) and reports
 * a failure through {@link UpstreamListener#onFailure} rather than hanging.
 */
public interface Upstream extends AutoCloseable {

    /** What the origin said of the content when it was opened (for MMSH, derived from the header). */
    ReportOpenFile openFile();

    /** The current entry's ASF file header (a copy; it changes with a StreamChange). */
    byte[] header();

    /** How this edge identified itself upstream (the subscriberName, or the HTTP Via and User-Agent). */
    String subscriberNameSent();

    /** Sets the receiver of upstream events; call before the first play request. */
    void setListener(UpstreamListener l);

    /**
     * Plays every stream from a position (seconds, or an ASF packet offset or location id when
     * those are not -1, as in StartPlaying §2.2.4.25). Completes with the origin's hr (0 = S_OK),
     * or a failure hr when a request is already pending or the session failed.
     */
    CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset);

    /**
     * As {@link #startPlaying(double, int, int, int)}, asking the origin to send the first
     * {@code accelMs} of content at {@code accelBitRate} bits/s where its protocol allows it.
     */
    CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset,
                                            long accelBitRate, long accelMs);

    /** Fast forward or rewind at {@code rate} (StartStriding, §2.2.4.26, or MMSH {@code rate}). */
    CompletableFuture<Integer> startStriding(double position, int asfOffset, int locationId, double rate);

    /** Stops the current play; completes when the origin confirmed it, with 0 when nothing plays. */
    CompletableFuture<Integer> stopPlaying();

    /** Forwards a player's log upstream (LinkViewerToMacLogging §2.2.4.20, or an MMSH LogStats POST). */
    void sendLogging(ClientLog clientLog);

    /** True when the origin asked for credentials and got them: the content is protected. */
    boolean challenged();

    /** The event loop this session's events arrive on. */
    EventLoop eventLoop();

    /** True until the session failed or was closed. */
    boolean isOpen();

    /** Reads from the origin (true) or pauses reading so that TCP holds it back (false). */
    void setReading(boolean reading);

    /** Ends the session and its connection(s). Idempotent; no listener events follow. */
    @Override
    void close();
}
