package io.mmsedge.protocol.mms.message;

import io.mmsedge.protocol.mms.MmsConstants;

/**
 * LinkMacToViewerReportConnectedEX: reply to Connect.
 *
 * <p>MS-MMSP §2.2.4.2, MID 0x00040001, sent by the server.
 */
public record ReportConnectedEx(int hr, int playIncarnation, int macToViewerProtocolRevision, int viewerToMacProtocolRevision, double blockGroupPlayTime, int blockGroupBlocks, int nMaxOpenFiles, int nBlockMaxBytes, int maxBitRate, String serverVersionInfo, String versionInfo, String versionUrl, String authenPackage) implements MmsMessage {

    public static final int MID = 0x00040001;

    /** Same as {@link MmsConstants#MAC_TO_VIEWER_PROTOCOL_REVISION}, kept for existing callers. */
    public static final int MAC_TO_VIEWER_PROTOCOL_REVISION = MmsConstants.MAC_TO_VIEWER_PROTOCOL_REVISION;
    /** Same as {@link MmsConstants#VIEWER_TO_MAC_PROTOCOL_REVISION}, kept for existing callers. */
    public static final int VIEWER_TO_MAC_PROTOCOL_REVISION = MmsConstants.VIEWER_TO_MAC_PROTOCOL_REVISION;

    /**
     * A server reply with every MUST value of §2.2.4.2 filled in: playIncarnation
     * MMS_DISABLE_PACKET_PAIR ({@link MmsConstants#PACKET_PAIR_OFF}), revisions
     * 0x0004000B/0x0003001C, blockGroupPlayTime 1.0, blockGroupBlocks 1, nMaxOpenFiles 1,
     * nBlockMaxBytes 0x8000, maxBitRate 0x00989680, empty VersionInfo and VersionUrl.
     *
     * @param serverVersionInfo e.g. "4.1.0.3928" ({@code major "." minor})
     * @param authenPackage "BASIC", "NTLM" or empty when no SecurityChallenge will be sent
     */
    public static ReportConnectedEx ofServer(int hr, String serverVersionInfo, String authenPackage) {
        return new ReportConnectedEx(hr, MmsConstants.PACKET_PAIR_OFF, MAC_TO_VIEWER_PROTOCOL_REVISION,
                VIEWER_TO_MAC_PROTOCOL_REVISION, 1.0, 1, 1, 0x8000, MmsConstants.MAX_BIT_RATE,
                serverVersionInfo == null ? "" : serverVersionInfo, "", "", authenPackage == null ? "" : authenPackage);
    }

    @Override
    public MessageType type() {
        return MessageType.REPORT_CONNECTED_EX;
    }
}
