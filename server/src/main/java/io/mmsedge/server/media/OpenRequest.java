package io.mmsedge.server.media;

import io.mmsedge.protocol.mms.SubscriberName;
import java.net.InetSocketAddress;

/**
 * A player's request to open content.
 *
 * @param path        the OpenFile fileName: the URL's path, without a leading '/' or query
 * @param subscriber  the parsed Connect subscriberName (client token, HOST, VIA)
 * @param peer        the player's TCP address
 * @param credentials Basic credentials from OpenFile/SecurityResponse (§2.2.4.21), or null
 * @param eventLoop   the session's event loop: work for this session (e.g. its upstream
 *                    connection) runs there, so the session needs no locks; null in tools
 */
public record OpenRequest(String path, SubscriberName subscriber, InetSocketAddress peer, String credentials,
                          io.netty.channel.EventLoop eventLoop) {

    /** The same request for another path (publishing-point routing strips its prefix). */
    public OpenRequest withPath(String newPath) {
        return new OpenRequest(newPath, subscriber, peer, credentials, eventLoop);
    }
}
