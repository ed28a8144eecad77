package io.mmsedge.server.udp;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.locks.StampedLock;

/**
 * The recent packets of one live source shared by many players (a split), kept once for all its
 * UDP players' resends (MS-MMSP §3.2.5.13) instead of once per player: each player's
 * {@link ResendWindow} then keeps only its own header fields (LocationId, incarnation, AFFlags)
 * and finds the payload here by LocationId, so a resend is the shared payload behind the
 * player's own 8-byte header, exactly as first sent.
 *
 * <p>The source puts each packet once, on its own thread, as it publishes it; players look up
 * from theirs. Nothing is kept while no UDP player uses the window (the ring is allocated at the
 * first {@link #attach} and dropped after the last {@link #detach}). Bounded three ways: at most
 * {@code capacity} packets, at most {@code maxBytes} of payload, and no packet older than the
 * longest resend time of the players using it plus {@link #LAG_MARGIN_NANOS} (a player sends a
 * packet a little after it is published, its queue's lag).
 *
 * <p>A player's payload is the shared one only if it is the same memory (a duplicate of the
 * published buffer): a packet whose payloads the player's stream selection filtered is its own
 * copy, which its {@link ResendWindow} keeps itself ({@link #holds}).
 */
public final class SharedResendWindow implements AutoCloseable {

    /** Packets are kept this much longer than players' resend time: their send lags the publish. */
    static final long LAG_MARGIN_NANOS = 5_000_000_000L;

    private final int capacity;
    private final long maxBytes;
    /** Guards everything below; {@link #holds} reads optimistically (once per packet per player). */
    private final StampedLock lock = new StampedLock();
    private Ring ring;
    private int users;
    private long keepNanos;
    private long oldest = -1;
    private long newest = -1;
    private long bytes;
    private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
    private boolean closed;

    /** Slots by packet number modulo the capacity. */
    private static final class Ring {
        final long[] numbers;
        final long[] putNanos;
        final ByteBuf[] payloads;
        /** Where each payload's bytes are: a heap array, or null for native memory at {@link #offsets}. */
        final Object[] bases;
        final long[] offsets;
        final int[] lengths;

        Ring(int capacity) {
            numbers = new long[capacity];
            java.util.Arrays.fill(numbers, -1);
            putNanos = new long[capacity];
            payloads = new ByteBuf[capacity];
            bases = new Object[capacity];
            offsets = new long[capacity];
            lengths = new int[capacity];
        }
    }

