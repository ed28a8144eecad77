package io.mmsedge.server.broadcast;

import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.MediaPacket;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live source made of ASF files played in real time, forever: one file looped, or a broadcast
 * playlist whose entries follow one another (each new entry's header reaches every player as a
 * StreamChange, §3.2.4.2) and which starts over after the last entry.
 *
 * <p>It runs on the broadcast's publisher event loop, one timer at a time: each packet is read
 * (via {@link AsfFileEntry}: parsed once, padding stripped), moved along the time line and
 * published at its send time divided by the pacing speed. LocationId ({@link MediaPacket#number()})
 * counts on across loops and entries, as in the virtual file of a live stream (§2.2.2). Send and
 * presentation times are shifted so that they keep increasing across loops and entries (see
 * {@link AsfTimes}); a single file's header is sent once, its loops are one continuous stream.
 */
public final class LoopedFileSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoopedFileSource.class);
    /** A live source never runs unpaced: pacing 0 ("as fast as possible", tests) becomes this. */
    public static final double UNPACED_SPEED = 100.0;
    /**
     * Packets published per turn on the event loop before the pump yields: the loop serves
     * players' sessions too, and a source that is behind must not hold it.
     */
    static final int PACKETS_PER_TURN = 64;
    /**
     * How far the source may fall behind its clock before it stops catching up and re-anchors
     * its clock at the current packet. A stalled process (GC, a busy machine) bursts at most this
     * much content; a machine that cannot produce the stream as fast as the pacing asks (100×
     * under paranoid leak detection) gets a slower stream instead of a livelocked event loop.
     */
    static final long MAX_BEHIND_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

    private final Broadcast broadcast;
    private final List<Path> files;
    private final double speed;
    private final ByteBufAllocator alloc;
    private final EventLoop loop;

    // ---- confined to the loop
    private AsfFileEntry entry;
    private int entryIndex;
    private long nextInEntry;
    /** Added to the current entry's send and presentation times. */
    private long offsetMs;
    private long lastSendMs = -1;
    private long lastPresentationMs = -1;
    private long locationId;
    private long loops;
    private long startNanos;
    private long firstSendMs = -1;
    private MediaPacket pending;
    private ScheduledFuture<?> timer;
    private boolean running;

    /**
     * @param speed pacing multiplier on real time (1 = the content's rate); 0 means
     *              {@link #UNPACED_SPEED}, since a live source must stay paced
     */
    public LoopedFileSource(Broadcast broadcast, List<Path> files, double speed, ByteBufAllocator alloc) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a broadcast needs at least one file");
        }
        if (!(speed >= 0)) {
            throw new IllegalArgumentException("speed must be >= 0");
        }
        this.broadcast = broadcast;
        this.files = List.copyOf(files);
        this.speed = speed == 0 ? UNPACED_SPEED : speed;
        this.alloc = alloc;
        this.loop = broadcast.publisher();
    }

    public Broadcast broadcast() {
        return broadcast;
    }

    /** How many times the source has started over (for tests and status). */
    public long loops() {
        return loops;
    }

    /**
     * Opens the first file and starts publishing; the broadcast has a header when this returns.
     * Must not be called on the broadcast's event loop.
     *
     * @throws java.io.UncheckedIOException or another runtime exception if the file can't be opened
     */
    public LoopedFileSource start() {
        loop.submit(() -> {
            openEntry(0);
            running = true;
            startNanos = System.nanoTime();
            pump();
            return null;
        }).syncUninterruptibly();
        log.info("broadcast {} started: {} file(s), pacing x{}", broadcast.name(), files.size(), speed);
        return this;
    }

    private void openEntry(int index) throws java.io.IOException {
        AsfFileEntry next = AsfFileEntry.open(files.get(index), 0, alloc);
        if (entry != null) {
            entry.close();
        }
        entry = next;
        entryIndex = index;
        nextInEntry = 0;
        if (broadcast.header() == null || files.size() > 1) {
            broadcast.publishHeader(next.info());
        }
    }

    private void pump() {
        timer = null;
        if (!running) {
            return;
        }
        try {
            for (int turn = 0; running; turn++) {
                if (pending == null) {
                    pending = readNext();
                    if (pending == null) {
                        return; // rescheduled after a failure
                    }
                }
                long due = startNanos + (long) ((pending.sendTimeMs() - firstSendMs) * 1e6 / speed);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    timer = loop.schedule(this::pump, wait, TimeUnit.NANOSECONDS);
                    return;
                }
                if (turn == PACKETS_PER_TURN) {
                    timer = loop.schedule(this::pump, 0, TimeUnit.NANOSECONDS);
                    return;
                }
                if (-wait > MAX_BEHIND_NANOS) {
                    startNanos -= wait;
                    log.debug("broadcast {}: {} ms behind its clock; re-anchored", broadcast.name(), -wait / 1_000_000);
                }
                MediaPacket p = pending;
                pending = null;
                broadcast.publish(p);
            }
        } catch (RuntimeException | java.io.IOException e) {
            // A broken file must not end the broadcast silently in a tight loop: log, retry later.
            log.error("broadcast {}: cannot read {}: {}; retrying in 1 s", broadcast.name(),
                    files.get(entryIndex), e.toString());
            if (running) {
                timer = loop.schedule(this::pump, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads the next packet of the virtual stream, moving to the next loop or entry at the end. */
    private MediaPacket readNext() throws java.io.IOException {
        if (nextInEntry >= entry.packetCount()) {
            // The next loop / entry starts after everything sent so far: send times keep increasing,
            // and presentation times too (the new entry's first one lands after the last one shown).
            long span = Math.round(entry.info().durationSeconds() * 1000);
            int next = (entryIndex + 1) % files.size();
            if (next == 0) {
                loops++;
            }
            openEntry(next);
            long preroll = entry.info().prerollMs();
            offsetMs = Math.max(Math.max(offsetMs + span, lastSendMs + 1), lastPresentationMs + 1 - preroll);
        }
        MediaPacket raw = entry.read(nextInEntry++);
        try {
            long sendMs = raw.sendTimeMs() + offsetMs;
            AsfPacket parsed = AsfPacket.parse(raw.content(), entry.info().packetSize());
            AsfTimes.shift(raw.content(), parsed, offsetMs);
            AsfPacket shifted = offsetMs == 0 ? parsed : AsfPacket.parse(raw.content(), entry.info().packetSize());
            for (var pl : shifted.payloads()) {
                lastPresentationMs = Math.max(lastPresentationMs, pl.presentationTimeMs());
            }
            lastSendMs = Math.max(lastSendMs, sendMs);
            if (firstSendMs < 0) {
                firstSendMs = sendMs;
            }
            return new MediaPacket(locationId++, sendMs, shifted.payloads(), raw.content().retain());
        } finally {
            raw.release();
        }
    }

    /** Stops publishing, closes the file and ends the broadcast (players get EndOfStream). */
    @Override
    public void close() {
        Runnable stop = () -> {
            running = false;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            if (pending != null) {
                pending.release();
                pending = null;
            }
            if (entry != null) {
                entry.close();
                entry = null;
            }
        };
        if (loop.inEventLoop()) {
            stop.run();
        } else {
            try {
                loop.submit(stop).awaitUninterruptibly(5_000);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stop.run(); // the loop is gone: nothing runs concurrently any more
            }
        }
        broadcast.close();
    }
}
