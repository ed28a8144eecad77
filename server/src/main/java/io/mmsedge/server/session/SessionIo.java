package io.mmsedge.server.session;

import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.server.play.PlayerChannel;
import io.netty.buffer.ByteBuf;

/**
 * What the MMS/TCP front end may do to its connection, beyond what every play session may
 * ({@link PlayerChannel}). The Netty adapter implements it on a channel; tests can implement
 * it directly. All calls happen on one thread.
 */
public interface SessionIo extends PlayerChannel {

    /** Sends one message in its own TcpMessageHeader frame and flushes it (§3.2.5.2). */
    void send(MmsMessage message);

    /** Queues one Data packet (§2.2.2); takes ownership of {@code payload}. Not flushed. */
    void sendData(int locationId, int playIncarnation, int afFlags, ByteBuf payload);

    /** Closes the connection after pending writes. */
    void close();
}
