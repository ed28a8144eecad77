package io.mmsedge.server.session;

import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.CancelReadBlock;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.Pong;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportDisconnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.protocol.mms.message.ReportStartStriding;
import io.mmsedge.protocol.mms.message.ReportStartedPlaying;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.protocol.mms.message.ReportStreamSwitch;
import io.mmsedge.protocol.mms.message.SecurityChallenge;
import io.mmsedge.protocol.mms.message.SecurityResponse;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StartStriding;
import io.mmsedge.protocol.mms.message.StopPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.ContentPaths;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server role of MS-MMSP (§3.2) for one player connection, independent of sockets: it
 * consumes decoded messages and timer events and acts through {@link SessionIo}. Content comes
 * from a {@link MediaCatalog}, so files, playlists, cached and proxied content share this one
 * state machine. Every method runs on the connection's event loop.
 */
public final class ServerSession {

    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final Logger accessLog = LoggerFactory.getLogger("io.mmsedge.access");

    /**
     * FFmpeg, VLC and MPlayer ignore ReportOpenFile.openFileId and always send 1; VLC refuses
     * any value but 1 or 2 (notes/clients.md). So every session's File-ID is 1.
     */
    public static final int OPEN_FILE_ID = 1;
    static final int PACKET_PAIR_OFF = 0xF0F0F0EF;
    static final int PACKET_PAIR_ON = 0xF0F0F0F0;
    static final int PACKET_PAIR_TCP = 0xF0F0F0F1;
    /** §3.2.5.4: the three packet-pair ReportFunnelInfo frames are 512, 512 and 1,056 bytes. */
    private static final int[] PACKET_PAIR_FRAME_SIZES = {512, 512, 1056};
    /** TcpMessageHeader (32) + ReportFunnelInfo fixed fields (48). */
    private static final int FUNNEL_INFO_FRAME_OVERHEAD = 80;
    /** StreamChange makes the header and the new entry's packets carry incarnation 0xFF (§3.2.4.2). */
    private static final int STREAM_CHANGE_INCARNATION = 0xFF;
    /**
     * Gap between a reply and the Data packets that follow it. MPlayer reads each reply with a
     * single recv() and loses whatever arrives in the same read (notes/clients.md).
     */
    private static final long REPLY_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final ServerSettings settings;
    private final MediaCatalog catalog;
    private final SessionIo io;
    private final ServerMetrics metrics;
    private final ByteBufAllocator alloc;
    private final SecureRandom random;

    private SessionState state = SessionState.AWAIT_CONNECT;
    private SubscriberName subscriber;
    private int clientId;
    private Media media;
    private String publishingPoint = "-";
    /** Counts this session's Data packets; rebound when content opens (see ServerMetrics.packetCounter). */
    private ServerMetrics.PacketCounter packetCounter;
    private String requestedPath = "-";
    private StreamSelection selection;
    private int openPlayIncarnation;
    private String pendingOpenPath;
    private int challengeCookie;
    /** Challenges sent for the current OpenFile; a player gets {@value #MAX_CHALLENGES}, then a refusal. */
    private int challenges;
    private static final int MAX_CHALLENGES = 3;

    /** Incarnation (§3.2.1): playIncarnation of the Data packets now being sent. */
    private int incarnation;
    /** Sequence (§3.2.1): AFFlags of the next ASF data packet. */
    private int sequence;
    /** playIncarnation of the latest StartPlaying/StartStriding, echoed by EndOfStream (§2.2.4.5). */
    private int playIncarnation;

    private HeaderSender header;
    private Stream stream;

    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> idleTimer;
    private long packetsSent;
    private long bytesSent;

    public ServerSession(ServerSettings settings, MediaCatalog catalog, SessionIo io, ServerMetrics metrics,
                         ByteBufAllocator alloc, SecureRandom random) {
        this.settings = settings;
        this.catalog = catalog;
        this.io = io;
        this.metrics = metrics;
        // Data packets go out only once content is open, which binds the real counter.
        this.packetCounter = ServerMetrics.PacketCounter.NONE;
        this.alloc = alloc;
        this.random = random;
    }

    public SessionState state() {
        return state;
    }

    /** The Client-ID (nCubs) given to this player. */
    public int clientId() {
        return clientId;
    }

    public String publishingPoint() {
        return publishingPoint;
    }

    // ------------------------------------------------------------------ connection events

    /** The TCP connection is up: a player that never sends Connect is dropped at the idle timeout. */
    public void onConnected() {
        metrics.stateChanged(null, SessionState.AWAIT_CONNECT);
        startIdleTimer();
    }

