package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportEndOfStream: end of a playlist entry, or the reply to StopPlaying.
 *
 * <p>MS-MMSP §2.2.4.5, MID 0x0004001E, sent by the server.
 */
public record ReportEndOfStream(int hr, int playIncarnation) implements MmsMessage {

    public static final int MID = 0x0004001E;

    @Override
    public MessageType type() {
        return MessageType.REPORT_END_OF_STREAM;
    }
}
