package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportStreamSwitch: reply to StreamSwitch.
 *
 * <p>MS-MMSP §2.2.4.13, MID 0x00040021, sent by the server.
 */
public record ReportStreamSwitch(int hr) implements MmsMessage {

    public static final int MID = 0x00040021;

    @Override
    public MessageType type() {
        return MessageType.REPORT_STREAM_SWITCH;
    }
}
