package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportOpenFile: properties of the opened content.
 *
 * <p>MS-MMSP §2.2.4.7, MID 0x00040006, sent by the server.
 */
public record ReportOpenFile(int hr, int playIncarnation, int openFileId, int padding, int fileName, int fileAttributes, double fileDuration, int fileBlocks, int filePacketSize, long filePacketCount, int fileBitRate, int fileHeaderSize) implements MmsMessage {

    public static final int MID = 0x00040006;

    @Override
    public MessageType type() {
        return MessageType.REPORT_OPEN_FILE;
    }
}
