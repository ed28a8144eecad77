package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportConnectedEX: reply to Connect.
 *
 * <p>MS-MMSP §2.2.4.2, MID 0x00040001, sent by the server.
 */
public record ReportConnectedEx(int hr, int playIncarnation, int macToViewerProtocolRevision, int viewerToMacProtocolRevision, double blockGroupPlayTime, int blockGroupBlocks, int nMaxOpenFiles, int nBlockMaxBytes, int maxBitRate, String serverVersionInfo, String versionInfo, String versionUrl, String authenPackage) implements MmsMessage {

    public static final int MID = 0x00040001;

    /** playIncarnation: the server cannot perform a packet-pair experiment. */
    public static final int MMS_DISABLE_PACKET_PAIR = 0xF0F0F0EF;
    /** playIncarnation: the server can perform a packet-pair experiment. */
    public static final int MMS_USE_PACKET_PAIR = 0xF0F0F0F0;
    /** The MUST value of MacToViewerProtocolRevision. */
    public static final int MAC_TO_VIEWER_PROTOCOL_REVISION = 0x0004000B;
    /** The MUST value of ViewerToMacProtocolRevision. */
    public static final int VIEWER_TO_MAC_PROTOCOL_REVISION = 0x0003001C;

    /**
     * A server reply with every MUST value of §2.2.4.2 filled in: playIncarnation
     * MMS_DISABLE_PACKET_PAIR, revisions 0x0004000B/0x0003001C, blockGroupPlayTime 1.0,
     * blockGroupBlocks 1, nMaxOpenFiles 1, nBlockMaxBytes 0x8000, maxBitRate 0x00989680, empty
     * VersionInfo and VersionUrl.
     *
     * @param serverVersionInfo e.g. "4.1.0.3928" ({@code major "." minor})
     * @param authenPackage "BASIC", "NTLM" or empty when no SecurityChallenge will be sent
     */
    public static ReportConnectedEx ofServer(int hr, String serverVersionInfo, String authenPackage) {
        return new ReportConnectedEx(hr, MMS_DISABLE_PACKET_PAIR, MAC_TO_VIEWER_PROTOCOL_REVISION,
                VIEWER_TO_MAC_PROTOCOL_REVISION, 1.0, 1, 1, 0x8000, 0x00989680,
                serverVersionInfo == null ? "" : serverVersionInfo, "", "", authenPackage == null ? "" : authenPackage);
    }

    @Override
    public MessageType type() {
        return MessageType.REPORT_CONNECTED_EX;
    }
}
