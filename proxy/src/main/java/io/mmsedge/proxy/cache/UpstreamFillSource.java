package io.mmsedge.proxy.cache;

import io.mmsedge.cache.serve.FillSink;
import io.mmsedge.cache.serve.FillSource;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.upstream.UpstreamListener;
import io.mmsedge.proxy.upstream.Upstream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cache fill's upstream data session: an MS-MMSP §3.1 client session in READY state, moved
 * with StopPlaying + StartPlaying(locationId) (§2.2.4.25) to wherever the fill goes next.
 * Packets of a stopped request still in flight are dropped by the session (playIncarnation).
 */
public final class UpstreamFillSource implements FillSource, UpstreamListener {

    private final Upstream session;
    private final ProxyMetrics metrics;
    private final Runnable onClose;
    private final java.util.function.Consumer<String> onLost;
    private final long accelBitRate;
    private final long accelMs;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Receives the current play request's events; null while moving between requests. */
    private volatile FillSink sink;

    /**
     * @param accelBitRate ask the origin to send at this many bits/s (dwAccelBandwidth, §2.2.4.25),
     *                     or 0 to let it send at the content's pace
     * @param accelMs      for this much content (dwAccelDuration)
     * @param onLost       told why, when the session loses its origin mid-stream (origin health)
     */
    public UpstreamFillSource(Upstream session, ProxyMetrics metrics, Runnable onClose,
                              java.util.function.Consumer<String> onLost, long accelBitRate, long accelMs) {
        this.session = session;
        this.metrics = metrics;
        this.onClose = onClose;
        this.onLost = onLost;
        this.accelBitRate = accelBitRate;
        this.accelMs = accelMs;
        session.setListener(this);
    }

    @Override
    public void play(long packet, double positionSeconds, FillSink next) {
        sink = null;
        session.stopPlaying().whenComplete((stopHr, stopErr) -> {
            if (closed.get()) {
                return;
            }
            sink = next;
            boolean byTime = !Double.isNaN(positionSeconds);
            // §2.2.4.25: position DBL_MAX and asfOffset 0xFFFFFFFF leave locationId in charge.
            double position = byTime ? positionSeconds : Double.MAX_VALUE;
            int locationId = byTime ? -1 : (int) packet;
            session.startPlaying(position, -1, locationId, 0, accelBitRate, accelMs).whenComplete((hr, err) -> {
                if (err != null) {
                    next.ended(Hresults.NS_E_CANNOTCONNECT, "upstream play failed: " + err.getMessage());
                } else if (Hresults.failed(hr)) {
                    next.ended(hr, "origin refused to play: hr=" + Hresults.hex(hr));
                }
            });
        });
    }

    /** A fill relaying uncached packets pauses while it is far ahead of its players (TCP holds the origin back). */
    @Override
    public void setReading(boolean reading) {
        if (!closed.get()) {
            session.setReading(reading);
        }
    }

    @Override
    public void forwardLog(io.mmsedge.protocol.mms.ClientLog log) {
        session.sendLogging(log);
    }

    @Override
    public void onDataPacket(DataPacket packet) {
        try {
            FillSink s = sink;
            if (s != null && !closed.get()) {
                metrics.upstreamBytes(packet.content().readableBytes() + DataPacket.HEADER_SIZE);
                s.packet(Integer.toUnsignedLong(packet.locationId()), packet.content());
            }
        } finally {
            packet.release();
        }
    }

    @Override
    public void onEndOfStream(int hr) {
        FillSink s = sink;
        if (s != null && hr != Hresults.S_STREAM_CHANGE) {
            s.ended(hr, null);
        }
    }

    @Override
    public void onStreamChange(ReportStreamChange change, byte[] header) {
        FillSink s = sink;
        if (s != null) {
            // Only single-entry content is cached: a new entry means it is not what was cached.
            s.ended(Hresults.E_FAIL, "origin switched to another playlist entry");
        }
    }

    @Override
    public void onFailure(int hr, String reason) {
        if (closed.get()) {
            return;
        }
        // The session failed (closed, stalled, no reply): the origin is lost, not the content.
        onLost.accept(reason);
        FillSink s = sink;
        if (s != null) {
            s.lost("upstream failed: " + reason);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sink = null;
            session.close();
            onClose.run();
        }
    }
}
