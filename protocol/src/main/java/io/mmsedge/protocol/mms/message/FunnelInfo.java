package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacFunnelInfo: asks for a client id and, optionally, packet-pair.
 *
 * <p>MS-MMSP §2.2.4.19, MID 0x00030018, sent by the client.
 */
public record FunnelInfo(int playIncarnation) implements MmsMessage {

    public static final int MID = 0x00030018;

    @Override
    public MessageType type() {
        return MessageType.FUNNEL_INFO;
    }
}
