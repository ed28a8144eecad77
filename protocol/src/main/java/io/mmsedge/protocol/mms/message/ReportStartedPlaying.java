package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportStartedPlaying: reply to StartPlaying.
 *
 * <p>MS-MMSP §2.2.4.10, MID 0x00040005, sent by the server.
 */
public record ReportStartedPlaying(int hr, int playIncarnation, int tigerFileId, int unused1) implements MmsMessage {

    public static final int MID = 0x00040005;

    @Override
    public MessageType type() {
        return MessageType.REPORT_STARTED_PLAYING;
    }
}