    /** A message arrived (§3.2.5.1): the KeepAlive timer stops, then the message is processed. */
    public void onMessage(MmsMessage m) {
        if (state == SessionState.CLOSED) {
            return;
        }
        cancel(keepAliveTimer);
        keepAliveTimer = null;
        if (m.fromServer()) {
            protocolError(m, "server-to-client message sent by a client");
            return;
        }
        try {
            dispatch(m);
        } catch (MediaReadException e) {
            log.warn("peer={} path={} content error: {}", io.peer(), requestedPath, e.getMessage());
            metrics.error("media_read");
            endStreamWithError(e.hr());
        }
    }

    private void dispatch(MmsMessage m) {
        if (m instanceof Connect c) {
            onConnect(c);
        } else if (m instanceof FunnelInfo f) {
            onFunnelInfo(f);
        } else if (m instanceof ConnectFunnel f) {
            onConnectFunnel(f);
        } else if (m instanceof OpenFile o) {
            onOpenFile(o);
        } else if (m instanceof SecurityResponse r) {
            onSecurityResponse(r);
        } else if (m instanceof ReadBlock r) {
            onReadBlock(r);
        } else if (m instanceof CancelReadBlock c) {
            onCancelReadBlock(c);
        } else if (m instanceof StreamSwitch s) {
            onStreamSwitch(s);
        } else if (m instanceof StartPlaying p) {
            onStartPlaying(p);
        } else if (m instanceof StartStriding s) {
            onStartStriding(s);
        } else if (m instanceof StopPlaying s) {
            onStopPlaying(s);
        } else if (m instanceof Logging l) {
            onLogging(l);
        } else if (m instanceof Pong) {
            // §3.2.5.16: nothing to do; streaming continues.
            log.trace("peer={} pong", io.peer());
        } else if (m instanceof CloseFile) {
            accessLog.info("peer={} path={} event=close-file packets={} bytes={}", io.peer(), requestedPath,
                    packetsSent, bytesSent);
            close();
        } else {
            protocolError(m, "unexpected message");
        }
    }

    /** The socket drained below its low-water mark: sending resumes. */
    public void onWritable() {
        if (header != null) {
            header.pump();
        } else if (stream != null) {
            stream.pump();
        }
    }

    /** The TCP connection is gone (§3.2.7.1): delete all session state. */
    public void onDisconnected() {
        if (state != SessionState.CLOSED) {
            accessLog.info("peer={} path={} event=disconnect state={} packets={} bytes={}", io.peer(),
                    requestedPath, state, packetsSent, bytesSent);
        }
        release();
    }

    /**
     * The frame decoder could not parse what the player sent. The stream can't be trusted any
     * further, so the connection closes with a log line naming the peer, message and reason.
     */
    public void onDecodeFailure(String messageName, String field, String reason) {
        log.warn("peer={} message={} field={} reason=\"{}\": closing connection", io.peer(), messageName,
                field == null ? "-" : field, reason);
        metrics.error("malformed_" + messageName);
        close();
    }

    /** A Data packet arrived from a player: players never send any, so this is garbage. */
    public void onUnexpectedDataPacket(int packetSize) {
        log.warn("peer={} message=Data reason=\"a client sent a {}-byte Data packet (not an MMS command)\": "
                + "closing connection", io.peer(), packetSize);
        metrics.error("unexpected_data");
        close();
    }

    // ------------------------------------------------------------------ handshake

    private void onConnect(Connect c) {
        if (state != SessionState.AWAIT_CONNECT) {
            protocolError(c, "Connect received twice");
            return;
        }
        subscriber = SubscriberName.parse(c.subscriberName());
        // §3.2.3: a random Client-ID per session; never 0 so it can't be mistaken for "unset".
        do {
            clientId = random.nextInt();
        } while (clientId == 0);
        setState(SessionState.CONNECTED);
        startIdleTimer();
        // §3.2.5.3: echo packet-pair support only when the client asks for it.
        int pp = c.playIncarnation() == PACKET_PAIR_ON ? PACKET_PAIR_ON : PACKET_PAIR_OFF;
        ReportConnectedEx base = ReportConnectedEx.ofServer(Hresults.S_OK, settings.serverVersionInfo(),
                catalog.authenPackage());
        send(new ReportConnectedEx(base.hr(), pp, base.macToViewerProtocolRevision(),
                base.viewerToMacProtocolRevision(), base.blockGroupPlayTime(), base.blockGroupBlocks(),
                base.nMaxOpenFiles(), base.nBlockMaxBytes(), base.maxBitRate(), base.serverVersionInfo(),
                base.versionInfo(), base.versionUrl(), base.authenPackage()));
        log.debug("peer={} connect subscriber={}", io.peer(), subscriber);
    }

