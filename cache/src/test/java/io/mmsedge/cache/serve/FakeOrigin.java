package io.mmsedge.cache.serve;

import io.mmsedge.cache.TestMedia;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.ClientLog;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An upstream data session without sockets: it records each play request a fill makes, and
 * {@link #pump()} streams the fixture's packets for it on the test's thread, as an origin's
 * session would on its event loop: from the requested packet (or, for a request by time, the
 * packet {@link AsfFile#packetForTime} picks) to the end, then the end of the play request. A
 * new request made while streaming (a fill moving to the next gap) replaces the current one.
 */
final class FakeOrigin implements FillSource {

    /** One play request: a packet, or a time when {@code positionSeconds} is not NaN. */
    record Play(long packet, double positionSeconds) {
    }

    private final TestMedia media;
    private final String fixture;
    final List<Play> plays = new ArrayList<>();
    final List<ClientLog> logs = new ArrayList<>();
    private FillSink sink;
    private long requests;
    private long served;
    boolean closed;
    /** Reads paused by the fill (setReading(false)): the stream stops until resumed and pumped again. */
    private boolean paused;
    /** Where a paused request goes on; -1 when none is paused. */
    private long resumeAt = -1;
    int pauses;
    /** Data packets sent, over all requests. */
    long sent;

    FakeOrigin(TestMedia media, String fixture) {
        this.media = media;
        this.fixture = fixture;
    }

    @Override
    public synchronized void play(long packet, double positionSeconds, FillSink to) {
        plays.add(new Play(packet, positionSeconds));
        resumeAt = -1;
        sink = to;
        requests++;
    }

    @Override
    public synchronized void forwardLog(ClientLog log) {
        logs.add(log);
    }

    @Override
    public synchronized void setReading(boolean reading) {
        if (!reading && !paused) {
            pauses++;
        }
        paused = !reading;
    }

    synchronized boolean paused() {
        return paused;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private synchronized boolean pending() {
        return !closed && served < requests;
    }

    private synchronized boolean superseded(long request) {
        return closed || requests != request;
    }

    /** Serves play requests until none is left (or the fill closed the session, or paused its reads). */
    void pump() {
        while (pending() && !paused()) {
            long request;
            Play play;
            FillSink to;
            long from;
            synchronized (this) {
                request = requests;
                served = requests;
                play = plays.get(plays.size() - 1);
                to = sink;
                from = resumeAt;
                resumeAt = -1;
            }
            long n = from >= 0 ? from : Double.isNaN(play.positionSeconds()) ? play.packet()
                    : originPacketForTime(fixture, (long) (play.positionSeconds() * 1000));
            boolean replaced = false;
            for (; n < media.count(); n++) {
                ByteBuf b = media.packet((int) n);
                try {
                    to.packet(n, b);
                } finally {
                    b.release();
                }
                synchronized (this) {
                    sent++;
                }
                if (superseded(request)) {
                    replaced = true;
                    break;
                }
                if (pauseAt(request, n + 1)) {
                    replaced = true; // goes on at n + 1 once resumed and pumped
                    break;
                }
            }
            if (!replaced) {
                to.ended(0, null);
            }
        }
    }

    /** When the fill paused its reads: the request goes on at {@code next} with the next pump. */
    private synchronized boolean pauseAt(long request, long next) {
        if (!paused || requests != request) {
            return false;
        }
        resumeAt = next;
        served = requests - 1;
        return true;
    }

    /** Where the origin starts a play request by time in {@code fixture}. */
    static long originPacketForTime(String fixture, long ms) {
        try (AsfFile f = AsfFile.open(Fixtures.media(fixture))) {
            return f.packetForTime(ms);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
