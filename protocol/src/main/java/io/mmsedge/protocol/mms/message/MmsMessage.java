package io.mmsedge.protocol.mms.message;

/**
 * One MMS message (MS-MMSP §2.2.4): an immutable, typed value. Message IDs 0x0003xxxx travel
 * from client (viewer) to server (mac), 0x0004xxxx from server to client. mms-edge is a server
 * downstream and a client upstream, so it encodes and decodes both directions.
 *
 * <p>Sealed: the 28 records below are the whole protocol, one per {@link MessageType}, so a
 * switch over {@link #type()} covers every message.
 *
 * <p>Unsigned 32-bit wire fields are held in {@code int} (compare with
 * {@link Integer#compareUnsigned}); 64-bit unsigned ones in {@code long}.
 */
public sealed interface MmsMessage permits
        // server to client, §2.2.4.1 - §2.2.4.14
        Ping, ReportConnectedEx, ReportConnectedFunnel, ReportDisconnectedFunnel, ReportEndOfStream,
        ReportFunnelInfo, ReportOpenFile, ReportReadBlock, ReportRedirect, ReportStartedPlaying,
        ReportStartStriding, ReportStreamChange, ReportStreamSwitch, SecurityChallenge,
        // client to server, §2.2.4.15 - §2.2.4.28
        CancelReadBlock, CloseFile, Connect, ConnectFunnel, FunnelInfo, Logging, OpenFile, Pong, ReadBlock,
        SecurityResponse, StartPlaying, StartStriding, StopPlaying, StreamSwitch {

    /** This message's type: its MID and direction. */
    MessageType type();

    /** The message ID (MID) that identifies this type on the wire. */
    default int mid() {
        return type().mid();
    }

    /** True for messages sent by the server (MID 0x0004xxxx). */
    default boolean fromServer() {
        return type().fromServer();
    }
}
