package io.mmsedge.proxy.relay;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.upstream.UpstreamListener;
import io.mmsedge.proxy.upstream.Upstream;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content relayed from one upstream session, seen by the player's server session as ordinary
 * {@link Media}. Play requests go upstream unchanged (position, asfOffset, locationId, rate);
 * packets come back already paced by the origin and keep their ASF payload bytes untouched —
 * only the 8-byte Data header is rebuilt, by the player's session. A playlist change upstream
 * (EndOfStream hr 1 + StreamChange) becomes the next entry here.
 */
public final class UpstreamMedia implements Media, UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(UpstreamMedia.class);
    /**
     * Packets queued for a player above which the upstream connection stops reading (autoRead
     * off): a player slower than the origin sends (the origin paces at the content rate, so a
     * player slower than real time, or one that stopped reading) holds the origin back through
     * TCP instead of filling the edge's memory.
     */
    static final long PAUSE_QUEUED_BYTES = 2L * 1024 * 1024;
    /** Reading resumes once the player has taken the queue down to this. */
    static final long RESUME_QUEUED_BYTES = 512L * 1024;
    /**
     * Backstop only: with reads paused at {@link #PAUSE_QUEUED_BYTES} the queue never gets here
     * (at most one read batch more); if it did, the player is disconnected as before.
     */
    static final long MAX_QUEUED_BYTES = 16L * 1024 * 1024;

    private final String name;
    /** The session content comes from; replaced when a resume moves to another origin. */
    private volatile Upstream upstream;
    /** Mid-stream failover, or null (issue #13 §2). */
    private final RelayResume resume;
    private final ProxyMetrics metrics;
    private final Runnable onClose;
    private final ConcurrentLinkedQueue<Object> events = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ContentInfo info;
    private volatile ContentInfo nextInfo;
    private volatile Cursor current;
    private volatile Runnable availability;
    private boolean continueIntoNextEntry;
    /** Upstream reads are paused; written on the upstream session's loop only, read anywhere as a hint. */
    private volatile boolean readingPaused;
    /** A resume check is on its way to the upstream loop: one is enough however many packets the player takes. */
    private final AtomicBoolean resumeQueued = new AtomicBoolean();

    public UpstreamMedia(String name, Upstream upstream, ReportOpenFile openFile, byte[] header,
                         ProxyMetrics metrics, Runnable onClose) {
        this(name, upstream, openFile, header, metrics, onClose, null);
    }

    /**
     * @param failover reopens the content at the route's next origin when this one is lost
     *                 mid-stream (the relay then resumes there if the content is the same), or null
     */
    public UpstreamMedia(String name, Upstream upstream, ReportOpenFile openFile, byte[] header,
                         ProxyMetrics metrics, Runnable onClose, io.mmsedge.proxy.origin.OriginFailover failover) {
        this.name = name;
        this.upstream = upstream;
        this.metrics = metrics;
        this.onClose = onClose;
        this.info = contentInfo(header, openFile.filePacketSize(), openFile.filePacketCount(),
                Integer.toUnsignedLong(openFile.fileBitRate()), openFile.fileDuration(), openFile.fileAttributes());
        this.resume = failover == null ? null : new RelayResume(name, failover, header, info);
        upstream.setListener(this);
    }

    /** A ContentInfo from an upstream header and the origin's own figures. */
    public static ContentInfo contentInfoOf(byte[] header, int packetSize, long packetCount, long bitRate,
                                            double duration, int attributes) {
        return contentInfo(header, packetSize, packetCount, bitRate, duration, attributes);
    }

    static ContentInfo contentInfo(byte[] header, int packetSize, long packetCount, long bitRate, double duration,
                                   int attributes) {
        return ContentInfo.fromHeader(header, packetSize, packetCount, bitRate, duration, attributes);
    }

    @Override
    public String publishingPoint() {
        return name;
    }

    @Override
    public ContentInfo info() {
        return info;
    }

    // ------------------------------------------------------------------ playing

    @Override
    public PacketCursor play(PlayRequest r) {
        Cursor c = newCursor();
        double position = r.hasPosition() ? r.positionSeconds() : Double.MAX_VALUE;
        int asfOffset = r.asfOffset() < 0 ? -1 : (int) r.asfOffset();
        int locationId = r.locationId() < 0 ? -1 : (int) r.locationId();
        Upstream upstream = this.upstream;
        if (resume != null) {
            upstream.eventLoop().execute(() -> resume.playing(r.rate() == 1.0));
        }
        var started = r.rate() == 1.0
                ? upstream.startPlaying(position, asfOffset, locationId, r.frameOffset())
                : upstream.startStriding(position, asfOffset, locationId, r.rate());
        started.whenComplete((hr, err) -> {
            if (err != null) {
                c.fail(Hresults.NS_E_CANNOTCONNECT, "upstream play failed: " + err);
            } else if (Hresults.failed(hr)) {
                c.fail(hr, "origin refused to play: hr=" + Hresults.hex(hr));
            }
        });
        return c;
    }

    @Override
    public PacketCursor play(long startPacket, double rate) {
        if (continueIntoNextEntry) {
            // The origin already streams the next playlist entry (§3.2.4.2): keep reading it.
            continueIntoNextEntry = false;
            return newCursor();
        }
        return play(new PlayRequest(Double.NaN, -1, startPacket, 0, rate));
    }

    private Cursor newCursor() {
        Cursor c = new Cursor();
        current = c;
        return c;
    }

    @Override
    public long packetForTime(long ms) {
        return 0; // seeking is the origin's: play(PlayRequest) passes the position upstream
    }

    @Override
    public long packetForByteOffset(long asfOffset) {
        return 0;
    }

    @Override
    public boolean hasNextEntry() {
        return nextInfo != null;
    }

    @Override
    public boolean nextEntry() {
        ContentInfo next = nextInfo;
        if (next == null) {
            return false;
        }
        info = next;
        nextInfo = null;
        continueIntoNextEntry = true;
        return true;
    }

    @Override
    public void clientLog(ClientLog clientLog) {
        // Forwarded so that the origin's statistics stay right (the edge logs it too).
        upstream.sendLogging(clientLog);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            upstream.close();
            drain();
            metrics.upstreamClosed();
            onClose.run();
        }
    }

    private void drain() {
        Object o;
        while ((o = events.poll()) != null) {
            if (o instanceof MediaPacket p) {
                p.release();
            }
        }
        queuedBytes.set(0);
        resumeIfDrained();
    }

    // ------------------------------------------------------------------ backpressure

    /**
     * On the upstream loop: pauses reads above {@link #PAUSE_QUEUED_BYTES}, resumes them at or
     * below {@link #RESUME_QUEUED_BYTES}. Decided there, from the queue as it is then, so a pause
     * and a resume racing from two threads cannot leave reads paused on an empty queue or running
     * on a full one.
     */
    private void updateReading() {
        long queued = queuedBytes.get();
        boolean pause = readingPaused ? queued > RESUME_QUEUED_BYTES && !closed.get() : queued > PAUSE_QUEUED_BYTES;
        if (pause != readingPaused) {
            readingPaused = pause;
            upstream.setReading(!pause);
        }
    }

    /** On the player's side, after it took packets: resume upstream reads once the queue drained. */
    private void resumeIfDrained() {
        if (readingPaused && queuedBytes.get() <= RESUME_QUEUED_BYTES && resumeQueued.compareAndSet(false, true)) {
            try {
                upstream.eventLoop().execute(() -> {
                    resumeQueued.set(false);
                    updateReading();
                });
            } catch (RejectedExecutionException e) {
                resumeQueued.set(false); // shutting down: nothing is read any more anyway
            }
        }
    }

    // ------------------------------------------------------------------ upstream events

    private record End(int hr, String reason) {
    }

    private record Change(ContentInfo info) {
    }

    @Override
    public void onDataPacket(DataPacket packet) {
        try {
            if (closed.get()) {
                return;
            }
            int n = packet.content().readableBytes();
            metrics.upstreamBytes(n + DataPacket.HEADER_SIZE);
            if (resume != null && !resume.relay(Integer.toUnsignedLong(packet.locationId()))) {
                return; // the lead-in of a resumed request: the player has these packets
            }
            AsfPacket parsed;
            try {
                parsed = AsfPacket.parse(packet.content(), info.packetSize());
            } catch (AsfFormatException e) {
                enqueue(new End(Hresults.E_FAIL, "origin sent a malformed ASF packet at LocationId "
                        + Integer.toUnsignedLong(packet.locationId()) + ": " + e.getMessage()));
                return;
            }
            if (queuedBytes.addAndGet(n) > MAX_QUEUED_BYTES) {
                enqueue(new End(Hresults.NS_E_SERVER_UNAVAILABLE, "player fell more than "
                        + MAX_QUEUED_BYTES / (1024 * 1024) + " MiB behind the origin"));
                return;
            }
            enqueue(new MediaPacket(Integer.toUnsignedLong(packet.locationId()), parsed.sendTimeMs(),
                    parsed.payloads(), packet.content().retain()));
            updateReading();
        } finally {
            packet.release();
        }
    }

    @Override
    public void onEndOfStream(int hr) {
        if (hr == Hresults.S_STREAM_CHANGE) {
            return; // the Change event follows with the new header
        }
        enqueue(new End(hr, hr == 0 ? null : "origin ended the stream with hr=" + Hresults.hex(hr)));
    }

    @Override
    public void onStreamChange(ReportStreamChange change, byte[] header) {
        try {
            ContentInfo next = contentInfo(header, change.cbPacketSize(), 0, Integer.toUnsignedLong(change.dwBitRate()),
                    0, info.attributes());
            enqueue(new Change(next));
        } catch (AsfFormatException e) {
            enqueue(new End(Hresults.E_FAIL, "origin's new playlist entry has a malformed header: " + e.getMessage()));
        }
    }

    @Override
    public void onFailure(int hr, String reason) {
        log.warn("{}: upstream failed: {}", name, reason);
        Upstream lost = upstream;
        if (resume != null && !closed.get() && resume.tryResume(lost, reason, this::resumed)) {
            lost.close();
            return;
        }
        enqueue(new End(Hresults.failed(hr) ? hr : Hresults.NS_E_CANNOTCONNECT, "upstream failed: " + reason));
    }

    /** A resume's outcome: the new session to read on, or null and why the player's stream ends. */
    private void resumed(Upstream next, String failure) {
        if (next == null) {
            enqueue(new End(Hresults.NS_E_CANNOTCONNECT, "upstream failed: " + failure));
            return;
        }
        if (closed.get()) {
            next.close();
            return;
        }
        upstream = next;
        readingPaused = false;
        next.setListener(this);
        updateReading();
        if (closed.get()) {
            next.close(); // closed meanwhile: close() may have closed the lost session instead
        }
    }

    private void enqueue(Object event) {
        if (closed.get()) {
            if (event instanceof MediaPacket p) {
                p.release();
            }
            return;
        }
        events.add(event);
        Runnable r = availability;
        if (r != null) {
            r.run();
        }
    }

    /** The packets of the current play request, in arrival order. */
    private final class Cursor implements PacketCursor {
        private boolean finished;
        private volatile End failure;

        void fail(int hr, String reason) {
            enqueue(new End(hr, reason));
        }

        @Override
        public MediaPacket poll() {
            if (finished || current != this) {
                return null;
            }
            Object o = events.poll();
            if (o == null) {
                return null;
            }
            if (o instanceof MediaPacket p) {
                queuedBytes.addAndGet(-p.content().readableBytes());
                resumeIfDrained();
                return p;
            }
            if (o instanceof Change c) {
                nextInfo = c.info();
                finished = true;
                return null;
            }
            End e = (End) o;
            finished = true;
            if (e.reason() != null && Hresults.failed(e.hr())) {
                throw new MediaReadException(e.hr(), e.reason());
            }
            return null;
        }

        @Override
        public boolean finished() {
            return finished;
        }

        @Override
        public boolean selfPaced() {
            return true;
        }

        @Override
        public void onAvailable(Runnable listener) {
            availability = listener;
            if (!events.isEmpty()) {
                listener.run();
            }
        }

        @Override
        public void close() {
            if (current == this && !finished && !closed.get()) {
                // The player stopped (seek or StopPlaying): stop the origin too; packets of
                // this play request still in flight are dropped by the upstream session.
                upstream.stopPlaying();
                drain();
            }
            finished = true;
        }
    }
}
