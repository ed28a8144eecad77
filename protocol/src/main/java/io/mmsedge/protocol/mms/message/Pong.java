package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacPong: reply to Ping.
 *
 * <p>MS-MMSP §2.2.4.22, MID 0x0003001B, sent by the client.
 */
public record Pong(int dwParam1, int dwParam2) implements MmsMessage {

    public static final int MID = 0x0003001B;

    @Override
    public MessageType type() {
        return MessageType.PONG;
    }
}
