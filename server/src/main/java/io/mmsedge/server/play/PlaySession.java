package io.mmsedge.server.play;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.accesslog.SessionAccess;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to one player between "content opened" and "session closed", whatever protocol
 * the player speaks: the open with its authorization result, header delivery, stream selection,
 * seeking, striding, playlist entry changes, pacing and write windows, the end of the content,
 * and the session's statistics (kept by {@link PlayBookkeeping}). A front end (MMS/TCP, MMSH,
 * UDP) turns its protocol's requests into calls here and frames what comes out through its
 * {@link PlayerTransport}, on its {@link PlayerChannel}; it hears back through
 * {@link PlayEvents}. Files, playlists, broadcasts, cache hits, fills, relays and splits
 * all arrive as a {@link Media}. Every method runs on the session's thread.
 */
public final class PlaySession {

    private static final Logger log = LoggerFactory.getLogger(PlaySession.class);

    private final ServerSettings settings;
    private final MediaCatalog catalog;
    private final PlayerChannel channel;
    private final PlayerTransport transport;
    private final PlayEvents events;
    private final ByteBufAllocator alloc;
    /** Counters, metrics and access-log lines; the front end describes itself in its SessionAccess. */
    private final PlayBookkeeping book;

    private SubscriberName subscriber;
    private Media media;
    private StreamSelection selection;
    private HeaderDelivery header;
    private PacketPump pump;
    /** Compatible playlist entries sent as one stream from the current one on; null if none. */
    private JoinedEntries joined;
    /** The current entry's place in {@link #joined}. */
    private int joinedIndex;
    /** Stream changes wait for playNextEntry() (see holdEntryChanges). */
    private boolean holdEntries;
    private boolean entryHeld;
    /** From a play request until it stops or the content ends; survives a playlist's entry change. */
    private boolean playing;
    private boolean closed;

    public PlaySession(ServerSettings settings, MediaCatalog catalog, ServerMetrics metrics, PlayerChannel channel,
                       PlayerTransport transport, PlayEvents events, ByteBufAllocator alloc) {
        this.channel = channel;
        this.settings = settings;
        this.catalog = catalog;
        this.transport = transport;
        this.events = events;
        this.alloc = alloc;
        this.book = new PlayBookkeeping(metrics, channel::peer);
    }

    /** Who is playing (the Connect subscriberName, §2.2.4.17); null when the protocol has none. */
    public void setPlayer(SubscriberName player) {
        this.subscriber = player;
    }

    /**
     * The pause between a reply and the Data packets that follow it ({@link Pacing#REPLY_GAP_NANOS},
     * for MPlayer, which loses whatever shares a read with a reply). None for a proxy's upstream
     * session (a VIA token, §2.2.4.17): a proxy reads frames, and its players, MPlayer or not,
     * read the proxy's own session, which keeps the gap. The gap was two of the three
     * milliseconds an edge's freshness check added to a cache hit's first packet.
     */
    long replyGapNanos() {
        return viaProxy() ? 0 : Pacing.REPLY_GAP_NANOS;
    }

    private boolean viaProxy() {
        return subscriber != null && subscriber.viaProxy();
    }

    // ------------------------------------------------------------------ open

    /**
     * Opens {@code path} for this player and hands the result to {@code then} on this session's
     * thread, once known (an edge may have to ask its origin first). On success the media is
     * this session's; a result arriving after the session closed is dropped.
     */
    public void open(String path, String credentials, Consumer<OpenResult> then) {
        channel.handshakeDone();
        book.requested(path, subscriber);
        OpenResult result;
        try {
            result = catalog.open(new OpenRequest(path, subscriber, channel.peer(), credentials,
                    channel.eventLoop()));
        } catch (RuntimeException e) {
            log.warn("peer={} path={} open failed: {}", channel.peer(), path, e.toString());
            result = new OpenResult.Failed(Hresults.E_FAIL, e.getMessage());
        }
        onOpenResult(result, then);
    }

