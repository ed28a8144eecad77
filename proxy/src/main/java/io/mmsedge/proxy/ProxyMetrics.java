package io.mmsedge.proxy;

/** Proxy events for metrics; the distribution binds them to Micrometer. Thread-safe, cheap. */
public interface ProxyMetrics {

    ProxyMetrics NONE = new ProxyMetrics() {
    };

    default void upstreamOpened() {
    }

    default void upstreamClosed() {
    }

    default void upstreamFailed() {
    }

    default void upstreamBytes(long bytes) {
    }

    /** A redirect the origin sent us, by type (1 URL, 2 proxy). */
    default void redirectFromUpstream(int type) {
    }

    /** A redirect we sent a player, by type. */
    default void redirectToPlayer(int type) {
    }

    /** A split (one upstream session shared by the players of a broadcast) started. */
    default void splitOpened() {
    }

    default void splitClosed() {
    }

    /** A split's upstream came back after a failure. */
    default void upstreamReconnected() {
    }

    /** A player joined an existing split instead of opening its own upstream session. */
    default void splitJoined() {
    }

    /** An origin ("host:port") was marked down after a failure (false) or came back (true). */
    default void originState(String origin, boolean up) {
    }

    /** A refused request: forward_not_allowed, no_route, loop, busy. */
    default void denied(String reason) {
    }
}