    private void onFunnelInfo(FunnelInfo f) {
        if (state != SessionState.CONNECTED) {
            protocolError(f, "FunnelInfo outside INIT before ConnectFunnel");
            return;
        }
        int pi = f.playIncarnation();
        if (pi == PACKET_PAIR_ON || pi == PACKET_PAIR_TCP) {
            // §3.2.5.4: TCP packet-pair is three ReportFunnelInfo with random bytes, sized so
            // that the frames are 512, 512 and 1,056 bytes long.
            for (int size : PACKET_PAIR_FRAME_SIZES) {
                byte[] pair = new byte[size - FUNNEL_INFO_FRAME_OVERHEAD];
                random.nextBytes(pair);
                send(funnelInfo(PACKET_PAIR_TCP, pair));
            }
        } else {
            send(funnelInfo(PACKET_PAIR_OFF, new byte[0]));
        }
    }

    private ReportFunnelInfo funnelInfo(int playIncarnation, byte[] packetPair) {
        return new ReportFunnelInfo(Hresults.S_OK, playIncarnation, 0x00000008, 1, 0x00010000, clientId, 0, 1, 0, 0,
                packetPair);
    }

    private void onConnectFunnel(ConnectFunnel f) {
        if (state != SessionState.CONNECTED && state != SessionState.FUNNEL_READY) {
            protocolError(f, "ConnectFunnel outside INIT");
            return;
        }
        // §3.2.5.5: the address in funnelName is ignored (players send fake ones); only the
        // transport matters. UDP delivery is not offered yet, so UDP funnels are refused and
        // clients fall back to TCP.
        String name = f.funnelName().toUpperCase(java.util.Locale.ROOT);
        if (name.contains("\\UDP\\")) {
            send(new ReportDisconnectedFunnel(Hresults.E_FAIL, 0));
            return;
        }
        setState(SessionState.FUNNEL_READY);
        send(new ReportConnectedFunnel(Hresults.S_OK, 0, 0, "Funnel Of The Gods"));
    }

    private void onOpenFile(OpenFile o) {
        if (state != SessionState.FUNNEL_READY) {
            protocolError(o, "OpenFile before ConnectFunnel or while content is open");
            return;
        }
        openPlayIncarnation = o.playIncarnation();
        challenges = 0;
        pendingOpenPath = ContentPaths.normalize(o.fileName());
        requestedPath = pendingOpenPath;
        String credentials = null;
        byte[] token = o.tokenData();
        if (token.length > 0) {
            credentials = asciiz(token);
        }
        open(credentials);
    }

    private void onSecurityResponse(SecurityResponse r) {
        if (state != SessionState.OPENING || pendingOpenPath == null || challengeCookie == 0) {
            protocolError(r, "SecurityResponse without a challenge");
            return;
        }
        if (r.cookie() != challengeCookie) {
            log.debug("peer={} SecurityResponse cookie mismatch (lenient)", io.peer());
        }
        challengeCookie = 0;
        open(asciiz(r.token()));
    }

    private void open(String credentials) {
        setState(SessionState.OPENING);
        OpenResult result;
        try {
            result = catalog.open(new OpenRequest(pendingOpenPath, subscriber, io.peer(), credentials, io.eventLoop()));
        } catch (RuntimeException e) {
            log.warn("peer={} path={} open failed: {}", io.peer(), pendingOpenPath, e.toString());
            result = new OpenResult.Failed(Hresults.E_FAIL, e.getMessage());
        }
        onOpenResult(result);
    }

