package io.mmsedge.server.session;

import static io.mmsedge.server.session.SessionState.AWAIT_CONNECT;
import static io.mmsedge.server.session.SessionState.CLOSED;
import static io.mmsedge.server.session.SessionState.CONNECTED;
import static io.mmsedge.server.session.SessionState.FUNNEL_READY;
import static io.mmsedge.server.session.SessionState.OPENED;
import static io.mmsedge.server.session.SessionState.OPENING;
import static io.mmsedge.server.session.SessionState.READY;
import static io.mmsedge.server.session.SessionState.SENDING_HEADER;
import static io.mmsedge.server.session.SessionState.STREAMING;

import io.mmsedge.protocol.mms.message.MessageType;
import io.mmsedge.protocol.mms.message.MmsMessage;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which client messages the server accepts in which state (§3.2.5), and why it refuses the
 * rest: a refused message closes the session with a log line naming it (§3.2.5.1's "unexpected
 * message" rule, applied strictly because players never send out of order by accident).
 */
final class CommandRules {

    private record Rule(Set<SessionState> states, String refusal) {
    }

    private static final Set<SessionState> ANY_OPEN = EnumSet.complementOf(EnumSet.of(CLOSED));
    private static final Set<SessionState> CONTENT_OPEN = EnumSet.of(OPENED, SENDING_HEADER, READY, STREAMING);
    private static final Rule PLAY = new Rule(EnumSet.of(READY, STREAMING), "play request before the header was read");

    private static final Map<MessageType, Rule> RULES = new EnumMap<>(Map.ofEntries(
            Map.entry(MessageType.CONNECT, new Rule(EnumSet.of(AWAIT_CONNECT), "Connect received twice")),
            Map.entry(MessageType.FUNNEL_INFO, new Rule(EnumSet.of(CONNECTED), "FunnelInfo outside INIT before ConnectFunnel")),
            Map.entry(MessageType.CONNECT_FUNNEL, new Rule(EnumSet.of(CONNECTED, FUNNEL_READY), "ConnectFunnel outside INIT")),
            Map.entry(MessageType.OPEN_FILE, new Rule(EnumSet.of(FUNNEL_READY),
                    "OpenFile before ConnectFunnel or while content is open")),
            Map.entry(MessageType.SECURITY_RESPONSE, new Rule(EnumSet.of(OPENING), "SecurityResponse without a challenge")),
            Map.entry(MessageType.READ_BLOCK, new Rule(EnumSet.of(OPENED, READY),
                    "ReadBlock before ReportOpenFile or while streaming")),
            Map.entry(MessageType.CANCEL_READ_BLOCK, new Rule(ANY_OPEN, "")),
            Map.entry(MessageType.STREAM_SWITCH, new Rule(CONTENT_OPEN, "StreamSwitch before OpenFile")),
            Map.entry(MessageType.START_PLAYING, PLAY),
            Map.entry(MessageType.START_STRIDING, PLAY),
            Map.entry(MessageType.STOP_PLAYING, new Rule(CONTENT_OPEN, "StopPlaying before OpenFile")),
            Map.entry(MessageType.LOGGING, new Rule(EnumSet.complementOf(EnumSet.of(AWAIT_CONNECT, CLOSED)),
                    "Logging before Connect")),
            Map.entry(MessageType.PONG, new Rule(ANY_OPEN, "")),
            Map.entry(MessageType.CLOSE_FILE, new Rule(ANY_OPEN, ""))));

    private CommandRules() {
    }

    /** Null if a session in {@code state} accepts {@code m}; otherwise why not. */
    static String refusal(SessionState state, MmsMessage m) {
        if (m.fromServer()) {
            return "server-to-client message sent by a client";
        }
        Rule rule = RULES.get(m.type());
        if (rule == null) {
            return "unexpected message";
        }
        if (rule.states().contains(state)) {
            return null;
        }
        if (rule == PLAY && state == SENDING_HEADER) {
            // The header isn't fully sent; a player can't have read it all yet.
            return "play request while the header is still being sent";
        }
        return rule.refusal();
    }
}
