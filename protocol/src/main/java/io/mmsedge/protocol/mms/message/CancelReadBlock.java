package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacCancelReadBlock: stop sending the header.
 *
 * <p>MS-MMSP §2.2.4.15, MID 0x00030025, sent by the client.
 */
public record CancelReadBlock(int playIncarnation) implements MmsMessage {

    public static final int MID = 0x00030025;

    @Override
    public MessageType type() {
        return MessageType.CANCEL_READ_BLOCK;
    }
}
