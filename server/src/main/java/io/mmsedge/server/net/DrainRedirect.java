package io.mmsedge.server.net;

/**
 * A user event {@link MmsServer#redirectBroadcasts} fires down each player's pipeline during a
 * drain with a sibling configured: a front end whose player watches a broadcast sends it to
 * {@code location} (see {@link PlayerChannelHandler#redirectForDrain}).
 */
record DrainRedirect(String location) {
}
