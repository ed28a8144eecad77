package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportConnectedFunnel: reply to a successful ConnectFunnel.
 *
 * <p>MS-MMSP §2.2.4.3, MID 0x00040002, sent by the server.
 */
public record ReportConnectedFunnel(int hr, int playIncarnation, int packetPayloadSize, String funnelName) implements MmsMessage {

    public static final int MID = 0x00040002;

    @Override
    public MessageType type() {
        return MessageType.REPORT_CONNECTED_FUNNEL;
    }
}
