package io.mmsedge.server.play;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.accesslog.SessionAccess;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping of one {@link PlaySession}: what it sent (packets and bytes), its metrics, its
 * event lines in the {@code io.mmsedge.access} log and its {@link SessionAccess} (the W3C/JSON
 * access-log lines). The session tells it what happened; it decides nothing. Runs on the
 * session's thread.
 */
final class PlayBookkeeping {

    private static final Logger accessLog = LoggerFactory.getLogger("io.mmsedge.access");

    private final ServerMetrics metrics;
    private final Supplier<InetSocketAddress> peer;
    private final SessionAccess access;

    private String requestedPath = "-";
    private String publishingPoint = "-";
    /** Counts this session's Data packets; bound when content opens (see ServerMetrics.packetCounter). */
    private ServerMetrics.PacketCounter packetCounter = ServerMetrics.PacketCounter.NONE;
    private long packetsSent;
    private long bytesSent;
    /** Sent but not yet added to the point's metrics: they are added once per pump, not per packet. */
    private int unpublishedPackets;
    private long unpublishedBytes;
    /** A long backlog (an unpaced on-demand file) still shows up in the metrics as it goes. */
    private static final int PUBLISH_EVERY = 256;

    PlayBookkeeping(ServerMetrics metrics, Supplier<InetSocketAddress> peer) {
        this.metrics = metrics;
        this.peer = peer;
        this.access = new SessionAccess(peer, this::packetsSent, this::bytesSent);
    }

    // ------------------------------------------------------------------ opening

    void requested(String path, SubscriberName subscriber) {
        requestedPath = path;
        access.requested(path, subscriber);
    }

    /** Content opened: its point's metrics start, and the access log hears of it. */
    void opened(String point, ContentInfo info, SubscriberName subscriber) {
        publishCounts(); // any left for the point before
        publishingPoint = point;
        packetCounter = metrics.packetCounter(publishingPoint);
        metrics.sessionOpened(publishingPoint);
        access.opened(info);
        accessLog.info("peer={} path={} event=open pp={} client=\"{}\" packets={} bitrate={}", peer.get(),
                requestedPath, publishingPoint, subscriber == null ? "-" : subscriber.clientToken(),
                info.packetCount(), info.bitRate());
    }

    void refused(int hr) {
        access.refused(hr);
    }

    // ------------------------------------------------------------------ playing

    void streamSwitch(String selection) {
        accessLog.info("peer={} path={} event=stream-switch {}", peer.get(), requestedPath, selection);
    }

    void playing(double rate, double positionSeconds) {
        access.playing(rate, positionSeconds);
    }

    void stopped() {
        access.stopped();
    }

    /** A later joined playlist entry continues the stream ({@code entry} counts from 1). */
    void entryJoined(int entry, long packets) {
        accessLog.info("peer={} path={} event=entry-joined entry={} packets={}", peer.get(), requestedPath,
                entry, packets);
    }

    void streamChange(long packets) {
        accessLog.info("peer={} path={} event=stream-change packets={}", peer.get(), requestedPath, packets);
    }

    void endOfStream() {
        accessLog.info("peer={} path={} event=end-of-stream packets={} bytes={}", peer.get(), requestedPath,
                packetsSent, bytesSent);
    }

    void clientLog(ClientLog clientLog) {
        accessLog.info("peer={} path={} event=client-log {}", peer.get(), requestedPath,
                clientLog.toLogString());
        access.clientLog(clientLog);
    }

    void countSent(int payloadBytes, boolean headerPart) {
        if (headerPart) {
            packetCounter.sent(1, payloadBytes + DataPacket.HEADER_SIZE, true);
            return;
        }
        packetsSent++;
        bytesSent += payloadBytes;
        unpublishedPackets++;
        unpublishedBytes += payloadBytes + DataPacket.HEADER_SIZE;
        if (unpublishedPackets >= PUBLISH_EVERY) {
            publishCounts();
        }
    }

    /** Adds the packets counted since the last time to the point's metrics (after every pump, and at the end). */
    void publishCounts() {
        if (unpublishedPackets > 0) {
            packetCounter.sent(unpublishedPackets, unpublishedBytes, false);
            unpublishedPackets = 0;
            unpublishedBytes = 0;
        }
    }

    // ------------------------------------------------------------------ failures and the end

    void internalError() {
        metrics.error("internal");
        access.failed(Hresults.E_FAIL);
    }

    void contentError(int hr) {
        accessLog.info("peer={} path={} event=close reason=content-error hr={} packets={} bytes={}", peer.get(),
                requestedPath, Hresults.hex(hr), packetsSent, bytesSent);
        access.failed(hr);
        metrics.error("media_read");
    }

    /** The session closed; {@code hadMedia}: content was open, so its point's session count drops. */
    void closed(boolean hadMedia) {
        publishCounts();
        access.closed();
        if (hadMedia) {
            metrics.sessionClosed(publishingPoint);
        }
    }

    // ------------------------------------------------------------------ state

    SessionAccess access() {
        return access;
    }

    String requestedPath() {
        return requestedPath;
    }

    long packetsSent() {
        return packetsSent;
    }

    long bytesSent() {
        return bytesSent;
    }
}
