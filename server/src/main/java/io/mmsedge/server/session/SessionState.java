package io.mmsedge.server.session;

/**
 * Server session states. INIT, READY and STREAMING are §3.2.1's; the INIT sub-steps before
 * the header is sent are explicit so that out-of-order messages are recognised.
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
    CLOSED
}
