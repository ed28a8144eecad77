package io.mmsedge.protocol.mms.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.message.MessageType.Direction;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageTypeTest {

    @Test
    void everyMidMapsToExactlyOneTypeAndBack() {
        Set<Integer> mids = new HashSet<>();
        for (MessageType t : MessageType.values()) {
            assertTrue(mids.add(t.mid()), "MID shared: " + t);
            assertEquals(Optional.of(t), MessageType.ofMid(t.mid()), t.name());
        }
        assertEquals(28, mids.size());
    }

    @Test
    void directionFollowsTheHighHalfOfTheMid() {
        int fromServer = 0;
        for (MessageType t : MessageType.values()) {
            assertEquals(Optional.of(t.direction()), Direction.ofMid(t.mid()), t.name());
            assertEquals(t.direction().midHigh(), t.mid() >>> 16, t.name());
            assertEquals(t.direction() == Direction.SERVER_TO_CLIENT, t.fromServer(), t.name());
            fromServer += t.fromServer() ? 1 : 0;
        }
        // §2.2.4.1 - §2.2.4.14 are LinkMacToViewer*, §2.2.4.15 - §2.2.4.28 LinkViewerToMac*.
        assertEquals(14, fromServer);
    }

    @Test
    void pingAndPongDifferOnlyInDirection() {
        assertEquals(MessageType.PING.mid() & 0xFFFF, MessageType.PONG.mid() & 0xFFFF);
        assertEquals(Direction.SERVER_TO_CLIENT, MessageType.PING.direction());
        assertEquals(Direction.CLIENT_TO_SERVER, MessageType.PONG.direction());
        assertEquals(Optional.of(MessageType.PING), MessageType.ofMid(0x0004001B));
        assertEquals(Optional.of(MessageType.PONG), MessageType.ofMid(0x0003001B));
    }

    @Test
    void unknownMidsHaveNoType() {
        for (int mid : new int[] {0, 0x00030000, 0x00040000, 0x00030003, 0x00040004, 0x0005001B, 0x0002001B, -1}) {
            assertFalse(MessageType.ofMid(mid).isPresent(), Integer.toHexString(mid));
        }
        assertEquals(Optional.empty(), Direction.ofMid(0x0005001B));
        assertEquals(Optional.empty(), Direction.ofMid(0xF0F0F0EF));
    }

    @Test
    void everyPermittedMessageClassHasExactlyOneType() {
        Class<?>[] permitted = MmsMessage.class.getPermittedSubclasses();
        assertEquals(MessageType.values().length, permitted.length);
        Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (Class<?> c : permitted) {
            List<MessageType> types = Arrays.stream(MessageType.values()).filter(t -> t.messageClass() == c).toList();
            assertEquals(1, types.size(), c.getSimpleName() + " has types " + types);
            seen.add(types.get(0));
        }
        assertEquals(EnumSet.allOf(MessageType.class), seen);
    }

    @Test
    void everyMessageReportsTheTypeOfItsClass() throws ReflectiveOperationException {
        for (MessageType t : MessageType.values()) {
            MmsMessage m = instance(t.messageClass());
            assertSame(t, m.type(), t.name());
            assertEquals(t.mid(), m.mid(), t.name());
            assertEquals(t.fromServer(), m.fromServer(), t.name());
            assertEquals(t.mid(), t.messageClass().getField("MID").getInt(null), t.name() + ".MID");
        }
    }

    /** A message of class {@code c} with every component zero, empty or null. */
    private static MmsMessage instance(Class<? extends MmsMessage> c) throws ReflectiveOperationException {
        RecordComponent[] components = c.getRecordComponents();
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = types[i] == int.class ? (Object) 0
                    : types[i] == long.class ? (Object) 0L
                    : types[i] == double.class ? (Object) 0.0
                    : types[i] == List.class ? List.of() : null;
        }
        Constructor<? extends MmsMessage> ctor = c.getDeclaredConstructor(types);
        return ctor.newInstance(args);
    }
}