    private void onOpenResult(OpenResult result) {
        if (state == SessionState.CLOSED) {
            if (result instanceof OpenResult.Opened o) {
                o.media().close();
            }
            return;
        }
        if (result instanceof OpenResult.Opened o) {
            media = o.media();
            selection = StreamSelection.none(media.info());
            publishingPoint = media.publishingPoint();
            packetCounter = metrics.packetCounter(publishingPoint);
            metrics.sessionOpened(publishingPoint);
            ContentInfo info = media.info();
            setState(SessionState.OPENED);
            send(reportOpenFile(Hresults.S_OK, info));
            accessLog.info("peer={} path={} event=open pp={} client=\"{}\" packets={} bitrate={}", io.peer(),
                    requestedPath, publishingPoint, subscriber == null ? "-" : subscriber.clientToken(),
                    info.packetCount(), info.bitRate());
        } else if (result instanceof OpenResult.Failed f) {
            setState(SessionState.FUNNEL_READY);
            metrics.error("open_failed");
            accessLog.info("peer={} path={} event=open-failed hr={} reason=\"{}\"", io.peer(), requestedPath,
                    Hresults.hex(f.hr()), f.reason());
            send(new ReportOpenFile(f.hr(), openPlayIncarnation, OPEN_FILE_ID, 0, 0, 0, 0.0, 0, 0, 0L, 0, 0));
        } else if (result instanceof OpenResult.Redirect r) {
            // §3.2.5.6: after a redirect the server deletes the session state and closes.
            accessLog.info("peer={} path={} event=redirect type={} location=\"{}\" reason=\"{}\"", io.peer(),
                    requestedPath, r.type(), r.location(), r.reason());
            metrics.error("redirect_" + r.type());
            send(new ReportRedirect(Hresults.S_OK, r.type(), r.location()));
            close();
        } else if (result instanceof OpenResult.AuthenticationRequired a) {
            if (++challenges > MAX_CHALLENGES) {
                setState(SessionState.FUNNEL_READY);
                challenges = 0;
                metrics.error("auth_failed");
                accessLog.info("peer={} path={} event=open-failed hr={} reason=\"authentication failed {} times\"",
                        io.peer(), requestedPath, Hresults.hex(Hresults.E_ACCESS_DENIED), MAX_CHALLENGES);
                send(new ReportOpenFile(Hresults.E_ACCESS_DENIED, openPlayIncarnation, OPEN_FILE_ID, 0, 0, 0, 0.0, 0,
                        0, 0L, 0, 0));
                return;
            }
            do {
                challengeCookie = random.nextInt();
            } while (challengeCookie == 0);
            setState(SessionState.OPENING);
            // §2.2.4.14: Basic pToken is UTF-16 `realm="..."` plus a NUL.
            String realm = "realm=\"" + a.realm().replace("\"", "") + "\"\0";
            send(new SecurityChallenge(openPlayIncarnation, challengeCookie,
                    realm.getBytes(StandardCharsets.UTF_16LE)));
        } else if (result instanceof OpenResult.Pending p) {
            p.result().whenComplete((r, err) -> io.schedule(() -> onOpenResult(
                    err != null ? new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, err.toString()) : r),
                    0, TimeUnit.NANOSECONDS));
        }
    }

    private ReportOpenFile reportOpenFile(int hr, ContentInfo info) {
        double duration = info.durationSeconds();
        int blocks = (int) Math.min(Integer.MAX_VALUE, Math.ceil(duration));
        return new ReportOpenFile(hr, openPlayIncarnation, OPEN_FILE_ID, 0, 0, info.attributes(), duration, blocks,
                info.packetSize(), info.packetCount(), (int) Math.min(0xFFFFFFFFL, info.bitRate()),
                info.fileHeaderSize());
    }

    // ------------------------------------------------------------------ header (§3.2.5.8)

    private void onReadBlock(ReadBlock r) {
        if (state != SessionState.OPENED && state != SessionState.READY) {
            protocolError(r, "ReadBlock before ReportOpenFile or while streaming");
            return;
        }
        incarnation = r.playIncarnation() & 0xFF;
        send(new ReportReadBlock(Hresults.S_OK, r.playIncarnation(), 0));
        boolean wasInit = state == SessionState.OPENED;
        setState(SessionState.SENDING_HEADER);
        header = new HeaderSender(media.info(), () -> {
            header = null;
            setState(SessionState.READY);
            if (wasInit) {
                startIdleTimer();
            }
        });
        header.start();
    }

    private void onCancelReadBlock(CancelReadBlock c) {
        // §3.2.5.9: discard header packets not yet sent.
        if (header != null) {
            header.cancel();
            header = null;
            setState(SessionState.OPENED);
        }
    }

    /** Sends the ASF file header as Data packets, paced at the content bit rate (§3.2.5.8.1). */
    private final class HeaderSender {
        private final byte[] bytes;
        private final int chunk;
        private final long bitRate;
        private final Runnable done;
        private final long startNanos;
        private int offset;
        private int locationId;
        private ScheduledFuture<?> timer;
        private boolean cancelled;

        HeaderSender(ContentInfo info, Runnable done) {
            this.bytes = info.fileHeader();
            // A Data packet's payload is never larger than the ASF packet size (§3.2.5.8.1);
            // MPlayer's header buffer is 8 KiB, so chunks are also capped there.
            this.chunk = Math.max(1, Math.min(info.packetSize(), 8192 - DataPacket.HEADER_SIZE));
            this.bitRate = Math.max(info.bitRate(), 8_000);
            this.done = done;
            this.startNanos = io.nanoTime() + REPLY_GAP_NANOS;
        }

        void start() {
            schedule(REPLY_GAP_NANOS);
        }

        void cancel() {
            cancelled = true;
            ServerSession.cancel(timer);
        }

        private void schedule(long delayNanos) {
            timer = io.schedule(this::pump, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        }

        void pump() {
            guarded(this::pumpHeader);
        }

        private void pumpHeader() {
            if (cancelled || state == SessionState.CLOSED) {
                return;
            }
            ServerSession.cancel(timer);
            timer = null;
            while (offset < bytes.length) {
                if (!io.isWritable()) {
                    io.flush();
                    return; // onWritable() resumes
                }
                long due = startNanos + paceNanos(offset, bitRate);
                long wait = due - io.nanoTime();
                if (wait > 0) {
                    io.flush();
                    schedule(wait);
                    return;
                }
                int n = Math.min(chunk, bytes.length - offset);
                boolean last = offset + n == bytes.length;
                ByteBuf payload = alloc.buffer(n).writeBytes(bytes, offset, n);
                io.sendData(locationId++, incarnation,
                        last ? DataPacket.AF_HEADER_LAST : DataPacket.AF_HEADER_PART, payload);
                packetCounter.sent(n + DataPacket.HEADER_SIZE, true);
                offset += n;
            }
            io.flush();
            armKeepAlive();
            done.run();
        }
    }

    /** Time to send {@code bytes} at {@code bitRate}, scaled by the configured pacing speed. */
    private long paceNanos(long bytes, long bitRate) {
        if (settings.pacingSpeed() == 0 || bitRate <= 0) {
            return 0;
        }
        return (long) (bytes * 8.0 * 1e9 / bitRate / settings.pacingSpeed());
    }

    // ------------------------------------------------------------------ stream selection (§3.2.5.10)

    private void onStreamSwitch(StreamSwitch s) {
        if (media == null || state.compareTo(SessionState.OPENED) < 0) {
            protocolError(s, "StreamSwitch before OpenFile");
            return;
        }
        boolean ok = selection.apply(s.entries(), media.info());
        if (!ok) {
            log.debug("peer={} StreamSwitch names unknown streams: {}", io.peer(), s.entries());
        }
        send(new ReportStreamSwitch(Hresults.S_OK));
    }

    // ------------------------------------------------------------------ playing (§3.2.5.11, §3.2.5.12)

    private void onStartPlaying(StartPlaying p) {
        if (!canPlay(p)) {
            return;
        }
        long accelBw = p.dwAccelBandwidth() > 0 && p.dwAccelDuration() > 0 ? p.dwAccelBandwidth() : 0;
        long accelMs = accelBw > 0 ? p.dwAccelDuration() : 0;
        startOrContinue(p.playIncarnation(), p.position(), p.asfOffset(), p.locationId(), p.frameOffset(), 1.0,
                accelBw, accelMs);
        send(new ReportStartedPlaying(Hresults.S_OK, p.playIncarnation(), OPEN_FILE_ID, 0));
        stream.begin();
    }

    private void onStartStriding(StartStriding s) {
        if (!canPlay(s)) {
            return;
        }
        double rate = s.rate();
        if (!(rate >= -5 && rate <= 5) || rate == 0) {
            send(new ReportStartStriding(Hresults.E_INVALID_ARG, s.playIncarnation(), 0));
            return;
        }
        if ((media.info().attributes() & ContentInfo.ATTR_CANSTRIDE) == 0) {
            send(new ReportStartStriding(Hresults.E_ACCESS_DENIED, s.playIncarnation(), 0));
            return;
        }
        startOrContinue(s.playIncarnation(), s.position(), s.asfOffset(), s.locationId(), 0, rate, 0, 0);
        send(new ReportStartStriding(Hresults.S_OK, s.playIncarnation(), 0));
        stream.begin();
    }

    private boolean canPlay(MmsMessage m) {
        if (state == SessionState.SENDING_HEADER) {
            // The header isn't fully sent; a player can't have read it all yet.
            protocolError(m, "play request while the header is still being sent");
            return false;
        }
        if (state != SessionState.READY && state != SessionState.STREAMING) {
            protocolError(m, "play request before the header was read");
            return false;
        }
        return true;
    }

    private void startOrContinue(int pi, double position, int asfOffset, int locationId, int frameOffset,
                                 double rate, long accelBw, long accelMs) {
        playIncarnation = pi;
        incarnation = pi & 0xFF;
        // §2.2.2: after AFFlags 0xFE the first packet of a new play request SHOULD be 0x00.
        if ((sequence & 0xFF) == 0xFF) {
            sequence = 0;
        }
        if (!selection.switched() && subscriber != null && subscriber.clientToken().startsWith("Spooooon!")) {
            // §3.2.5.11: Windows Media Services 4.x as a client gets every stream by default.
            selection = StreamSelection.all(media.info());
        }
        boolean restart = stream == null;
        PacketCursor cursor;
        if (restart) {
            cursor = media.play(PlayRequest.fromWire(position, asfOffset, locationId, frameOffset, rate));
        } else {
            // §3.2.5.11: while STREAMING the position fields are ignored; continue from here.
            long next = stream.nextPacket();
            stream.stop();
            cursor = media.play(next, rate);
        }
        // frameOffset (§2.2.4.25): 0 = to the end; MSB clear = absolute stop time in ms; MSB
        // set = relative to the start, resolved against the first packet actually sent.
        long stopAt = -1;
        long stopAfter = -1;
        if (frameOffset != 0) {
            long ms = frameOffset & 0x7FFFFFFFL;
            if ((frameOffset & 0x80000000) != 0) {
                stopAfter = ms;
            } else {
                stopAt = ms;
            }
        }
        selection.resync();
        cancel(idleTimer);
        idleTimer = null;
        setState(SessionState.STREAMING);
        stream = new Stream(cursor, rate, stopAt, stopAfter, accelBw, accelMs);
    }

    private void onStopPlaying(StopPlaying s) {
        if (media == null || state.compareTo(SessionState.OPENED) < 0) {
            protocolError(s, "StopPlaying before OpenFile");
            return;
        }
        // §3.2.5.14: READY, restart the idle timer, EndOfStream hr 0 echoing playIncarnation.
        // VLC's seek waits for this EndOfStream before the next StartPlaying.
        stopStreaming();
        if (state == SessionState.STREAMING) {
            setState(SessionState.READY);
        }
        startIdleTimer();
        send(new ReportEndOfStream(Hresults.S_OK, s.playIncarnation()));
    }

    private void stopStreaming() {
        if (stream != null) {
            stream.stop();
            stream = null;
        }
    }

    /**
     * Sends ASF data packets (§3.2.5.11.1): filtered by the stream selection, paced by send
     * time (ahead by the preroll, after an optional accelerated start), stopping while the
     * socket is not writable so that a slow player only ever delays itself.
     */
    private final class Stream {
        private final PacketCursor cursor;
        private final double rate;
        private long stopAtMs;
        private final long stopAfterMs;
        private final long accelBitRate;
        private final long accelMs;
        private final boolean keyFramesOnly;
        private long startNanos;
        private long firstSendTime = -1;
        private long bytesThisRun;
        private long lastNumber = -1;
        private MediaPacket pending;
        private ScheduledFuture<?> timer;
        private boolean stopped;
        private final java.util.concurrent.atomic.AtomicBoolean wakePending =
                new java.util.concurrent.atomic.AtomicBoolean();
        /** Packets that arrive already paced go out once per write window (see the cursor listener). */
        private final boolean mergeWrites;
        private boolean startedOnce;
        private boolean windowWakePending;

        Stream(PacketCursor cursor, double rate, long stopAtMs, long stopAfterMs, long accelBitRate, long accelMs) {
            this.cursor = cursor;
            this.rate = rate;
            this.stopAtMs = stopAtMs;
            this.stopAfterMs = stopAfterMs;
            this.accelBitRate = accelBitRate;
            this.accelMs = accelMs;
            this.keyFramesOnly = rate != 1.0;
            // Not for a proxy's upstream session (a VIA token, §2.2.4.17): it is one connection
            // carrying the broadcast for all the proxy's players, which merges their writes
            // itself; merging here too would only add a window of lag to every one of them.
            boolean proxy = subscriber != null && subscriber.viaProxy();
            this.mergeWrites = cursor.selfPaced() && settings.writeMergeMillis() > 0 && !proxy;
            // Called for every packet a live source, a relay or a cache fill publishes. Packets
            // that arrive already paced wait for the end of the write window: the player then
            // gets every packet of the window in one pump and one write (the first goes at once,
            // so a player starts without waiting). Otherwise one queued wakeup at a time per
            // player, however many packets arrive before it runs.
            cursor.onAvailable(() -> {
                if (mergeWrites) {
                    if (io.inEventLoop()) {
                        wakeAtWindowEnd();
                    } else if (wakePending.compareAndSet(false, true)) {
                        io.execute(() -> {
                            wakePending.set(false);
                            wakeAtWindowEnd();
                        });
                    }
                } else if (wakePending.compareAndSet(false, true)) {
                    io.execute(() -> {
                        wakePending.set(false);
                        pumpIfIdle();
                    });
                }
            });
        }

        /** On the session's thread: pump at the end of the current write window (once per window). */
        private void wakeAtWindowEnd() {
            if (!startedOnce) {
                startedOnce = true;
                io.execute(this::pumpIfIdle); // queued: a listener may run inside this stream's own pump
                return;
            }
            if (!windowWakePending) {
                windowWakePending = true;
                io.atWindowEnd(() -> {
                    windowWakePending = false;
                    pumpIfIdle();
                });
            }
        }

        void begin() {
            startNanos = io.nanoTime() + REPLY_GAP_NANOS;
            schedule(REPLY_GAP_NANOS);
        }

        long nextPacket() {
            if (pending != null) {
                return pending.number();
            }
            return lastNumber + 1;
        }

        void stop() {
            stopped = true;
            ServerSession.cancel(timer);
            timer = null;
            if (pending != null) {
                pending.release();
                pending = null;
            }
            cursor.close();
        }

        private void schedule(long delayNanos) {
            ServerSession.cancel(timer);
            timer = io.schedule(this::pump, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        }

        private void pumpIfIdle() {
            if (timer == null) {
                pump();
            }
        }

        void pump() {
            guarded(this::pumpPackets);
        }

        private void pumpPackets() {
            if (stopped || state == SessionState.CLOSED) {
                return;
            }
            timer = null;
            int batch = 0;
            while (!stopped) {
                if (!io.isWritable()) {
                    io.flush();
                    cursor.stalled(); // a live cursor ends a player lagging too far behind
                    return; // onWritable() resumes
                }
                if (pending == null) {
                    MediaPacket p = cursor.poll();
                    if (p == null) {
                        io.flush();
                        if (cursor.finished()) {
                            endOfEntry();
                        }
                        return; // live: onAvailable() resumes
                    }
                    if (stopAfterMs >= 0 && stopAtMs < 0) {
                        stopAtMs = p.sendTimeMs() + stopAfterMs;
                    }
                    if (stopAtMs >= 0 && rate > 0 && p.sendTimeMs() > stopAtMs) {
                        p.release();
                        io.flush();
                        endOfEntry();
                        return;
                    }
                    pending = p;
                }
                long wait = dueNanos(pending) - io.nanoTime();
                if (wait > 0) {
                    io.flush();
                    schedule(wait);
                    return;
                }
                MediaPacket p = pending;
                pending = null;
                send(p);
                if (++batch == 16) {
                    io.flush();
                    batch = 0;
                }
            }
        }

        private long dueNanos(MediaPacket p) {
            if (firstSendTime < 0) {
                firstSendTime = p.sendTimeMs();
            }
            double speed = settings.pacingSpeed();
            if (speed == 0 || cursor.selfPaced()) {
                return startNanos;
            }
            double contentMs = rate > 0 ? p.sendTimeMs() - firstSendTime : firstSendTime - p.sendTimeMs();
            contentMs /= Math.abs(rate);
            long lead = rate == 1.0 ? media.info().prerollMs() : 0;
            double realTimeMs = Math.max(0, contentMs - lead - accelMs);
            long due = startNanos + (long) (realTimeMs * 1e6 / speed);
            if (accelBitRate > 0 && contentMs < accelMs + lead) {
                // dwAccelBandwidth/dwAccelDuration (§3.2.5.11): the first accelMs of content
                // go at the requested rate instead of real time.
                due = Math.max(due, startNanos + paceNanos(bytesThisRun, accelBitRate));
            }
            return due;
        }

        private void send(MediaPacket p) {
            lastNumber = p.number();
            try {
                ByteBuf payload;
                if (selection.keepsAll(p.payloads(), keyFramesOnly)) {
                    // The common case: the shared buffer goes out as is, behind this session's header.
                    payload = p.content().retainedDuplicate();
                } else {
                    ByteBuf filtered = AsfPackets.filter(p.content(), media.info().packetSize(),
                            pl -> selection.keep(pl, keyFramesOnly), alloc);
                    if (filtered == null) {
                        return; // §3.2.5.11.1: a packet with every payload filtered away is not sent
                    }
                    // filter() keeps the packet length and pads; the padding goes again (§2.2.2).
                    try {
                        payload = AsfPackets.stripPadding(filtered, media.info().packetSize(), alloc);
                    } finally {
                        filtered.release();
                    }
                }
                int n = payload.readableBytes();
                io.sendData((int) p.number(), incarnation, sequence & 0xFF, payload);
                sequence++;
                packetsSent++;
                bytesSent += n;
                bytesThisRun += n;
                packetCounter.sent(n + DataPacket.HEADER_SIZE, false);
            } finally {
                p.release();
            }
        }
    }

    /** §3.2.4.1: the last Data packet of the entry is out. */
    private void endOfEntry() {
        stopStreaming();
        if (media.hasNextEntry() && media.nextEntry()) {
            // §3.2.4.2 over TCP: EndOfStream hr 1, StreamChange, the new header with
            // incarnation 0xFF, then the new entry's packets from the start.
            send(new ReportEndOfStream(Hresults.S_STREAM_CHANGE, playIncarnation));
            ContentInfo info = media.info();
            send(new ReportStreamChange(Hresults.S_OK, 0xFF, info.packetSize(), info.fileHeaderSize(),
                    (int) Math.min(0xFFFFFFFFL, info.bitRate()), 0));
            incarnation = STREAM_CHANGE_INCARNATION;
            // A new entry's streams differ; every stream is selected until the player switches.
            selection = StreamSelection.all(info);
            accessLog.info("peer={} path={} event=stream-change packets={}", io.peer(), requestedPath,
                    info.packetCount());
            header = new HeaderSender(info, () -> {
                header = null;
                if (state == SessionState.STREAMING) {
                    int keep = playIncarnation;
                    stream = new Stream(media.play(0, 1.0), 1.0, -1, -1, 0, 0);
                    playIncarnation = keep;
                    incarnation = STREAM_CHANGE_INCARNATION;
                    stream.begin();
                }
            });
            header.start();
            return;
        }
        accessLog.info("peer={} path={} event=end-of-stream packets={} bytes={}", io.peer(), requestedPath,
                packetsSent, bytesSent);
        setState(SessionState.READY);
        startIdleTimer();
        send(new ReportEndOfStream(Hresults.S_OK, playIncarnation));
        if (ClientQuirks.waitsForCloseAtEnd(subscriber)) {
            // MPlayer waits for the connection to close (ClientQuirks); the close goes out
            // after the EndOfStream and the last packets.
            accessLog.info("peer={} path={} event=close reason=\"{} finishes only when the server closes\"",
                    io.peer(), requestedPath, subscriber.clientToken());
            close();
        }
    }

    private void endStreamWithError(int hr) {
        if (state == SessionState.STREAMING) {
            stopStreaming();
            setState(SessionState.READY);
            send(new ReportEndOfStream(hr, playIncarnation));
            close();
        } else {
            close();
        }
    }

    // ------------------------------------------------------------------ logging (§3.2.5.15)

    private void onLogging(Logging l) {
        if (state == SessionState.AWAIT_CONNECT) {
            protocolError(l, "Logging before Connect");
            return;
        }
        accessLog.info("peer={} path={} event=client-log {}", io.peer(), requestedPath, l.log().toLogString());
        if (media != null) {
            media.clientLog(l.log());
        }
    }

    // ------------------------------------------------------------------ timers (§3.2.6)

    private void armKeepAlive() {
        if (keepAliveTimer == null && state != SessionState.CLOSED) {
            keepAliveTimer = io.schedule(this::keepAliveExpired, settings.keepAlive().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void keepAliveExpired() {
        keepAliveTimer = null;
        if (state != SessionState.CLOSED) {
            send(new Ping(0, 0));
        }
    }

    private void startIdleTimer() {
        if (idleTimer == null && state != SessionState.CLOSED) {
            idleTimer = io.schedule(this::idleExpired, settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void idleExpired() {
        idleTimer = null;
        if (state != SessionState.STREAMING && state != SessionState.CLOSED) {
            log.info("peer={} path={} idle for {} in state {}: closing", io.peer(), requestedPath,
                    settings.idleTimeout(), state);
            metrics.error("idle_timeout");
            close();
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** Runs timer- or writability-driven work; a failure ends this session only. */
    private void guarded(Runnable work) {
        try {
            work.run();
        } catch (MediaReadException e) {
            log.warn("peer={} path={} content error: {}", io.peer(), requestedPath, e.getMessage());
            metrics.error("media_read");
            endStreamWithError(e.hr());
        } catch (RuntimeException e) {
            log.error("peer={} path={} internal error; closing this session", io.peer(), requestedPath, e);
            metrics.error("internal");
            close();
        }
    }

    private void send(MmsMessage m) {
        io.send(m);
        armKeepAlive();
    }

    private void protocolError(MmsMessage m, String reason) {
        log.warn("peer={} message={} state={} reason=\"{}\": closing connection", io.peer(),
                m.getClass().getSimpleName(), state, reason);
        metrics.error("protocol_" + m.getClass().getSimpleName());
        close();
    }

    private void setState(SessionState next) {
        if (next != state) {
            SessionState before = state;
            state = next;
            metrics.stateChanged(before, next);
        }
    }

    /** Ends the session: deletes all state and closes the connection. */
    public void close() {
        if (state == SessionState.CLOSED) {
            return;
        }
        release();
        io.close();
    }

    private void release() {
        if (state == SessionState.CLOSED) {
            return;
        }
        setState(SessionState.CLOSED);
        if (header != null) {
            header.cancel();
            header = null;
        }
        stopStreaming();
        cancel(keepAliveTimer);
        cancel(idleTimer);
        keepAliveTimer = null;
        idleTimer = null;
        if (media != null) {
            metrics.sessionClosed(publishingPoint);
            media.close();
            media = null;
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** ASCII text up to the first NUL (Basic credentials, §2.2.4.21 / §2.2.4.24). */
    private static String asciiz(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    /** For tests and status: the streams now selected. */
    public List<Integer> selectedStreams() {
        return selection == null ? List.of() : List.copyOf(selection.selectedStreams());
    }
}
