package io.mmsedge.server.play;

import io.mmsedge.protocol.content.ContentInfo;

/**
 * What a {@link PlaySession} tells its front end, which answers in its own protocol. Called on
 * the session's thread.
 */
public interface PlayEvents {

    /**
     * The header asked for with {@link PlaySession#sendHeader()} is out (MMS: the session is
     * READY, §3.2.5.8).
     */
    void headerSent();

    /**
     * A server-side playlist moved to its next entry while playing (§3.2.4.2). The front end
     * announces it (MMS: EndOfStream hr 1 and ReportStreamChange); the core then sends the new
     * entry's header and its packets from the start.
     */
    void entryChanged(ContentInfo next);

    /** The last packet of the last entry is out (§3.2.4.1): nothing plays any more. */
    void endOfContent();

    /**
     * The content could not be read, or a live player fell too far behind: playing stopped and
     * the front end ends the session with {@code hr}.
     */
    void contentFailed(int hr);

    /** A bug: the front end closes this session only. Already logged. */
    void internalError();
}
