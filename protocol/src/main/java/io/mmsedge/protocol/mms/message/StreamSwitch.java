package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacStreamSwitch: select, thin or replace streams.
 *
 * <p>MS-MMSP §2.2.4.28, MID 0x00030033, sent by the client.
 */
public record StreamSwitch(java.util.List<StreamSwitchEntry> entries) implements MmsMessage {

    public static final int MID = 0x00030033;

    public StreamSwitch {
        entries = java.util.List.copyOf(entries);
    }

    @Override
    public MessageType type() {
        return MessageType.STREAM_SWITCH;
    }
}
