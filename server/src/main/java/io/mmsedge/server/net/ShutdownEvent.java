package io.mmsedge.server.net;

/**
 * A user event {@link MmsServer} fires down each player's pipeline when the server goes away (a
 * drain's deadline, or shutdown): the front end ends its session so that the player stops, rather
 * than finding a dead connection (see {@link PlayerChannelHandler#endForShutdown()}).
 */
public enum ShutdownEvent {
    END_SESSION
}
