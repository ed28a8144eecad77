package io.mmsedge.server.play;

import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;

/**
 * How a front end frames what a {@link PlaySession} emits: MMS/TCP as Data packets (§2.2.2),
 * MMSH as {@code $H}/{@code $D} chunks, UDP as datagrams. Calls happen on the session's thread;
 * nothing is flushed until the core calls {@link PlayerChannel#flush()}.
 */
public interface PlayerTransport {

    /**
     * Queues one piece of the ASF file header. Takes ownership of {@code part}.
     *
     * @param index the piece's number, from 0 (MMS puts it in LocationId)
     * @param last  true for the header's last piece
     */
    void sendHeaderPart(int index, ByteBuf part, boolean last);

    /**
     * Queues one ASF data packet, padding removed. Takes ownership of {@code payload}.
     *
     * @param number the packet's number in its entry (LocationId)
     */
    void sendPacket(long number, ByteBuf payload);

    /**
     * The largest header piece this transport sends for {@code info}'s header: MMS caps a Data
     * packet at the ASF packet size (§3.2.5.8.1), MMSH sends the whole header in one {@code $H}.
     */
    int maxHeaderPart(ContentInfo info);
}
