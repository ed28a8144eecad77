package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.SubscriberName;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Where and what to open upstream (MS-MMSP §3.1.4.1).
 *
 * @param connectTo      the TCP peer: the origin, or an MMS proxy in front of it
 * @param originHostPort "host[:port]" of the origin, for the subscriberName host-param and HOST string
 * @param path           OpenFile fileName (URL path without leading '/')
 * @param subscriber     the player's subscriberName, already parsed; null → a default NSPlayer/9.0
 *                       token with a fresh GUID
 * @param viaToken       e.g. "mms-edge/0.1.0+1a2b3c4d": appended to VIA (null or blank: nothing appended)
 * @param credentials    Basic "basic-credentials" text for OpenFile tokenData / SecurityResponse, or null
 * @param connectTimeout TCP connect and each reply wait
 * @param maxPacketSize  bound for Data packet payloads accepted (e.g. 65535)
 * @param firstDataTimeout the longest wait for the first Data packet taken after a play request
 * @param stallTimeout   the longest gap between two Data packets taken while streaming
 */
public record UpstreamRequest(
        InetSocketAddress connectTo,
        String originHostPort,
        String path,
        SubscriberName subscriber,
        String viaToken,
        String credentials,
        Duration connectTimeout,
        int maxPacketSize,
        Duration firstDataTimeout,
        Duration stallTimeout) {

    /** A request with the default stall timeouts ({@link io.mmsedge.proxy.ProxySettings#DEFAULT_STALL_TIMEOUT}). */
    public UpstreamRequest(InetSocketAddress connectTo, String originHostPort, String path, SubscriberName subscriber,
                           String viaToken, String credentials, Duration connectTimeout, int maxPacketSize) {
        this(connectTo, originHostPort, path, subscriber, viaToken, credentials, connectTimeout, maxPacketSize,
                io.mmsedge.proxy.ProxySettings.DEFAULT_STALL_TIMEOUT, io.mmsedge.proxy.ProxySettings.DEFAULT_STALL_TIMEOUT);
    }
}
