package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacReadBlock: asks for the ASF file header. length and tDeadline are hints only (FFmpeg sends 0x00800000, MPlayer 0).
 *
 * <p>MS-MMSP §2.2.4.23, MID 0x00030015, sent by the client.
 */
public record ReadBlock(int openFileId, int fileBlockId, int offset, int length, int flags, int padding, double tEarliest, double tDeadline, int playIncarnation, int playSequence) implements MmsMessage {

    public static final int MID = 0x00030015;

    @Override
    public MessageType type() {
        return MessageType.READ_BLOCK;
    }
}
