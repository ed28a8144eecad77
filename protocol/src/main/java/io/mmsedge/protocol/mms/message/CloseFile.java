package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacCloseFile: the client is finishing the session.
 *
 * <p>MS-MMSP §2.2.4.16, MID 0x0003000D, sent by the client.
 */
public record CloseFile(int playIncarnation, int openFileId) implements MmsMessage {

    public static final int MID = 0x0003000D;

    @Override
    public MessageType type() {
        return MessageType.CLOSE_FILE;
    }
}
