package io.mmsedge.server.mmsh;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.mmsedge.protocol.mmsh.MmshRequest;
import io.mmsedge.protocol.mmsh.Pragmas;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.media.PlayRequest;
import io.mmsedge.server.play.PlayEvents;
import io.mmsedge.server.play.PlaySession;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Describe or Play request ([MS-WMSP] §2.2.2.1, §2.2.2.6) and the {@link PlaySession} it
 * drives: the open and its refusals as HTTP statuses, the header as {@code $H}, then for a Play
 * the selected streams from the requested position as {@code $D}, playlist entry changes as
 * {@code $E}(S_FALSE) {@code $C} {@code $H}, and {@code $E} at the end. Runs on the
 * connection's event loop.
 */
final class MmshSession implements PlayEvents {

    private static final Logger log = LoggerFactory.getLogger(MmshSession.class);
    private static final Logger accessLog = LoggerFactory.getLogger("io.mmsedge.access");

    private final MmshHandler conn;
    private final MmshRequest request;
    private final MmshReplies replies;
    private final MmshSessions registry;
    private final ServerMetrics metrics;
    private final MmshFraming framing;
    private final PlaySession play;
    private final boolean describe;
    /** Pipelined mode (§3.2.5.1): chunked responses; a stream change waits for PlayNextEntry. */
    private final boolean pipelined;
    /** A response body of this session is open (false while waiting for PlayNextEntry). */
    private boolean bodyOpen;
    private long clientId = -1;
    /** The response's head is out: a failure from here on can only end the body. */
    private boolean responded;
    private boolean streaming;
    private boolean closed;

    MmshSession(MmshHandler conn, ServerSettings settings, MediaCatalog catalog, ServerMetrics metrics,
                MmshSessions registry, MmshRequest request, MmshReplies replies, boolean pipelined) {
        this.conn = conn;
        this.request = request;
        this.replies = replies;
        this.registry = registry;
        this.metrics = metrics;
        this.describe = request.kind() != MmshRequest.Kind.PLAY;
        this.framing = new MmshFraming(conn.body(), conn.alloc());
        this.play = new PlaySession(settings, catalog, metrics, conn, framing, this, conn.alloc());
        this.pipelined = pipelined;
        play.holdEntryChanges(pipelined);
        play.access().frontEnd("http", () -> "TCP", conn::localAddress);
    }

    /**
     * Opens the content as {@code player}, with Basic credentials (or null); {@code proxied} is
     * what {@link ProxiedNames#suffix} says of an absolute URI and a Via header.
     */
    void start(String host, String credentials, String proxied) {
        play.setPlayer(subscriber(request, host, proxied));
        play.open(request.path(), credentials, this::onOpen);
    }

    /**
     * The player as MMS would name it (§2.2.4.17 subscriberName): User-Agent, xClientGUID and the
     * Host it asked for, so that catalogs, quirks and logs see MMSH players as they see MMS ones.
     */
    private static SubscriberName subscriber(MmshRequest r, String host, String proxied) {
        StringBuilder sb = new StringBuilder(r.userAgent());
        String guid = r.pragmas().clientGuid();
        sb.append("; ").append(guid == null ? "-" : guid);
        if (host != null && !host.isBlank()) {
            sb.append("; Host: ").append(host.strip());
        }
        return SubscriberName.parse(sb.append(proxied).toString());
    }

