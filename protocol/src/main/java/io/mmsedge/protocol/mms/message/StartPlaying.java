package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacStartPlaying: play at normal rate from position / asfOffset / locationId. The three optional fields are -1 when absent.
 *
 * <p>MS-MMSP §2.2.4.25, MID 0x00030007, sent by the client.
 */
public record StartPlaying(int openFileId, int padding, double position, int asfOffset, int locationId, int frameOffset, int playIncarnation, long dwAccelBandwidth, long dwAccelDuration, long dwLinkBandwidth) implements MmsMessage {

    public static final int MID = 0x00030007;

    @Override
    public MessageType type() {
        return MessageType.START_PLAYING;
    }
}
