package io.mmsedge.cache;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a {@link CacheItem} is in its life, with the only moves allowed between states. A move
 * not in the table is a programming error and throws {@link IllegalStateException}.
 *
 * <pre>
 *   FILLING ──────► COMPLETE          every packet stored
 *   FILLING, COMPLETE ──► UNLINKED     evicted, replaced or discarded: out of the index
 *   UNLINKED ─────► DELETED           last pin closed (or unpinned already): files deleted
 *   FILLING, COMPLETE, UNLINKED ──► CLOSED   store closed: files kept for the next start
 * </pre>
 *
 * <p>Nothing leaves {@link #DELETED} or {@link #CLOSED}; an item never goes back to filling, and
 * one that left the index never becomes complete (its coverage is frozen: writes are refused).
 */
enum ItemState {
    /** In the index, some packets missing: fills write it. */
    FILLING,
    /**
     * In the index, every packet stored. A packet that fails its checksum on read is dropped from
     * the coverage and the item, still COMPLETE, reads as not complete until a fill stores it again.
     */
    COMPLETE,
    /**
     * Out of the index (evicted, replaced by newer content, discarded as corrupt): readers stop
     * using it, writes are refused, but a session that pinned it may still read its files until
     * the last pin closes.
     */
    UNLINKED,
    /** Its files are deleted (or being deleted): nothing may use them any more. */
    DELETED,
    /** The store closed: the files stay on disk for the next start, this run uses them no more. */
    CLOSED;

    private Set<ItemState> next;

    static {
        FILLING.next = EnumSet.of(COMPLETE, UNLINKED, CLOSED);
        COMPLETE.next = EnumSet.of(UNLINKED, CLOSED);
        UNLINKED.next = EnumSet.of(DELETED, CLOSED);
        DELETED.next = EnumSet.noneOf(ItemState.class);
        CLOSED.next = EnumSet.noneOf(ItemState.class);
    }

    /** True when the table allows moving from this state to {@code to}. */
    boolean canMoveTo(ItemState to) {
        return next.contains(to);
    }

    /**
     * Checks the move to {@code to} and returns {@code to}.
     *
     * @throws IllegalStateException when the table does not allow it (a programming error)
     */
    ItemState moveTo(ItemState to) {
        if (!canMoveTo(to)) {
            throw new IllegalStateException("cache item: illegal lifecycle move " + this + " -> " + to);
        }
        return to;
    }

    /** In the store's index: readable, writable, listed ({@code CacheItem.valid()}). */
    boolean inIndex() {
        return this == FILLING || this == COMPLETE;
    }

    /** The files may no longer be read or written in this run. */
    boolean filesReleased() {
        return this == DELETED || this == CLOSED;
    }
}
