package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacLogging: the client's playback statistics (CLIENT_LOG).
 *
 * <p>MS-MMSP §2.2.4.20, MID 0x00030032, sent by the client.
 */
public record Logging(io.mmsedge.protocol.mms.ClientLog log) implements MmsMessage {

    public static final int MID = 0x00030032;

    @Override
    public MessageType type() {
        return MessageType.LOGGING;
    }
}