    /**
     * @param capacity at most this many packets
     * @param maxBytes at most this many payload bytes
     */
    public SharedResendWindow(int capacity, long maxBytes) {
        if (capacity < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("capacity and maxBytes must be positive");
        }
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    /** A player starts using the window, keeping packets for {@code resendSeconds}; false once closed. */
    boolean attach(double resendSeconds) {
        long stamp = lock.writeLock();
        try {
            if (closed) {
                return false;
            }
            if (users++ == 0) {
                ring = new Ring(capacity);
            }
            keepNanos = Math.max(keepNanos, (long) (resendSeconds * 1e9) + LAG_MARGIN_NANOS);
            return true;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** A player stopped using it (one call per successful {@link #attach}); the last one empties it. */
    void detach() {
        long stamp = lock.writeLock();
        try {
            if (users > 0 && --users == 0) {
                clear();
                ring = null;
                keepNanos = 0;
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * The source published packet {@code number} (numbers only increase); keeps a retained
     * duplicate of {@code payload} if any player uses the window. Does not take ownership.
     */
    public void put(long number, ByteBuf payload, long nowNanos) {
        long stamp = lock.writeLock();
        try {
            Ring r = ring;
            if (r == null || number <= newest) {
                return;
            }
            if (newest >= 0 && number - newest >= capacity) {
                clear(); // a jump past the whole ring: nothing kept is reachable by slot any more
            }
            evictThrough(r, number - capacity); // the slot number takes
            int i = slot(number);
            int length = payload.readableBytes();
            r.numbers[i] = number;
            r.putNanos[i] = nowNanos;
            r.payloads[i] = payload.retainedDuplicate();
            r.lengths[i] = length;
            if (payload.hasArray()) {
                r.bases[i] = payload.array();
                r.offsets[i] = payload.arrayOffset() + payload.readerIndex();
            } else if (payload.hasMemoryAddress()) {
                r.bases[i] = null;
                r.offsets[i] = payload.memoryAddress() + payload.readerIndex();
            } else {
                r.bases[i] = r; // no address to compare: never taken as a player's payload
                r.offsets[i] = -1;
            }
            bytes += length;
            newest = number;
            if (oldest < 0) {
                oldest = number;
            }
            while (oldest < newest && (bytes > maxBytes || nowNanos - r.putNanos[slot(oldest)] > keepNanos)) {
                evictThrough(r, oldest);
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * True if {@code payload}, which a player is sending as LocationId {@code locationId}, is the
     * window's packet of that number, the very same bytes (not a copy, not a filtered version).
     */
    boolean holds(int locationId, ByteBuf payload) {
        Object base;
        long offset;
        if (payload.hasArray()) {
            base = payload.array();
            offset = payload.arrayOffset() + payload.readerIndex();
        } else if (payload.hasMemoryAddress()) {
            base = null;
            offset = payload.memoryAddress() + payload.readerIndex();
        } else {
            return false;
        }
        long stamp = lock.tryOptimisticRead();
        boolean same = matches(locationId, base, offset, payload.readableBytes());
        if (lock.validate(stamp)) {
            return same;
        }
        stamp = lock.readLock();
        try {
            return matches(locationId, base, offset, payload.readableBytes());
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private boolean matches(int locationId, Object base, long offset, int length) {
        Ring r = ring;
        if (r == null) {
            return false;
        }
        int i = slot(locationId);
        long n = r.numbers[i];
        return n >= 0 && (int) n == locationId && r.bases[i] == base && r.offsets[i] == offset
                && r.lengths[i] == length;
    }

    /** A retained duplicate of packet {@code locationId}'s payload, or null if no longer kept. */
    ByteBuf retainedPayload(int locationId) {
        long stamp = lock.readLock();
        try {
            Ring r = ring;
            if (r == null) {
                return null;
            }
            int i = slot(locationId);
            long n = r.numbers[i];
            if (n < 0 || (int) n != locationId) {
                return null;
            }
            served.incrementAndGet();
            return r.payloads[i].retainedDuplicate();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Packets kept now. */
    public int packets() {
        long stamp = lock.readLock();
        try {
            return oldest < 0 ? 0 : (int) countKept();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Payload bytes kept now. */
    public long bytes() {
        long stamp = lock.readLock();
        try {
            return bytes;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Payloads handed out for resends so far. */
    public long served() {
        return served.get();
    }

    /** Players using the window now. */
    public int users() {
        long stamp = lock.readLock();
        try {
            return users;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Releases every packet; later puts and attaches are refused. Idempotent. */
    @Override
    public void close() {
        long stamp = lock.writeLock();
        try {
            closed = true;
            clear();
            ring = null;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** By the low 32 bits: players name packets by their 32-bit LocationId. */
    private int slot(long number) {
        return Integer.remainderUnsigned((int) number, capacity);
    }

    private long countKept() {
        Ring r = ring;
        long n = 0;
        for (long k = oldest; r != null && k <= newest; k++) {
            n += r.numbers[slot(k)] == k ? 1 : 0;
        }
        return n;
    }

    /** Evicts every packet numbered up to {@code last}. */
    private void evictThrough(Ring r, long last) {
        if (oldest < 0) {
            return;
        }
        for (; oldest <= last && oldest <= newest; oldest++) {
            int i = slot(oldest);
            if (r.numbers[i] == oldest) {
                r.payloads[i].release();
                r.payloads[i] = null;
                r.bases[i] = null;
                r.numbers[i] = -1;
                bytes -= r.lengths[i];
            }
        }
        if (oldest > newest) {
            oldest = -1;
            newest = -1;
        }
    }

    private void clear() {
        Ring r = ring;
        if (r != null && oldest >= 0) {
            evictThrough(r, newest);
        }
        oldest = -1;
        newest = -1;
        bytes = 0;
    }
}
