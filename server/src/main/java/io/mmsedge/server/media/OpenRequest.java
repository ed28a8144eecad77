package io.mmsedge.server.media;

import io.mmsedge.protocol.mms.SubscriberName;
import java.net.InetSocketAddress;

/**
 * A player's request to open content.
 *
 * @param path        the OpenFile fileName: the URL's path, without a leading '/' or query
 * @param subscriber  the parsed Connect subscriberName (client token, HOST, VIA)
 * @param peer        the player's TCP address
 * @param credentials Basic credentials "user:password" from OpenFile/SecurityResponse, or null
 */
public record OpenRequest(String path, SubscriberName subscriber, InetSocketAddress peer, String credentials) {
}
