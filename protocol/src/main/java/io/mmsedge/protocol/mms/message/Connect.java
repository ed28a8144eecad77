package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacConnect: first message of a session. {@code subscriberName} is the raw text without its final NUL; internal NULs separate the HOST and VIA strings (see {@link io.mmsedge.protocol.mms.SubscriberName}).
 *
 * <p>MS-MMSP §2.2.4.17, MID 0x00030001, sent by the client.
 */
public record Connect(int playIncarnation, int macToViewerProtocolRevision, int viewerToMacProtocolRevision, String subscriberName) implements MmsMessage {

    public static final int MID = 0x00030001;

    @Override
    public MessageType type() {
        return MessageType.CONNECT;
    }
}
