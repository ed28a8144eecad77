package io.mmsedge.server;

import io.mmsedge.server.session.SessionState;

/**
 * Events the server reports for metrics. The distribution binds it to Micrometer; the
 * default does nothing. Called on event-loop threads: implementations must be cheap and
 * thread-safe.
 */
public interface ServerMetrics {

    ServerMetrics NONE = new ServerMetrics() {
    };

    default void stateChanged(SessionState from, SessionState to) {
    }

    /** A session opened content of a publishing point. */
    default void sessionOpened(String publishingPoint) {
    }

    default void sessionClosed(String publishingPoint) {
    }

    /**
     * Counts one session's Data packets for one publishing point: a session adds what it sent
     * once per pump (a write window), not per packet, since a shared counter updated by every
     * player for every packet is an atomic add on a line both cores write.
     */
    @FunctionalInterface
    interface PacketCounter {
        /** Counts nothing: a session before it opened content, or metrics that count no packets. */
        PacketCounter NONE = (packets, bytes, header) -> { };

        /** {@code packets} Data packets of {@code bytes} in all (headers of the Data packets included). */
        void sent(int packets, long bytes, boolean header);
    }

    /**
     * The counter a session uses for every Data packet it sends once it has opened content of
     * {@code publishingPoint}: resolved once per open, not looked up per packet per player.
     */
    default PacketCounter packetCounter(String publishingPoint) {
        return PacketCounter.NONE;
    }

    /** A session failed or refused something; {@code reason} is a short stable token. */
    default void error(String reason) {
    }

    /** Subscribers of a broadcast publishing point joined ({@code delta} > 0) or left. */
    default void broadcastSubscribers(String publishingPoint, int delta) {
    }

    /** A slow subscriber of a broadcast skipped {@code packets} packets to catch up with the live point. */
    default void broadcastDropped(String publishingPoint, long packets) {
    }

    /** A subscriber of a broadcast lagged too far behind the live point and was disconnected. */
    default void broadcastLagDisconnect(String publishingPoint) {
    }

    /**
     * A broadcast ended (an edge's split whose last player left, or shutdown): its meters may go
     * once its subscribers are gone, so that splits of ever new URLs don't leave a meter each.
     */
    default void broadcastClosed(String publishingPoint) {
    }

    /** UDP players (MMS Data over UDP, MS-MMSP §3.2.5.5) came ({@code delta} > 0) or went. */
    default void udpSessions(int delta) {
    }

    /** {@code datagrams} Data datagrams of {@code bytes} bytes in all were handed to the UDP socket. */
    default void udpDatagrams(int datagrams, long bytes) {
    }

    /**
     * One RequestPacketListResend (§3.2.5.13) of {@code asked} packets: {@code served} resent,
     * {@code refused} by the rate limit, {@code tooOld} no longer (or never) in the resend window.
     */
    default void udpResends(int asked, int served, int refused, int tooOld) {
    }

    /**
     * A datagram arrived on the UDP port and was dropped: {@code reason} is malformed,
     * unknown_client, foreign_source or wrong_source_id.
     */
    default void udpDropped(String reason) {
    }
}
