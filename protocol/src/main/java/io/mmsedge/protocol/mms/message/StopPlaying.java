package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacStopPlaying: stop streaming; the server answers with EndOfStream hr 0.
 *
 * <p>MS-MMSP §2.2.4.27, MID 0x00030009, sent by the client.
 */
public record StopPlaying(int openFileId, int playIncarnation) implements MmsMessage {

    public static final int MID = 0x00030009;

    @Override
    public MessageType type() {
        return MessageType.STOP_PLAYING;
    }
}
