package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportReadBlock: reply to ReadBlock, before the header Data packets.
 *
 * <p>MS-MMSP §2.2.4.8, MID 0x00040011, sent by the server.
 */
public record ReportReadBlock(int hr, int playIncarnation, int playSequence) implements MmsMessage {

    public static final int MID = 0x00040011;

    @Override
    public MessageType type() {
        return MessageType.REPORT_READ_BLOCK;
    }
}
