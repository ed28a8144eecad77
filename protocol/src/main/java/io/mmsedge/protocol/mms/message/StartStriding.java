package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacStartStriding: trick-mode playback at {@code rate} (-5..+5, not 0).
 *
 * <p>MS-MMSP §2.2.4.26, MID 0x00030028, sent by the client.
 */
public record StartStriding(int openFileId, int padding, double position, int asfOffset, int locationId, int frameOffset, int playIncarnation, double rate) implements MmsMessage {

    public static final int MID = 0x00030028;

    @Override
    public MessageType type() {
        return MessageType.START_STRIDING;
    }
}
