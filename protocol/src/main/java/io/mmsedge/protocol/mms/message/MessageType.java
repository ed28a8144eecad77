package io.mmsedge.protocol.mms.message;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The 28 MMS message types of MS-MMSP §2.2.4, one per {@link MmsMessage} record, in spec order.
 * Each carries its message ID (MID) and the direction it travels in. The MID's high 16 bits name
 * the direction (0x0003 viewer-to-mac, 0x0004 mac-to-viewer), so a MID alone identifies the type:
 * Ping (0x0004001B) and Pong (0x0003001B) share their low half and differ only in direction.
 *
 * <p>The codec dispatches on this enum (MID -> type -> decoder, message -> type -> encoder); an
 * unknown MID has no type ({@link #ofMid} is empty).
 */
public enum MessageType {

    /** LinkMacToViewerPing, §2.2.4.1. */
    PING(Ping.MID, Direction.SERVER_TO_CLIENT, Ping.class),
    /** LinkMacToViewerReportConnectedEX, §2.2.4.2. */
    REPORT_CONNECTED_EX(ReportConnectedEx.MID, Direction.SERVER_TO_CLIENT, ReportConnectedEx.class),
    /** LinkMacToViewerReportConnectedFunnel, §2.2.4.3. */
    REPORT_CONNECTED_FUNNEL(ReportConnectedFunnel.MID, Direction.SERVER_TO_CLIENT, ReportConnectedFunnel.class),
    /** LinkMacToViewerReportDisconnectedFunnel, §2.2.4.4. */
    REPORT_DISCONNECTED_FUNNEL(ReportDisconnectedFunnel.MID, Direction.SERVER_TO_CLIENT,
            ReportDisconnectedFunnel.class),
    /** LinkMacToViewerReportEndOfStream, §2.2.4.5. */
    REPORT_END_OF_STREAM(ReportEndOfStream.MID, Direction.SERVER_TO_CLIENT, ReportEndOfStream.class),
    /** LinkMacToViewerReportFunnelInfo, §2.2.4.6. */
    REPORT_FUNNEL_INFO(ReportFunnelInfo.MID, Direction.SERVER_TO_CLIENT, ReportFunnelInfo.class),
    /** LinkMacToViewerReportOpenFile, §2.2.4.7. */
    REPORT_OPEN_FILE(ReportOpenFile.MID, Direction.SERVER_TO_CLIENT, ReportOpenFile.class),
    /** LinkMacToViewerReportReadBlock, §2.2.4.8. */
    REPORT_READ_BLOCK(ReportReadBlock.MID, Direction.SERVER_TO_CLIENT, ReportReadBlock.class),
    /** LinkMacToViewerReportRedirect, §2.2.4.9. */
    REPORT_REDIRECT(ReportRedirect.MID, Direction.SERVER_TO_CLIENT, ReportRedirect.class),
    /** LinkMacToViewerReportStartedPlaying, §2.2.4.10. */
    REPORT_STARTED_PLAYING(ReportStartedPlaying.MID, Direction.SERVER_TO_CLIENT, ReportStartedPlaying.class),
    /** LinkMacToViewerReportStartStriding, §2.2.4.11. */
    REPORT_START_STRIDING(ReportStartStriding.MID, Direction.SERVER_TO_CLIENT, ReportStartStriding.class),
    /** LinkMacToViewerReportStreamChange, §2.2.4.12. */
    REPORT_STREAM_CHANGE(ReportStreamChange.MID, Direction.SERVER_TO_CLIENT, ReportStreamChange.class),
    /** LinkMacToViewerReportStreamSwitch, §2.2.4.13. */
    REPORT_STREAM_SWITCH(ReportStreamSwitch.MID, Direction.SERVER_TO_CLIENT, ReportStreamSwitch.class),
    /** LinkMacToViewerSecurityChallenge, §2.2.4.14. */
    SECURITY_CHALLENGE(SecurityChallenge.MID, Direction.SERVER_TO_CLIENT, SecurityChallenge.class),

    /** LinkViewerToMacCancelReadBlock, §2.2.4.15. */
    CANCEL_READ_BLOCK(CancelReadBlock.MID, Direction.CLIENT_TO_SERVER, CancelReadBlock.class),
    /** LinkViewerToMacCloseFile, §2.2.4.16. */
    CLOSE_FILE(CloseFile.MID, Direction.CLIENT_TO_SERVER, CloseFile.class),
    /** LinkViewerToMacConnect, §2.2.4.17. */
    CONNECT(Connect.MID, Direction.CLIENT_TO_SERVER, Connect.class),
    /** LinkViewerToMacConnectFunnel, §2.2.4.18. */
    CONNECT_FUNNEL(ConnectFunnel.MID, Direction.CLIENT_TO_SERVER, ConnectFunnel.class),
    /** LinkViewerToMacFunnelInfo, §2.2.4.19. */
    FUNNEL_INFO(FunnelInfo.MID, Direction.CLIENT_TO_SERVER, FunnelInfo.class),
    /** LinkViewerToMacLogging, §2.2.4.20. */
    LOGGING(Logging.MID, Direction.CLIENT_TO_SERVER, Logging.class),
    /** LinkViewerToMacOpenFile, §2.2.4.21. */
    OPEN_FILE(OpenFile.MID, Direction.CLIENT_TO_SERVER, OpenFile.class),
    /** LinkViewerToMacPong, §2.2.4.22. */
    PONG(Pong.MID, Direction.CLIENT_TO_SERVER, Pong.class),
    /** LinkViewerToMacReadBlock, §2.2.4.23. */
    READ_BLOCK(ReadBlock.MID, Direction.CLIENT_TO_SERVER, ReadBlock.class),
    /** LinkViewerToMacSecurityResponse, §2.2.4.24. */
    SECURITY_RESPONSE(SecurityResponse.MID, Direction.CLIENT_TO_SERVER, SecurityResponse.class),
    /** LinkViewerToMacStartPlaying, §2.2.4.25. */
    START_PLAYING(StartPlaying.MID, Direction.CLIENT_TO_SERVER, StartPlaying.class),
    /** LinkViewerToMacStartStriding, §2.2.4.26. */
    START_STRIDING(StartStriding.MID, Direction.CLIENT_TO_SERVER, StartStriding.class),
    /** LinkViewerToMacStopPlaying, §2.2.4.27. */
    STOP_PLAYING(StopPlaying.MID, Direction.CLIENT_TO_SERVER, StopPlaying.class),
    /** LinkViewerToMacStreamSwitch, §2.2.4.28. */
    STREAM_SWITCH(StreamSwitch.MID, Direction.CLIENT_TO_SERVER, StreamSwitch.class);

    /** Which peer sends a message; the high 16 bits of every MID of one direction are the same. */
    public enum Direction {
        /** LinkViewerToMac* messages, MID 0x0003xxxx. */
        CLIENT_TO_SERVER(0x0003),
        /** LinkMacToViewer* messages, MID 0x0004xxxx. */
        SERVER_TO_CLIENT(0x0004);

        private final int midHigh;

        Direction(int midHigh) {
            this.midHigh = midHigh;
        }

        /** The high 16 bits of this direction's MIDs (0x0003 or 0x0004). */
        public int midHigh() {
            return midHigh;
        }

        /** The direction a MID's high 16 bits name, empty for any other value. */
        public static Optional<Direction> ofMid(int mid) {
            int high = mid >>> 16;
            return high == CLIENT_TO_SERVER.midHigh ? Optional.of(CLIENT_TO_SERVER)
                    : high == SERVER_TO_CLIENT.midHigh ? Optional.of(SERVER_TO_CLIENT) : Optional.empty();
        }
    }

    /** Fails class initialisation if two types share a MID. */
    private static final Map<Integer, MessageType> BY_MID = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(MessageType::mid, Function.identity()));

    private final int mid;
    private final Direction direction;
    private final Class<? extends MmsMessage> messageClass;

    MessageType(int mid, Direction direction, Class<? extends MmsMessage> messageClass) {
        this.mid = mid;
        this.direction = direction;
        this.messageClass = messageClass;
    }

    /** The message ID that identifies this type on the wire. */
    public int mid() {
        return mid;
    }

    /** Which peer sends this message. */
    public Direction direction() {
        return direction;
    }

    /** True for the LinkMacToViewer* messages, sent by the server. */
    public boolean fromServer() {
        return direction == Direction.SERVER_TO_CLIENT;
    }

    /** The record that holds a message of this type. */
    public Class<? extends MmsMessage> messageClass() {
        return messageClass;
    }

    /** The type a MID identifies, empty for an unknown MID. */
    public static Optional<MessageType> ofMid(int mid) {
        return Optional.ofNullable(BY_MID.get(mid));
    }
}
