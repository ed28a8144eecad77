package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportStreamChange: next server-side playlist entry starts; a new header follows.
 *
 * <p>MS-MMSP §2.2.4.12, MID 0x00040020, sent by the server.
 */
public record ReportStreamChange(int hr, int dwTcpHdrIncarnation, int cbPacketSize, int cbHeaderSize, int dwBitRate, int dwStreamId) implements MmsMessage {

    public static final int MID = 0x00040020;

    @Override
    public MessageType type() {
        return MessageType.REPORT_STREAM_CHANGE;
    }
}
