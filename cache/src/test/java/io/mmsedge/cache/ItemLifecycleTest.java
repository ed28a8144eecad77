package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pins, unlinking and deletion as {@link ItemLifecycle} decides them, without a store or files. */
class ItemLifecycleTest {

    private static ItemLifecycle filling() {
        return new ItemLifecycle("mms://origin/a.asf", ItemState.FILLING);
    }

    @Test
    void fillingBecomesCompleteOnce() {
        ItemLifecycle l = filling();
        assertTrue(l.valid());
        assertTrue(l.complete());
        assertEquals(ItemState.COMPLETE, l.state());
        assertTrue(l.valid());
        assertThrows(IllegalStateException.class, l::complete, "completing twice is a programming error");
    }

    @Test
    void unpinnedItemIsDeletedAtOnce() {
        ItemLifecycle l = filling();
        assertEquals(ItemLifecycle.Retirement.DELETE_NOW, l.unlink());
        assertEquals(ItemState.UNLINKED, l.state());
        assertFalse(l.valid());
        assertTrue(l.beginDelete());
        assertEquals(ItemState.DELETED, l.state());
        assertFalse(l.beginDelete(), "deleting again does nothing");
        assertEquals(ItemState.DELETED, l.state());
    }

    @Test
    void pinnedItemIsDeletedWithItsLastPin() {
        ItemLifecycle l = new ItemLifecycle("u", ItemState.COMPLETE);
        l.pin();
        l.pin();
        assertEquals(2, l.pins());
        assertFalse(l.unpinnedNow());
        assertEquals(ItemLifecycle.Retirement.WHEN_UNPINNED, l.unlink());
        assertEquals(ItemState.UNLINKED, l.state());
        assertEquals(ItemLifecycle.Retirement.ALREADY_INVALID, l.unlink(), "unlinked once");
        assertFalse(l.unpinned(), "one pin left");
        assertTrue(l.unpinned(), "the last pin deletes");
        assertTrue(l.unpinnedNow());
        assertTrue(l.beginDelete());
        assertEquals(ItemState.DELETED, l.state());
    }

    @Test
    void lastPinOfAnIndexedItemDeletesNothing() {
        ItemLifecycle l = filling();
        l.pin();
        assertFalse(l.unpinned());
        assertEquals(ItemState.FILLING, l.state());
    }

    @Test
    void anUnlinkedItemNeverBecomesComplete() {
        ItemLifecycle l = filling();
        l.pin();
        l.unlink();
        assertFalse(l.complete(), "its last packet came while it left the index: no move");
        assertEquals(ItemState.UNLINKED, l.state());
    }

    @Test
    void closingKeepsTheFilesOfEveryItemNotDeleted() {
        for (ItemState s : new ItemState[] {ItemState.FILLING, ItemState.COMPLETE}) {
            ItemLifecycle l = new ItemLifecycle("u", s);
            assertTrue(l.close());
            assertEquals(ItemState.CLOSED, l.state());
            assertFalse(l.valid());
            assertEquals(ItemLifecycle.Retirement.ALREADY_INVALID, l.unlink());
            assertFalse(l.complete());
        }
        ItemLifecycle pinned = filling();
        pinned.pin();
        pinned.unlink();
        assertTrue(pinned.close(), "unlinked but pinned when the store closes: its files stay");
        assertFalse(pinned.unpinned(), "a pin closing after the store's close deletes nothing");
        assertEquals(ItemState.CLOSED, pinned.state());
    }

    @Test
    void closingADeletedItemDoesNothing() {
        ItemLifecycle l = filling();
        l.unlink();
        l.beginDelete();
        assertFalse(l.close());
        assertEquals(ItemState.DELETED, l.state());
    }

    @Test
    void aClosedItemIsNeverDeleted() {
        ItemLifecycle l = filling();
        l.close();
        assertThrows(IllegalStateException.class, l::beginDelete);
    }

    @Test
    void anIndexedItemIsNeverDeletedWithoutLeavingTheIndex() {
        ItemLifecycle l = filling();
        assertThrows(IllegalStateException.class, l::beginDelete);
        assertEquals(ItemState.FILLING, l.state());
    }

    @Test
    void listenersHearWritesAndOneInvalidation() throws Exception {
        ItemLifecycle l = filling();
        AtomicInteger calls = new AtomicInteger();
        AutoCloseable handle = l.addListener(calls::incrementAndGet);
        l.fireWritten();
        assertEquals(1, calls.get());
        l.announceInvalid();
        l.announceInvalid();
        assertEquals(2, calls.get(), "invalid is announced once");
        AtomicInteger late = new AtomicInteger();
        l.addListener(late::incrementAndGet);
        assertEquals(1, late.get(), "added to an invalid item: called at once");
        handle.close();
        l.fireWritten();
        assertEquals(2, calls.get(), "removed");
        assertEquals(2, late.get(), "the other listener still hears writes");
        l.addListener(() -> {
            throw new IllegalStateException("a failing listener");
        });
        l.fireWritten(); // logged, not thrown
        assertEquals(3, late.get());
    }
}