    private void onOpenResult(OpenResult result, Consumer<OpenResult> then) {
        if (closed) {
            if (result instanceof OpenResult.Opened o) {
                o.media().close();
            }
            return;
        }
        if (result instanceof OpenResult.Pending p) {
            p.result().whenComplete((r, err) -> channel.schedule(() -> onOpenResult(
                    err != null ? new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, err.toString()) : r, then),
                    0, TimeUnit.NANOSECONDS));
            return;
        }
        if (result instanceof OpenResult.Opened o) {
            media = o.media();
            planJoin();
            selection = StreamSelection.none(media.info());
            book.opened(media.publishingPoint(), info(), subscriber);
        } else if (result instanceof OpenResult.Failed f) {
            book.refused(f.hr());
        }
        then.accept(result);
    }

    // ------------------------------------------------------------------ header (§3.2.5.8)

    /** Sends the current entry's header; {@link PlayEvents#headerSent()} follows. */
    public void sendHeader() {
        header = new HeaderDelivery(this, channel, transport, alloc, info(), () -> {
            header = null;
            events.headerSent();
        });
        header.start();
    }

    /** Discards header pieces not yet sent (§3.2.5.9); false if no header was being sent. */
    public boolean cancelHeader() {
        if (header == null) {
            return false;
        }
        header.cancel();
        header = null;
        return true;
    }

    // ------------------------------------------------------------------ selection (§3.2.5.10)

    /**
     * Applies a stream selection; false, and nothing changed, if it names streams the content
     * doesn't have. The access log records what the player now receives and its bit rate.
     */
    public boolean selectStreams(List<StreamSwitchEntry> entries) {
        if (!selection.apply(entries, media.info())) {
            return false;
        }
        book.streamSwitch(selection.describe(media.info()));
        return true;
    }

    /** §3.2.5.11: Windows Media Services 4.x as a client gets every stream until it selects. */
    private void defaultSelection() {
        if (!selection.switched() && subscriber != null && subscriber.clientToken().startsWith("Spooooon!")) {
            selection = StreamSelection.all(media.info());
        }
    }

    // ------------------------------------------------------------------ playing (§3.2.5.11, §3.2.5.12)

    /** True if the content allows striding (fast forward and rewind, §2.2.4.26). */
    public boolean canStride() {
        return (info().attributes() & ContentInfo.ATTR_CANSTRIDE) != 0;
    }

    /**
     * Starts playing where {@code request} says, or, while already playing, continues from the
     * next packet at the request's rate (§3.2.5.11: the position fields are then ignored).
     *
     * @param accelBitRate dwAccelBandwidth, 0 for none (§2.2.4.25)
     * @param accelMs      dwAccelDuration
     * @throws MediaReadException if the content can't be read
     */
    public void play(PlayRequest request, long accelBitRate, long accelMs) {
        defaultSelection();
        PacketCursor cursor;
        if (pump == null) {
            cursor = joinedCursor(media.play(request));
        } else {
            long next = pump.nextPacket() - (joined == null ? 0 : joined.firstPacket(joinedIndex));
            stopPump();
            cursor = joinedCursor(media.play(Math.max(0, next), request.rate()));
        }
        selection.resync();
        playing = true;
        book.playing(request.rate(), pump == null ? request.positionSeconds() : Double.NaN);
        startPump(cursor, request.rate(), PacketPump.StopPoint.fromFrameOffset(request.frameOffset()), accelBitRate,
                accelMs);
    }

    private void startPump(PacketCursor cursor, double rate, PacketPump.StopPoint stop, long accelBitRate,
                           long accelMs) {
        pump = new PacketPump(this, channel, transport, alloc, info(), selection, cursor, rate, stop, accelBitRate,
                accelMs, viaProxy(), settings.writeMergeMillis());
        pump.begin();
    }

    /** Stops playing (StopPlaying, §3.2.5.14); the content stays open. */
    public void stop() {
        playing = false;
        book.stopped();
        stopPump();
    }

    private void stopPump() {
        // Whatever stops sending (the end of an entry, a stop, a new request) may be followed at
        // once by a reply the player acts on: the metrics hold every packet sent before it.
        book.publishCounts();
        if (pump != null) {
            pump.stop();
            pump = null;
        }
    }

    /** §3.2.4.1: the last packet of the entry is out; a playlist moves on (§3.2.4.2). */
    void endOfEntry() {
        if (closed) {
            return; // a cursor may finish after a failure already ended the session
        }
        stopPump();
        if (joined != null && joinedIndex + 1 < joined.entries() && media.nextEntry()) {
            // The next entry continues the stream the player already has: no stream change.
            joinedIndex++;
            book.entryJoined(joinedIndex + 1, media.info().packetCount());
            if (playing) {
                startPump(joinedCursor(media.play(0, 1.0)), 1.0, PacketPump.StopPoint.NONE, 0, 0);
            }
            return;
        }
        if (media.hasNextEntry() && media.nextEntry()) {
            planJoin();
            ContentInfo info = info();
            // A new entry's streams differ; every stream is selected until the player switches.
            selection = StreamSelection.all(info);
            // Held: the front end calls playNextEntry() when the player asks (maybe from entryChanged).
            entryHeld = holdEntries;
            events.entryChanged(info);
            book.streamChange(info.packetCount());
            if (!closed && !holdEntries) {
                startEntry();
            }
            return;
        }
        playing = false;
        book.endOfStream();
        events.endOfContent();
    }

    /** The new entry's header, then (while playing) its packets from the start. */
    private void startEntry() {
        header = new HeaderDelivery(this, channel, transport, alloc, info(), () -> {
            header = null;
            if (playing) {
                startPump(joinedCursor(media.play(0, 1.0)), 1.0, PacketPump.StopPoint.NONE, 0, 0);
            }
        });
        header.start();
    }

    /**
     * After a stream change, wait for {@link #playNextEntry()} before sending the new entry
     * (MMSH pipelined mode, [MS-WMSP] §2.2.2.7: the next entry goes in the PlayNextEntry
     * response); otherwise it follows at once.
     */
    public void holdEntryChanges(boolean hold) {
        this.holdEntries = hold;
    }

    /** True while a stream change waits for {@link #playNextEntry()}. */
    public boolean entryHeld() {
        return entryHeld;
    }

    /** Sends the entry a stream change is holding back; false if none is. */
    public boolean playNextEntry() {
        if (!entryHeld || closed) {
            return false;
        }
        entryHeld = false;
        startEntry();
        return true;
    }

    /** The socket drained below its low-water mark: sending resumes. */
    public void onWritable() {
        if (header != null) {
            header.pump();
        } else if (pump != null) {
            pump.pump();
        }
    }

    /** The player's log (§2.2.4.20, MMSH LogStats): recorded, and passed to proxied media. */
    public void clientLog(ClientLog clientLog) {
        book.clientLog(clientLog);
        if (media != null) {
            media.clientLog(clientLog);
        }
    }

    /** Joins the entries from the current one that can go as one stream (JoinedEntries). */
    private void planJoin() {
        joined = JoinedEntries.plan(media);
        joinedIndex = 0;
        if (joined != null) {
            log.debug("peer={} path={} {} playlist entries joined into one stream", channel.peer(), requestedPath(),
                    joined.entries());
        }
    }

    /** A cursor of the current entry, shifted after the previous ones when it is a joined later entry. */
    private PacketCursor joinedCursor(PacketCursor entry) {
        if (joined == null || joinedIndex == 0) {
            return entry;
        }
        return new JoinedCursor(entry, joined.shiftMs(joinedIndex), joined.firstPacket(joinedIndex),
                media.info().packetSize());
    }

    // ------------------------------------------------------------------ errors and the end

    /** Runs timer- or writability-driven work; a failure ends this session only. */
    void guarded(Runnable work) {
        try {
            work.run();
        } catch (MediaReadException e) {
            contentError(e);
        } catch (RuntimeException e) {
            log.error("peer={} path={} internal error; closing this session", channel.peer(), requestedPath(), e);
            book.internalError();
            events.internalError();
        }
    }

    /** The content failed while the front end handled a request, or while sending. */
    public void contentError(MediaReadException e) {
        book.publishCounts();
        log.warn("peer={} path={} content error: {}", channel.peer(), requestedPath(), e.getMessage());
        book.contentError(e.hr());
        events.contentFailed(e.hr());
    }

    /** Ends playing and releases the content. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancelHeader();
        stop();
        book.closed(media != null);
        if (media != null) {
            media.close();
            media = null;
        }
    }

    boolean isClosed() {
        return closed;
    }

    double pacingSpeed() {
        return settings.pacingSpeed();
    }

    void countSent(int payloadBytes, boolean headerPart) {
        book.countSent(payloadBytes, headerPart);
    }

    /** After a pump: what it sent goes to the metrics in one add (see ServerMetrics.PacketCounter). */
    void publishCounts() {
        book.publishCounts();
    }

    static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ------------------------------------------------------------------ state for the front end

    /** The access-log side of this session, for the front end to describe itself ({@link SessionAccess#frontEnd}). */
    public SessionAccess access() {
        return book.access();
    }

    public boolean hasMedia() {
        return media != null;
    }

    /** The open content (a front end may need its source, e.g. a split's shared resend window); null if none. */
    public Media media() {
        return media;
    }

    /**
     * The current entry, as the player sees it (joined playlist entries as one); only while
     * content is open.
     */
    public ContentInfo info() {
        return joined != null ? joined.info() : media.info();
    }

    public boolean isPlaying() {
        return playing;
    }

    public String requestedPath() {
        return book.requestedPath();
    }

    public long packetsSent() {
        return book.packetsSent();
    }

    public long bytesSent() {
        return book.bytesSent();
    }
}
