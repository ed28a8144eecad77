package io.mmsedge.cache;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache item's {@link ItemState}, its pins and its listeners: the bookkeeping that decides when
 * an item leaves the index and when its files may go. This object is the item's state monitor:
 * {@link CacheItem} guards its coverage with it too, so that a check of the state and of the
 * coverage is one atomic step. It is taken last (after the item's write lock, the store lock and
 * the item's file lock) and held only for memory operations. Listeners run with no lock held.
 */
final class ItemLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ItemLifecycle.class);

    /** What {@link #unlink} did. */
    enum Retirement {
        /** Out of the index now and nobody holds a pin: delete the files now. */
        DELETE_NOW,
        /** Out of the index now; the last pin to close deletes the files. */
        WHEN_UNPINNED,
        /** It was out of the index already. */
        ALREADY_INVALID
    }

    private final String url; // for log lines
    // Guarded by this.
    private ItemState state;
    private int pins;

    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean invalidAnnounced = new AtomicBoolean();

    ItemLifecycle(String url, ItemState initial) {
        this.url = url;
        this.state = Objects.requireNonNull(initial, "initial");
    }

    synchronized ItemState state() {
        return state;
    }

    private void moveTo(ItemState to) {
        state = state.moveTo(to);
    }

    /** In the index: readers and writers may use it. */
    synchronized boolean valid() {
        return state.inIndex();
    }

    /**
     * FILLING → COMPLETE. False, and no move, when the item left the index meanwhile: a filling
     * item that is out of the index never becomes complete (its coverage stays what it was).
     */
    synchronized boolean complete() {
        if (!state.inIndex()) {
            return false;
        }
        moveTo(ItemState.COMPLETE);
        return true;
    }

    /**
     * A COMPLETE item whose dropped packet (a checksum failure on read) was stored again: complete
     * once more, with no move. False when it left the index meanwhile.
     */
    synchronized boolean completeAgain() {
        return state == ItemState.COMPLETE;
    }

    /** Leaves the index (FILLING or COMPLETE → UNLINKED). Under the store lock. */
    synchronized Retirement unlink() {
        if (!state.inIndex()) {
            return Retirement.ALREADY_INVALID;
        }
        moveTo(ItemState.UNLINKED);
        return pins == 0 ? Retirement.DELETE_NOW : Retirement.WHEN_UNPINNED;
    }

    synchronized void pin() {
        pins++;
    }

    synchronized int pins() {
        return pins;
    }

    /** For eviction: not pinned now (a pin may still come: {@link #unlink} decides). */
    synchronized boolean unpinnedNow() {
        return pins == 0;
    }

    /**
     * Drops a pin; true when it was the last one of an unlinked item, whose files are now to go
     * (the caller deletes them, which moves it to DELETED). Under the store lock.
     */
    synchronized boolean unpinned() {
        pins--;
        return pins == 0 && state == ItemState.UNLINKED;
    }

    /**
     * UNLINKED → DELETED, before the files are deleted. False, and no move, when they are deleted
     * already (the store's close and a last pin may both come to delete a doomed item).
     */
    synchronized boolean beginDelete() {
        if (state == ItemState.DELETED) {
            return false;
        }
        moveTo(ItemState.DELETED);
        return true;
    }

    /**
     * The store closes: → CLOSED, the files stay for the next start. False, and no move, when the
     * files are deleted already (the item was discarded while the store was closing).
     */
    synchronized boolean close() {
        if (state == ItemState.DELETED) {
            return false;
        }
        moveTo(ItemState.CLOSED);
        return true;
    }

    /**
     * Calls {@code listener} after each write that covers a new packet, and once when the item
     * becomes invalid; see {@link CacheItem#addListener}.
     */
    AutoCloseable addListener(Runnable listener) {
        Listener l = new Listener(Objects.requireNonNull(listener, "listener"));
        listeners.add(l);
        if (invalidAnnounced.get()) {
            l.invalid();
        }
        return () -> listeners.remove(l);
    }

    /** Tells listeners the item is invalid, once. Called with no lock held. */
    void announceInvalid() {
        if (invalidAnnounced.compareAndSet(false, true)) {
            for (Listener l : listeners) {
                l.invalid();
            }
        }
    }

    /** Tells listeners a new packet is covered. Called with no lock held. */
    void fireWritten() {
        for (Listener l : listeners) {
            l.written();
        }
    }

    /** A listener registration: {@link #invalid()} runs at most once. */
    private final class Listener {
        private final Runnable delegate;
        private final AtomicBoolean invalidCalled = new AtomicBoolean();

        Listener(Runnable delegate) {
            this.delegate = delegate;
        }

        void written() {
            call();
        }

        void invalid() {
            if (invalidCalled.compareAndSet(false, true)) {
                call();
            }
        }

        private void call() {
            try {
                delegate.run();
            } catch (RuntimeException e) {
                LOG.warn("cache listener of {} failed", url, e);
            }
        }
    }
}
