package io.mmsedge.server.broadcast;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.udp.SharedResendWindow;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live source of ASF data packets shared by any number of players (the fan-out core of
 * broadcast publishing points, and later of split upstream broadcasts).
 *
 * <h2>Threading</h2>
 * The source publishes on one event loop, the <em>publisher</em>; everything the broadcast
 * itself keeps (current header, recent history, the subscriber groups) is confined to it.
 * Subscribers live on their sessions' event loops and are grouped per loop: a published packet
 * costs one task per loop that has subscribers (not one per subscriber), and that task hands it
 * to each subscriber of its loop. A subscriber registers through the publisher, which snapshots
 * the history and queues the subscriber's start on its loop before any later packet, so a player
 * never misses or repeats a packet.
 *
 * <h2>Buffer ownership</h2>
 * {@link #publish} takes ownership of the packet. Every loop gets a {@link LoopShare} of it (the
 * same bytes, with a reference count of the loop's own), every subscriber that queues it a
 * reference to that share, and every player's pump a {@code retainedDuplicate()} to write: the
 * payload bytes exist once however many players watch, and each holder releases exactly the
 * reference it got. The history owns the published packets themselves and releases them when a
 * newer key frame starts a new history or the broadcast closes.
 */
public final class Broadcast implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broadcast.class);

    private final String name;
    private final EventLoop publisher;
    private final BroadcastSettings settings;
    private final ServerMetrics metrics;
    private final AtomicInteger subscribers = new AtomicInteger();
    private final AtomicLong published = new AtomicLong();

    /** The header players get, in broadcast form; written on the publisher, read anywhere. */
    private volatile ContentInfo header;
    /** The packets kept for UDP players' resends, shared by all (a split's); null: each keeps its own. */
    private volatile SharedResendWindow resendWindow;
    /** Where players' logs go (a split forwards them to its origin); null: only the access log has them. */
    private volatile java.util.function.Consumer<io.mmsedge.protocol.mms.ClientLog> clientLogs;

    // ---- publisher-confined
    /** Video stream whose key frames players start at; -1 for audio-only content. */
    private int keyStream = -1;
    /** Packets since the latest key frame of {@link #keyStream} (empty if none or too long). */
    private final ArrayDeque<MediaPacket> history = new ArrayDeque<>();
    private long historyBytes;
    private final Map<EventLoop, LoopGroup> groups = new LinkedHashMap<>();
    private boolean closed;

    public Broadcast(String name, EventLoop publisher, BroadcastSettings settings, ServerMetrics metrics) {
        this.name = name;
        this.publisher = publisher;
        this.settings = settings;
        this.metrics = metrics == null ? ServerMetrics.NONE : metrics;
    }

    public String name() {
        return name;
    }

    public EventLoop publisher() {
        return publisher;
    }

    public BroadcastSettings settings() {
        return settings;
    }

    /** Sends every player's log (§2.2.4.20, MMSH LogStats) to {@code sink}, called on the player's thread. */
    public void onClientLog(java.util.function.Consumer<io.mmsedge.protocol.mms.ClientLog> sink) {
        clientLogs = sink;
    }

    /**
     * Tells UDP players that the source keeps its packets in {@code window} for resends
     * (MS-MMSP §3.2.5.13), so that they need not keep them each; the source fills it.
     */
    public void shareResendWindow(SharedResendWindow window) {
        resendWindow = window;
    }

    /** See {@link #shareResendWindow}; null if the source keeps none. */
    public SharedResendWindow resendWindow() {
        return resendWindow;
    }

    /** A player's log; see {@link #onClientLog}. */
    void clientLog(io.mmsedge.protocol.mms.ClientLog clientLog) {
        var sink = clientLogs;
        if (sink != null) {
            sink.accept(clientLog);
        }
    }

    ServerMetrics metrics() {
        return metrics;
    }

    /** The current header in broadcast form, or null before the source published one. */
    public ContentInfo header() {
        return header;
    }

    /** Players subscribed now (registered, not yet left). */
    public int subscriberCount() {
        return subscribers.get();
    }

    /** Packets published so far. */
    public long publishedPackets() {
        return published.get();
    }

    /**
     * What players are told about a live entry (MS-MMSP §2.2.4.7): no duration, no packet count,
     * and fileAttributes exactly FILE_ATTRIBUTE_MMS_BROADCAST. libmms takes a stream as live only
     * when the top byte is exactly 0x02 (notes/clients.md): LIVE (0x04000000) or PLAYLIST would
     * make it seekable, and CANSEEK/CANSTRIDE would invite seeks a live point can't serve.
     */
    public static ContentInfo asBroadcast(ContentInfo entry) {
        return new ContentInfo(LiveHeader.rewrite(entry.fileHeader()), entry.packetSize(), 0, entry.bitRate(), 0,
                entry.prerollMs(),
                ContentInfo.ATTR_BROADCAST, entry.streams());
    }

    /** The stream whose key frames a joining player starts at: the first video stream, or -1. */
    static int keyStreamOf(ContentInfo info) {
        return info.firstVideoStream();
    }

    // ------------------------------------------------------------------ publishing (publisher loop)

    /**
     * A new entry starts (the first one, or the next of a broadcast playlist): players already
     * watching get it through their session's playlist path (EndOfStream hr 1, StreamChange, the
     * new header, §3.2.4.2); players joining later get it from ReportOpenFile.
     */
    public void publishHeader(ContentInfo entry) {
        assertPublisher();
        if (closed) {
            return;
        }
        ContentInfo h = asBroadcast(entry);
        header = h;
        keyStream = keyStreamOf(h);
        clearHistory();
        for (LoopGroup g : groups.values()) {
            if (g.active.get() > 0) {
                run(g.loop, () -> g.headerChanged(h, keyStreamOf(h)), null);
            }
        }
    }

    /** Publishes one packet; takes ownership of it. */
    public void publish(MediaPacket packet) {
        assertPublisher();
        if (closed || header == null) {
            packet.release();
            return;
        }
        published.incrementAndGet();
        for (LoopGroup g : groups.values()) {
            if (g.active.get() > 0) {
                // The loop's players count their references on a share of their own (LoopShare).
                MediaPacket forLoop = packet.replace(new LoopShare(packet.content().retain()));
                run(g.loop, () -> g.deliver(forLoop), forLoop);
            }
        }
        remember(packet);
    }

    private void remember(MediaPacket p) {
        if (keyStream < 0 || settings.maxHistoryBytes() == 0) {
            p.release(); // audio-only: a player starts at the next packet
            return;
        }
        if (p.startsKeyFrame(keyStream)) {
            clearHistory();
        } else if (history.isEmpty()) {
            p.release(); // no key frame to start from until the next one
            return;
        }
        int size = p.content().readableBytes();
        if (historyBytes + size > settings.maxHistoryBytes()) {
            clearHistory(); // a GOP this long isn't kept; joining players wait for the next key frame
            p.release();
            return;
        }
        history.addLast(p);
        historyBytes += size;
    }

    private void clearHistory() {
        MediaPacket p;
        while ((p = history.pollFirst()) != null) {
            p.release();
        }
        historyBytes = 0;
    }

    // ------------------------------------------------------------------ subscribing

    /**
     * Opens the broadcast for one session on {@code loop}: a media whose packets are handed to
     * the session on that loop. Null if the source has not published a header yet.
     */
    public BroadcastMedia open(String publishingPoint, EventLoop loop) {
        ContentInfo h = header;
        if (h == null) {
            return null;
        }
        return new BroadcastMedia(this, publishingPoint, loop == null ? publisher : loop, h);
    }

    /** Registers a subscriber (called on its loop); it starts at the latest key frame in the history. */
    void subscribe(BroadcastSubscriber s) {
        subscribers.incrementAndGet();
        metrics.broadcastSubscribers(name, 1);
        run(publisher, () -> register(s), null);
    }

    private void register(BroadcastSubscriber s) {
        if (closed) {
            run(s.loop(), s::end, null);
            return;
        }
        LoopGroup g = groups.computeIfAbsent(s.loop(), LoopGroup::new);
        g.active.incrementAndGet();
        List<MediaPacket> snapshot = new ArrayList<>(history.size());
        for (MediaPacket p : history) {
            snapshot.add(p.retainedDuplicate());
        }
        ContentInfo h = header;
        int ks = keyStream;
        Runnable begin = () -> {
            if (!s.begin(g, h, ks, snapshot)) {
                g.active.decrementAndGet(); // left before it started
            }
        };
        try {
            s.loop().execute(begin);
        } catch (RejectedExecutionException e) {
            g.active.decrementAndGet();
            snapshot.forEach(MediaPacket::release);
        }
    }

    /** Called by a subscriber leaving (on its loop), exactly once per subscribe. */
    void unsubscribed() {
        subscribers.decrementAndGet();
        metrics.broadcastSubscribers(name, -1);
    }

    // ------------------------------------------------------------------ closing

    /**
     * Ends the broadcast: subscribers finish what they have queued and their players get
     * EndOfStream; the history is released. Callable from any thread.
     */
    @Override
    public void close() {
        if (!publisher.inEventLoop()) {
            try {
                Future<?> f = publisher.submit(this::close);
                f.awaitUninterruptibly(5_000);
            } catch (RejectedExecutionException e) {
                closeNow(); // the publisher is gone: nothing runs concurrently any more
            }
            return;
        }
        closeNow();
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        clearHistory();
        for (LoopGroup g : groups.values()) {
            if (g.active.get() > 0) {
                run(g.loop, g::end, null);
            }
        }
        metrics.broadcastClosed(name);
        log.debug("broadcast {} closed after {} packets", name, published.get());
    }

    private void assertPublisher() {
        if (!publisher.inEventLoop()) {
            throw new IllegalStateException("broadcast " + name + " must be published on its event loop");
        }
    }

    /** Runs a task on a loop; if the loop refuses it, releases {@code owned}. */
    private static void run(EventLoop loop, Runnable task, MediaPacket owned) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            if (owned != null) {
                owned.release();
            }
        }
    }

    /** The subscribers of one event loop. {@link #subs} is confined to {@link #loop}. */
    static final class LoopGroup {
        private static final BroadcastSubscriber[] NONE = new BroadcastSubscriber[0];
        final EventLoop loop;
        /** Registered on the publisher, decremented when one leaves: 0 = no task for this loop. */
        final AtomicInteger active = new AtomicInteger();
        private BroadcastSubscriber[] subs = NONE;

        LoopGroup(EventLoop loop) {
            this.loop = loop;
        }

        void add(BroadcastSubscriber s) {
            BroadcastSubscriber[] n = Arrays.copyOf(subs, subs.length + 1);
            n[subs.length] = s;
            subs = n;
        }

        void remove(BroadcastSubscriber s) {
            for (int i = 0; i < subs.length; i++) {
                if (subs[i] == s) {
                    BroadcastSubscriber[] n = new BroadcastSubscriber[subs.length - 1];
                    System.arraycopy(subs, 0, n, 0, i);
                    System.arraycopy(subs, i + 1, n, i, subs.length - i - 1);
                    subs = n;
                    active.decrementAndGet();
                    return;
                }
            }
        }

        /** One packet for every subscriber of this loop; takes ownership of {@code p}. */
        void deliver(MediaPacket p) {
            try {
                // The packet's arrival, the same for every player: one clock read, one entry.
                BroadcastSubscriber.Arrival a = new BroadcastSubscriber.Arrival(p, System.nanoTime());
                for (BroadcastSubscriber s : subs) { // a snapshot: leaving replaces the array
                    s.offer(a);
                }
            } finally {
                p.release();
            }
        }

        void headerChanged(ContentInfo h, int keyStream) {
            for (BroadcastSubscriber s : subs) {
                s.headerChanged(h, keyStream);
            }
        }

        void end() {
            for (BroadcastSubscriber s : subs) {
                s.end();
            }
        }

        int size() {
            return subs.length;
        }
    }
}