    private void onOpen(OpenResult result) {
        if (closed) {
            return;
        }
        if (!(result instanceof OpenResult.Opened)) {
            logRefusal(result);
            conn.respondAndFinish(replies.refusal(result), this);
            return;
        }
        clientId = registry.add(this, request.pragmas().clientId());
        ContentInfo info = play.info();
        int length = describe ? MmshFraming.framedHeaderSize(info.fileHeaderSize()) : -1;
        boolean head = request.method().equals("HEAD");
        boolean packetPair = describe && !head && request.pragmas().packetPair();
        if (packetPair) {
            // §2.2.1.4.14, §2.2.3.7: three $P before the $H, for the player's bandwidth estimate.
            HttpResponse r = replies.content(clientId, info, false, length + MmshFrames.PACKET_PAIR_BYTES);
            r.headers().add("Pragma", "packet-pair-experiment=1");
            conn.respond(r);
            conn.body().write(MmshFrames.packetPairs(conn.alloc(), MmshReplies.headBytes(r),
                    java.util.concurrent.ThreadLocalRandom.current()));
            conn.flush(); // back to back, ahead of the header's pacing
        } else if (describe || head) {
            conn.respond(replies.content(clientId, info, !describe, head ? 0 : length));
        } else if (pipelined) {
            conn.respondChunked(replies.chunkedPlay(clientId, info));
        } else {
            conn.respondStreaming(replies.content(clientId, info, true, -1));
        }
        responded = true;
        bodyOpen = true;
        if (head) {
            conn.finish(this, true);
            return;
        }
        play.sendHeader();
    }

    private void logRefusal(OpenResult result) {
        String path = request.path();
        if (result instanceof OpenResult.Failed f) {
            metrics.error("open_failed");
            accessLog.info("peer={} path={} event=open-failed proto=mmsh hr={} reason=\"{}\"", conn.peer(), path,
                    Hresults.hex(f.hr()), f.reason());
        } else if (result instanceof OpenResult.Redirect r) {
            metrics.error("redirect_" + r.type());
            accessLog.info("peer={} path={} event=redirect proto=mmsh location=\"{}\" reason=\"{}\"", conn.peer(),
                    path, r.location(), r.reason());
        } else if (result instanceof OpenResult.AuthenticationRequired a) {
            accessLog.info("peer={} path={} event=auth-required proto=mmsh realm=\"{}\"", conn.peer(), path,
                    a.realm());
        }
    }

    @Override
    public void headerSent() {
        if (describe) {
            // §2.2.2.1: the Describe response is the header alone.
            conn.finish(this, true);
            return;
        }
        Pragmas p = request.pragmas();
        selectStreams(p.streamSwitchEntries());
        streaming = true;
        try {
            play.play(position(p), accel(p) ? p.accelBandwidth() : 0, accel(p) ? p.accelDurationMs() : 0);
        } catch (MediaReadException e) {
            play.contentError(e);
        }
    }

    private static boolean accel(Pragmas p) {
        return p.accelBandwidth() > 0 && p.accelDurationMs() > 0;
    }

    /**
     * Where to start (§3.2.5.x of [MS-WMSP] via the play request's tokens): a byte offset into
     * the data packets (VLC's seek), else a packet number, else a time. {@code rate} strides
     * only where the content allows it (§2.2.1.4.19); elsewhere it plays at 1.
     */
    private PlayRequest position(Pragmas p) {
        double rate = p.rate();
        if (rate == 0 || rate < -5 || rate > 5 || (rate != 1 && !play.canStride())) {
            rate = 1;
        }
        long ms = p.maxDurationMs();
        int stop = ms > 0 && ms <= 0x7FFFFFFFL ? (int) (0x80000000L | ms) : 0;
        if (p.streamOffset() > 0) {
            return new PlayRequest(Double.NaN, play.info().fileHeaderSize() + p.streamOffset(), -1, stop, rate);
        }
        if (p.packetNum() > 0) {
            return new PlayRequest(Double.NaN, -1, p.packetNum(), stop, rate);
        }
        return new PlayRequest(Math.max(0, p.streamTimeMs()) / 1000.0, -1, -1, stop, rate);
    }

    /**
     * Applies stream-switch entries; without any, every stream plays (a bare {@code xPlayStrm=1}
     * still gets data). FFmpeg and VLC write stream numbers in decimal where §2.2.1.4.27 says
     * hexadecimal: numbers the content lacks are tried again read as decimal.
     */
    void selectStreams(List<StreamSwitchEntry> entries) {
        if (!play.hasMedia()) {
            return;
        }
        List<StreamSwitchEntry> wanted = entries;
        if (wanted.isEmpty()) {
            wanted = new ArrayList<>();
            for (ContentInfo.StreamInfo s : play.info().streams()) {
                wanted.add(new StreamSwitchEntry(StreamSwitchEntry.NO_STREAM, s.number(), 0));
            }
        }
        if (!play.selectStreams(wanted) && !play.selectStreams(asDecimal(wanted))) {
            log.debug("peer={} stream-switch-entry names unknown streams: {}", conn.peer(), entries);
        }
    }

