package io.mmsedge.server.session;

import java.util.EnumSet;
import java.util.Set;

/**
 * MMS/TCP server session states. INIT, READY and STREAMING are §3.2.1's; the INIT sub-steps
 * before the header is sent are explicit so that out-of-order messages are recognised. Each
 * state lists the states it may move to; {@link CommandRules} lists the messages it accepts.
 */
public enum SessionState {
    /** TCP open, waiting for LinkViewerToMacConnect. */
    AWAIT_CONNECT,
    /** INIT: ReportConnectedEX sent; waiting for FunnelInfo / ConnectFunnel. */
    CONNECTED,
    /** INIT: funnel connected; waiting for OpenFile. */
    FUNNEL_READY,
    /** INIT: waiting for a remote open or a SecurityResponse. */
    OPENING,
    /** INIT: ReportOpenFile sent; waiting for ReadBlock. */
    OPENED,
    /** INIT: header Data packets being sent. */
    SENDING_HEADER,
    /** READY (§3.2.1). */
    READY,
    /** STREAMING (§3.2.1). */
    STREAMING,
    /** Session over; connection closing. */
    CLOSED;

    private Set<SessionState> next;

    static {
        AWAIT_CONNECT.next = EnumSet.of(CONNECTED, CLOSED);
        CONNECTED.next = EnumSet.of(FUNNEL_READY, CLOSED);
        FUNNEL_READY.next = EnumSet.of(OPENING, CLOSED);
        // A challenge stays OPENING; a refusal goes back to wait for another OpenFile.
        OPENING.next = EnumSet.of(OPENING, OPENED, FUNNEL_READY, CLOSED);
        OPENED.next = EnumSet.of(SENDING_HEADER, CLOSED);
        // CancelReadBlock (§3.2.5.9) goes back to OPENED.
        SENDING_HEADER.next = EnumSet.of(READY, OPENED, CLOSED);
        // A second ReadBlock sends the header again.
        READY.next = EnumSet.of(SENDING_HEADER, STREAMING, CLOSED);
        // CancelReadBlock during a playlist's stream change header (§3.2.4.2) goes back to OPENED.
        STREAMING.next = EnumSet.of(READY, OPENED, CLOSED);
        CLOSED.next = EnumSet.noneOf(SessionState.class);
    }

    /** True if a session in this state may move to {@code to}. */
    public boolean canMoveTo(SessionState to) {
        return to == this || next.contains(to);
    }
}
