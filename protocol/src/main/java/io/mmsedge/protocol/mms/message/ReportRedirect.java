package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportRedirect: type 0x0001 (new URL) or 0x0002 (use a different proxy; empty location = go direct).
 *
 * <p>MS-MMSP §2.2.4.9, MID 0x00040022, sent by the server.
 */
public record ReportRedirect(int hr, int redirectType, String location) implements MmsMessage {

    public static final int MID = 0x00040022;

    @Override
    public MessageType type() {
        return MessageType.REPORT_REDIRECT;
    }
}
