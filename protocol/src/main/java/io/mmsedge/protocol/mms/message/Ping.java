package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerPing: keep-alive probe from the server.
 *
 * <p>MS-MMSP §2.2.4.1, MID 0x0004001B, sent by the server.
 */
public record Ping(int dwParam1, int dwParam2) implements MmsMessage {

    public static final int MID = 0x0004001B;

    @Override
    public MessageType type() {
        return MessageType.PING;
    }
}