    private static List<StreamSwitchEntry> asDecimal(List<StreamSwitchEntry> entries) {
        List<StreamSwitchEntry> out = new ArrayList<>(entries.size());
        for (StreamSwitchEntry e : entries) {
            out.add(new StreamSwitchEntry(decimal(e.srcStreamNumber()), decimal(e.dstStreamNumber()),
                    e.thinningLevel()));
        }
        return out;
    }

    private static int decimal(int hexRead) {
        String s = Integer.toHexString(hexRead);
        return hexRead == StreamSwitchEntry.NO_STREAM || !s.chars().allMatch(Character::isDigit) ? hexRead
                : Integer.parseInt(s);
    }

    @Override
    public void entryChanged(ContentInfo next) {
        // §2.2.3.4 / §2.2.3.2: $E S_FALSE, then $C; the core sends the new entry's $H next.
        framing.endOfStream(Hresults.S_STREAM_CHANGE);
        framing.streamChange();
        if (pipelined) {
            // The response ends here; the player's PlayNextEntry (§2.2.2.7) gets the new entry.
            bodyOpen = false;
            conn.endChunked(this, true);
        }
    }

    /**
     * PlayNextEntry (§2.2.2.7): the entry a stream change holds back goes out in this request's
     * chunked response, $H then $D, with the streams the request selects (all without any).
     */
    boolean playNextEntry(Pragmas p, MmshReplies next) {
        if (closed || !play.entryHeld()) {
            return false;
        }
        conn.respondChunked(next.chunkedPlay(clientId, play.info()));
        bodyOpen = true;
        if (p.hasStreamSwitch()) {
            selectStreams(p.streamSwitchEntries());
        }
        return play.playNextEntry();
    }

    @Override
    public void endOfContent() {
        framing.endOfStream(Hresults.S_OK);
        conn.finish(this, false);
    }

    @Override
    public void contentFailed(int hr) {
        if (streaming && bodyOpen) {
            framing.endOfStream(hr);
            conn.finish(this, false);
        } else if (responded) {
            conn.finish(this, false); // mid-header: the short body and the close tell the player
        } else {
            conn.respondAndFinish(replies.error(MmshReplies.status(hr), "content error " + Hresults.hex(hr), false),
                    this);
        }
    }

    @Override
    public void internalError() {
        conn.finish(this, false);
    }

    /** Stop (§2.2.2.9): playing stops, $E S_OK ends the stream and its connection. */
    void stopByPlayer() {
        if (closed) {
            return;
        }
        play.cancelHeader();
        play.stop();
        if (!describe && bodyOpen) {
            framing.endOfStream(Hresults.S_OK); // also before the header is out: the stream ends
        }
        accessLog.info("peer={} path={} event=stop proto=mmsh packets={} bytes={}", conn.peer(), play.requestedPath(),
                play.packetsSent(), play.bytesSent());
        conn.finish(this, false);
    }

    /**
     * The server is going away: $E ends a streaming response (§2.2.3.4) before the close, with a
     * failure hr: the content did not end (a proxy must not take it for the end, a cache fill for
     * a complete item).
     */
    void endForShutdown() {
        play.stop();
        if (streaming) {
            framing.endOfStream(Hresults.NS_E_SERVER_UNAVAILABLE);
        }
        conn.finish(this, false);
    }

    void clientLog(ClientLog clientLog) {
        play.clientLog(clientLog);
    }

    void onWritable() {
        play.onWritable();
    }

    /** The Describe response leaves the connection open for the next request. */
    boolean keepAlive() {
        return replies.keepAlive();
    }

    MmshHandler connection() {
        return conn;
    }

    long clientId() {
        return clientId;
    }

    PlaySession play() {
        return play;
    }

    /** Releases the content and forgets the client-id. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.remove(clientId, this);
        play.close();
    }
}
