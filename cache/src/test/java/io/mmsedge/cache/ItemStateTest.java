package io.mmsedge.cache;

import static io.mmsedge.cache.ItemState.CLOSED;
import static io.mmsedge.cache.ItemState.COMPLETE;
import static io.mmsedge.cache.ItemState.DELETED;
import static io.mmsedge.cache.ItemState.FILLING;
import static io.mmsedge.cache.ItemState.UNLINKED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The table of moves of {@link ItemState}: every legal move, and a refusal of every other. */
class ItemStateTest {

    /** The lifecycle as the store uses it, written out independently of the enum's table. */
    private static final Map<ItemState, Set<ItemState>> LEGAL = Map.of(
            FILLING, EnumSet.of(COMPLETE, UNLINKED, CLOSED),
            COMPLETE, EnumSet.of(UNLINKED, CLOSED),
            UNLINKED, EnumSet.of(DELETED, CLOSED),
            DELETED, EnumSet.noneOf(ItemState.class),
            CLOSED, EnumSet.noneOf(ItemState.class));

    @Test
    void everyLegalMoveIsAllowed() {
        int legal = 0;
        for (ItemState from : ItemState.values()) {
            for (ItemState to : LEGAL.get(from)) {
                assertTrue(from.canMoveTo(to), from + " -> " + to);
                assertSame(to, from.moveTo(to));
                legal++;
            }
        }
        assertEquals(7, legal);
    }

    @Test
    void everyOtherMoveThrows() {
        int refused = 0;
        for (ItemState from : ItemState.values()) {
            for (ItemState to : ItemState.values()) {
                if (LEGAL.get(from).contains(to)) {
                    continue;
                }
                assertFalse(from.canMoveTo(to), from + " -> " + to);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> from.moveTo(to));
                assertTrue(e.getMessage().contains(from + " -> " + to), e.getMessage());
                refused++;
            }
        }
        assertEquals(25 - 7, refused);
    }

    @Test
    void aCompleteItemNeverGoesBackToFilling() {
        assertThrows(IllegalStateException.class, () -> COMPLETE.moveTo(FILLING));
    }

    @Test
    void anItemOutOfTheIndexNeverBecomesComplete() {
        assertThrows(IllegalStateException.class, () -> UNLINKED.moveTo(COMPLETE));
        assertThrows(IllegalStateException.class, () -> DELETED.moveTo(COMPLETE));
        assertThrows(IllegalStateException.class, () -> CLOSED.moveTo(COMPLETE));
    }

    @Test
    void noMoveStaysInPlace() {
        for (ItemState s : ItemState.values()) {
            assertThrows(IllegalStateException.class, () -> s.moveTo(s), s.name());
        }
    }

    @Test
    void onlyFillingAndCompleteAreInTheIndex() {
        assertEquals(EnumSet.of(FILLING, COMPLETE), states(ItemState::inIndex));
        assertEquals(EnumSet.of(DELETED, CLOSED), states(ItemState::filesReleased));
    }

    private static Set<ItemState> states(java.util.function.Predicate<ItemState> p) {
        Set<ItemState> out = EnumSet.noneOf(ItemState.class);
        for (ItemState s : ItemState.values()) {
            if (p.test(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
