package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacConnectFunnel: choose TCP or UDP for Data packets. The funnel address is fake in every real player; never connect to it.
 *
 * <p>MS-MMSP §2.2.4.18, MID 0x00030002, sent by the client.
 */
public record ConnectFunnel(int playIncarnation, int maxBlockBytes, int maxFunnelBytes, int maxBitRate, int funnelMode, String funnelName) implements MmsMessage {

    public static final int MID = 0x00030002;

    @Override
    public MessageType type() {
        return MessageType.CONNECT_FUNNEL;
    }
}
