package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportStartStriding: reply to StartStriding.
 *
 * <p>MS-MMSP §2.2.4.11, MID 0x0004000A, sent by the server.
 */
public record ReportStartStriding(int hr, int playIncarnation, int spare) implements MmsMessage {

    public static final int MID = 0x0004000A;

    @Override
    public MessageType type() {
        return MessageType.REPORT_START_STRIDING;
    }
}
