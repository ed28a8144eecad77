package io.mmsedge.protocol.mms.client;

/**
 * What one client session asks for.
 *
 * @param peer           how log lines and failure reasons name the server, e.g. "origin:1755"
 * @param subscriberName Connect.subscriberName as it goes on the wire (§2.2.4.17)
 * @param path           OpenFile fileName; null: stop after the handshake ({@link ClientAction.FunnelConnected})
 * @param credentials    Basic basic-credentials text for OpenFile / SecurityResponse, or null
 * @param maxPacketSize  bound of filePacketSize / cbPacketSize, and so of Data payloads (1..65535)
 */
public record ClientConfig(String peer, String subscriberName, String path, String credentials, int maxPacketSize) {
}
