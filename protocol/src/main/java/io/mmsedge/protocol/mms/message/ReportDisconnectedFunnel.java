package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportDisconnectedFunnel: reply to a ConnectFunnel that failed.
 *
 * <p>MS-MMSP §2.2.4.4, MID 0x00040003, sent by the server.
 */
public record ReportDisconnectedFunnel(int hr, int playIncarnation) implements MmsMessage {

    public static final int MID = 0x00040003;

    @Override
    public MessageType type() {
        return MessageType.REPORT_DISCONNECTED_FUNNEL;
    }
}
