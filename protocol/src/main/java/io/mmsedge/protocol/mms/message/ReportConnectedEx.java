package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportConnectedEX: reply to Connect.
 *
 * <p>MS-MMSP §2.2.4.2, MID 0x00040001, sent by the server.
 */
public record ReportConnectedEx(int hr, int playIncarnation, int macToViewerProtocolRevision, int viewerToMacProtocolRevision, double blockGroupPlayTime, int blockGroupBlocks, int nMaxOpenFiles, int nBlockMaxBytes, int maxBitRate, String serverVersionInfo, String versionInfo, String versionUrl, String authenPackage) implements MmsMessage {

    public static final int MID = 0x00040001;

    @Override
    public int mid() {
        return MID;
    }
}
