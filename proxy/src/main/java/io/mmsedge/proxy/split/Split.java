package io.mmsedge.proxy.split;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.relay.UpstreamMedia;
import io.mmsedge.proxy.upstream.UpstreamListener;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.Upstream;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.broadcast.Broadcast;
import io.mmsedge.server.broadcast.BroadcastMedia;
import io.mmsedge.server.broadcast.BroadcastSettings;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.udp.SharedResendWindow;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One split stream (MS-MSSOD "split"): a single upstream session to the origin whose packets are
 * published to a {@link Broadcast} that every player of the same URL joins. The origin sees one
 * session however many players watch. Runs on one event loop (the broadcast's publisher).
 *
 * <p>When the last player leaves, the upstream lingers, then closes. When the upstream fails, the
 * split reconnects with backoff while players stay connected; if the grace period runs out the
 * broadcast ends and players get EndOfStream. LocationIds are rebased across reconnects so that
 * players see one continuous virtual file (§2.2.2); a changed header reaches them as a
 * StreamChange.
 */
public final class Split implements UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(Split.class);
    /**
     * Bounds of the packets kept for UDP players' resends (§3.2.5.13), once for the whole split:
     * at most this many packets and bytes (and no older than the players' resend time, see
     * {@link SharedResendWindow}); nothing at all while no UDP player watches.
     */
    static final int RESEND_WINDOW_PACKETS = 4096;
    static final long RESEND_WINDOW_BYTES = 16L << 20;

    private final String key;
    private final EventLoop loop;
    private final Broadcast broadcast;
    private final Supplier<CompletableFuture<UpstreamOpenResult>> reopen;
    private final SplitSettings settings;
    private final ProxyMetrics metrics;
    private final Runnable onClosed;
    private Upstream upstream;
    private int packetSize;
    private byte[] headerBytes;
    /** Added to upstream LocationIds so that published numbers only increase. */
    private long locationOffset;
    private long lastPublished = -1;
    private boolean rebaseNext;
    private ScheduledFuture<?> lingerTimer;
    private ScheduledFuture<?> watchTimer;
    /** Ends the split when the grace period after a loss runs out, even with a reconnect attempt in flight. */
    private ScheduledFuture<?> graceTimer;
    private String lostReason;
    private long failingSinceNanos = -1;
    private int reconnects;
    private boolean closed;
    /** Players' logs on their way to the origin through the upstream session. */
    private final SplitLogs clientLogs;
    private final SharedResendWindow resendWindow = new SharedResendWindow(RESEND_WINDOW_PACKETS,
            RESEND_WINDOW_BYTES);

    Split(String key, EventLoop loop, Upstream first, SplitSettings settings, BroadcastSettings broadcastSettings,
          ServerMetrics serverMetrics, ProxyMetrics metrics, Supplier<CompletableFuture<UpstreamOpenResult>> reopen,
          Runnable onClosed) {
        this.key = key;
        this.loop = loop;
        this.settings = settings;
        this.metrics = metrics;
        this.reopen = reopen;
        this.onClosed = onClosed;
        this.clientLogs = new SplitLogs(key, loop, () -> closed, () -> failingSinceNanos >= 0 ? null : upstream);
        this.broadcast = new Broadcast("split:" + key, loop, broadcastSettings, serverMetrics);
        this.upstream = first;
        broadcast.onClientLog(clientLogs::offer);
        broadcast.shareResendWindow(resendWindow);
    }

    public String key() {
        return key;
    }

    public Broadcast broadcast() {
        return broadcast;
    }

    public int reconnects() {
        return reconnects;
    }

    /** Starts the upstream play; call on {@link #loop}. */
    void start() {
        adopt(upstream);
        watchTimer = loop.scheduleAtFixedRate(this::watch, 200, 200, TimeUnit.MILLISECONDS);
    }

    /** A player for this split: null when the split is closing (the caller opens a new one). */
    BroadcastMedia join(String publishingPoint, EventLoop playerLoop) {
        if (closed) {
            return null;
        }
        return broadcast.open(publishingPoint, playerLoop);
    }

    boolean closed() {
        return closed;
    }

    private void adopt(Upstream session) {
        upstream = session;
        byte[] header = session.header();
        var of = session.openFile();
        packetSize = of.filePacketSize();
        ContentInfo info = contentInfo(header, of.filePacketSize(), Integer.toUnsignedLong(of.fileBitRate()),
                of.fileAttributes());
        if (headerBytes == null || !Arrays.equals(headerBytes, header)) {
            // First header, or the content changed while reconnecting: players get a StreamChange.
            headerBytes = header;
            broadcast.publishHeader(info);
        }
        session.setListener(this);
        session.startPlaying(0, -1, -1, 0).whenComplete((hr, err) -> loop.execute(() -> {
            if (err != null || (hr != null && Hresults.failed(hr))) {
                onFailure(hr == null ? Hresults.NS_E_CANNOTCONNECT : hr, "origin refused to play the broadcast");
            }
        }));
    }

    private static ContentInfo contentInfo(byte[] header, int packetSize, long bitRate, int attributes) {
        return UpstreamMedia.contentInfoOf(header, packetSize, 0, bitRate, 0, attributes);
    }

    // ------------------------------------------------------------------ upstream events (on loop)

    @Override
    public void onDataPacket(DataPacket packet) {
        try {
            if (closed) {
                return;
            }
            metrics.upstreamBytes(packet.content().readableBytes() + DataPacket.HEADER_SIZE);
            AsfPacket parsed;
            try {
                parsed = AsfPacket.parse(packet.content(), packetSize);
            } catch (AsfFormatException e) {
                log.warn("split {}: malformed packet from the origin dropped: {}", key, e.getMessage());
                return;
            }
            long upstreamNumber = Integer.toUnsignedLong(packet.locationId());
            if (rebaseNext) {
                locationOffset = lastPublished + 1 - upstreamNumber;
                rebaseNext = false;
            }
            long number = upstreamNumber + locationOffset;
            if (number <= lastPublished) {
                number = lastPublished + 1; // never backwards, whatever the origin does
                locationOffset = number - upstreamNumber;
            }
            lastPublished = number;
            resendWindow.put(number, packet.content(), System.nanoTime());
            broadcast.publish(new MediaPacket(number, parsed.sendTimeMs(), parsed.payloads(),
                    packet.content().retain()));
        } finally {
            packet.release();
        }
    }

    @Override
    public void onEndOfStream(int hr) {
        if (hr == Hresults.S_STREAM_CHANGE) {
            return; // onStreamChange follows
        }
        // A broadcast that ends (or an origin that stops it) is treated like a failure: the split
        // tries to get it back within the grace period.
        onFailure(hr == 0 ? Hresults.E_FAIL : hr, "origin ended the broadcast (hr=" + Hresults.hex(hr) + ")");
    }

    @Override
    public void onStreamChange(ReportStreamChange change, byte[] header) {
        if (closed) {
            return;
        }
        headerBytes = header;
        packetSize = change.cbPacketSize();
        broadcast.publishHeader(contentInfo(header, change.cbPacketSize(), Integer.toUnsignedLong(change.dwBitRate()),
                ContentInfo.ATTR_BROADCAST));
    }

    @Override
    public void onFailure(int hr, String reason) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> onFailure(hr, reason));
            return;
        }
        if (closed || failingSinceNanos >= 0) {
            return;
        }
        log.warn("split {}: upstream lost ({}); reconnecting for up to {} while {} player(s) wait", key, reason,
                settings.gracePeriod(), broadcast.subscriberCount());
        failingSinceNanos = System.nanoTime();
        lostReason = reason;
        upstream.close();
        graceTimer = loop.schedule(this::graceExpired, settings.gracePeriod().toNanos(), TimeUnit.NANOSECONDS);
        scheduleReconnect(settings.initialBackoff());
    }

    /** The grace period after a loss is over: unless the upstream is back, players get their end. */
    private void graceExpired() {
        graceTimer = null;
        if (closed || failingSinceNanos < 0) {
            return;
        }
        log.warn("split {}: origin not back within {} (lost: {}); ending the broadcast for {} player(s)", key,
                settings.gracePeriod(), lostReason, broadcast.subscriberCount());
        close();
    }

    private void cancelGrace() {
        if (graceTimer != null) {
            graceTimer.cancel(false);
            graceTimer = null;
        }
    }

    private void scheduleReconnect(Duration delay) {
        loop.schedule(() -> reconnect(delay), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reconnect(Duration lastDelay) {
        if (closed) {
            return;
        }
        if (System.nanoTime() - failingSinceNanos > settings.gracePeriod().toNanos()) {
            graceExpired();
            return;
        }
        reopen.get().whenComplete((r, err) -> loop.execute(() -> {
            if (closed) {
                if (r instanceof UpstreamOpenResult.Opened o) {
                    o.session().close();
                }
                return;
            }
            if (r instanceof UpstreamOpenResult.Opened o
                    && (o.openFile().fileAttributes() & ContentInfo.ATTR_BROADCAST) != 0) {
                reconnects++;
                metrics.upstreamReconnected();
                log.info("split {}: upstream back after {} ms (reconnect #{})", key,
                        (System.nanoTime() - failingSinceNanos) / 1_000_000, reconnects);
                failingSinceNanos = -1;
                cancelGrace();
                rebaseNext = true;
                adopt(o.session());
            } else {
                if (r instanceof UpstreamOpenResult.Opened o) {
                    o.session().close(); // no longer a broadcast: not something to split
                }
                Duration next = lastDelay.multipliedBy(2).compareTo(settings.maxBackoff()) > 0
                        ? settings.maxBackoff() : lastDelay.multipliedBy(2);
                scheduleReconnect(next);
            }
        }));
    }

    // ------------------------------------------------------------------ linger and close

    private void watch() {
        if (closed) {
            return;
        }
        if (broadcast.subscriberCount() == 0) {
            if (lingerTimer == null) {
                lingerTimer = loop.schedule(this::lingerExpired, settings.linger().toMillis(), TimeUnit.MILLISECONDS);
            }
        } else if (lingerTimer != null) {
            lingerTimer.cancel(false);
            lingerTimer = null;
        }
    }

    private void lingerExpired() {
        lingerTimer = null;
        if (!closed && broadcast.subscriberCount() == 0) {
            log.info("split {}: no players for {}; closing the upstream session", key, settings.linger());
            close();
        }
    }

    /** Ends the split: the upstream closes, players get EndOfStream. */
    void close() {
        if (!loop.inEventLoop()) {
            loop.execute(this::close);
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        // Out of the registry first: a player who asks from now on gets a split of its own, and
        // nobody (the origin included) can see this one's upstream gone while it is still listed.
        onClosed.run();
        if (watchTimer != null) {
            watchTimer.cancel(false);
        }
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
        }
        cancelGrace();
        upstream.close();
        broadcast.close();
        resendWindow.close();
        metrics.splitClosed();
    }
}
