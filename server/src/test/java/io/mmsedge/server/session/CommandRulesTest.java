package io.mmsedge.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.StartPlaying;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The MMS/TCP front end's state machine tables, without a connection. */
class CommandRulesTest {

    private static final Connect CONNECT = new Connect(0xF0F0F0EF, 0x0004000B, 0x0003001C, "NSPlayer/7.0.0.1956");
    private static final StartPlaying PLAY = new StartPlaying(1, 0, Double.MAX_VALUE, 0, 0, 0, 0, 0, 0, 0);

    @Test
    void connectIsAcceptedOnlyFirst() {
        assertNull(CommandRules.refusal(SessionState.AWAIT_CONNECT, CONNECT));
        for (SessionState s : EnumSet.range(SessionState.CONNECTED, SessionState.STREAMING)) {
            assertEquals("Connect received twice", CommandRules.refusal(s, CONNECT), s.name());
        }
    }

    @Test
    void playIsAcceptedOnlyOnceTheHeaderWasRead() {
        assertNull(CommandRules.refusal(SessionState.READY, PLAY));
        assertNull(CommandRules.refusal(SessionState.STREAMING, PLAY), "a play request while streaming continues");
        assertEquals("play request while the header is still being sent",
                CommandRules.refusal(SessionState.SENDING_HEADER, PLAY));
        assertEquals("play request before the header was read", CommandRules.refusal(SessionState.OPENED, PLAY));
    }

    @Test
    void openFileOnlyAfterTheFunnelAndNotWhileContentIsOpen() {
        OpenFile open = new OpenFile(1, 0, 0, "av.asf", new byte[0]);
        assertNull(CommandRules.refusal(SessionState.FUNNEL_READY, open));
        assertNotNull(CommandRules.refusal(SessionState.CONNECTED, open));
        assertNotNull(CommandRules.refusal(SessionState.OPENED, open));
        assertNotNull(CommandRules.refusal(SessionState.STREAMING, open));
    }

    @Test
    void readBlockNotWhileStreaming() {
        ReadBlock read = new ReadBlock(1, 0, 0, 0, 0x8000, 0xFFFFFFFF, 0, 0, 1, 0);
        assertNull(CommandRules.refusal(SessionState.OPENED, read));
        assertNull(CommandRules.refusal(SessionState.READY, read));
        assertNotNull(CommandRules.refusal(SessionState.STREAMING, read));
    }

    @Test
    void aServerMessageFromAClientIsRefusedInEveryState() {
        for (SessionState s : SessionState.values()) {
            assertEquals("server-to-client message sent by a client", CommandRules.refusal(s, new Ping(0, 0)));
        }
    }

    @Test
    void everyStateIsReachableFromConnectAndEveryStateCanClose() {
        Set<SessionState> seen = EnumSet.of(SessionState.AWAIT_CONNECT);
        Deque<SessionState> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            SessionState from = todo.poll();
            for (SessionState to : SessionState.values()) {
                if (from.canMoveTo(to) && seen.add(to)) {
                    todo.add(to);
                }
            }
        }
        assertEquals(EnumSet.allOf(SessionState.class), seen);
        for (SessionState s : SessionState.values()) {
            assertTrue(s.canMoveTo(SessionState.CLOSED), s.name());
        }
        for (SessionState s : EnumSet.range(SessionState.AWAIT_CONNECT, SessionState.STREAMING)) {
            assertFalse(SessionState.CLOSED.canMoveTo(s), "CLOSED is final: " + s);
        }
    }

    @Test
    void theHandshakeCannotBeSkipped() {
        assertFalse(SessionState.AWAIT_CONNECT.canMoveTo(SessionState.FUNNEL_READY));
        assertFalse(SessionState.CONNECTED.canMoveTo(SessionState.OPENED));
        assertFalse(SessionState.OPENED.canMoveTo(SessionState.STREAMING), "the header is read first");
        assertTrue(SessionState.READY.canMoveTo(SessionState.STREAMING));
        assertTrue(SessionState.STREAMING.canMoveTo(SessionState.READY));
    }
}
