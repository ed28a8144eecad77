package io.mmsedge.server.session;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportDisconnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.mmsedge.protocol.mms.message.ReportStartStriding;
import io.mmsedge.protocol.mms.message.ReportStartedPlaying;
import io.mmsedge.protocol.mms.message.ReportStreamSwitch;
import io.mmsedge.protocol.mms.message.SecurityResponse;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StartStriding;
import io.mmsedge.protocol.mms.message.StopPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.MediaReadException;
import io.mmsedge.server.media.PlayRequest;
import io.mmsedge.server.play.PlayEvents;
import io.mmsedge.server.play.PlaySession;
import io.mmsedge.server.udp.UdpTransport;
import io.netty.buffer.ByteBufAllocator;
import java.security.SecureRandom;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MMS/TCP front end: the server role of MS-MMSP (§3.2) for one player connection,
 * independent of sockets. It holds the command state machine ({@link SessionState},
 * {@link CommandRules}) and the replies; what is played, and how, is the {@link PlaySession}'s,
 * framed as Data packets by {@link MmsDataFraming}. Every method runs on the connection's
 * event loop.
 */
public final class ServerSession implements PlayEvents {

    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final Logger accessLog = LoggerFactory.getLogger("io.mmsedge.access");

    private final ServerSettings settings;
    private final SessionIo io;
    private final ServerMetrics metrics;
    private final SecureRandom random;
    private final MmsReplies replies;
    private final MmsDataFraming framing;
    private final DataFunnel funnel;
    private final PlaySession play;

    private SessionState state = SessionState.AWAIT_CONNECT;
    private SubscriberName subscriber;
    private final OpenFlow opening;
    /** playIncarnation of the latest StartPlaying/StartStriding, echoed by EndOfStream (§2.2.4.5). */
    private int playIncarnation;
    /** The header being sent answers the first ReadBlock after the open (the idle timer restarts after it). */
    private boolean headerAfterOpen;
    private final SessionTimers timers;

    /** @param udp the listener's UDP side (§3.2.5.5), or null: UDP funnels are then refused */
    public ServerSession(ServerSettings settings, MediaCatalog catalog, SessionIo io, ServerMetrics metrics,
                         ByteBufAllocator alloc, SecureRandom random, UdpTransport udp) {
        this.settings = settings;
        this.io = io;
        this.metrics = metrics;
        this.random = random;
        this.replies = new MmsReplies(settings, catalog, random);
        this.funnel = new DataFunnel(io, udp, settings.pacingSpeed(), this::onWritable);
        this.framing = new MmsDataFraming(funnel);
        this.play = new PlaySession(settings, catalog, metrics, funnel, framing, this, alloc);
        play.access().frontEnd("mms", funnel::transportName, io::localAddress);
        this.opening = new OpenFlow(io, metrics, random, replies, funnel, play, this::setState, this::send, this::close,
                this::protocolError);
        this.timers = new SessionTimers(io, settings, this::keepAliveExpired, this::idleExpired,
                () -> closeBecause("pings_unanswered", "answered none of " + SessionTimers.MAX_UNANSWERED_PINGS
                        + " Pings"));
    }

    public SessionState state() {
        return state;
    }

    // ------------------------------------------------------------------ connection events

    /** The TCP connection is up: a player that never sends Connect is dropped at the idle timeout. */
    public void onConnected() {
        metrics.stateChanged(null, SessionState.AWAIT_CONNECT);
        timers.startIdle();
    }

    /** A message arrived (§3.2.5.1): the KeepAlive timer stops, then the message is processed. */
    public void onMessage(MmsMessage m) {
        if (state == SessionState.CLOSED) {
            return;
        }
        timers.stopKeepAlive();
        String refusal = CommandRules.refusal(state, m);
        if (refusal != null) {
            protocolError(m, refusal);
            return;
        }
        try {
            dispatch(m);
        } catch (MediaReadException e) {
            play.contentError(e);
        }
    }

    private void dispatch(MmsMessage m) {
        switch (m.type()) {
            case CONNECT -> onConnect((Connect) m);
            case FUNNEL_INFO -> Arrays.stream(funnel.funnelInfo((FunnelInfo) m, replies)).forEach(this::send);
            case CONNECT_FUNNEL -> onConnectFunnel((ConnectFunnel) m);
            case OPEN_FILE -> opening.onOpenFile((OpenFile) m);
            case SECURITY_RESPONSE -> opening.onSecurityResponse((SecurityResponse) m);
            case READ_BLOCK -> onReadBlock((ReadBlock) m);
            case CANCEL_READ_BLOCK -> {
                // §3.2.5.9: discard header packets not yet sent.
                if (play.cancelHeader()) {
                    setState(SessionState.OPENED);
                }
            }
            case STREAM_SWITCH -> onStreamSwitch((StreamSwitch) m);
            case START_PLAYING -> onStartPlaying((StartPlaying) m);
            case START_STRIDING -> onStartStriding((StartStriding) m);
            case STOP_PLAYING -> onStopPlaying((StopPlaying) m);
            case LOGGING -> play.clientLog(((Logging) m).log());
            case PONG -> log.trace("peer={} pong", io.peer()); // §3.2.5.16: nothing to do
            case CLOSE_FILE -> {
                accessLog.info("peer={} path={} event=close-file transport={} packets={} bytes={}", io.peer(),
                        play.requestedPath(), funnel.transportName(), play.packetsSent(), play.bytesSent());
                close();
            }
            default -> protocolError(m, "unexpected message"); // CommandRules let through only the above
        }
    }

    private void onStreamSwitch(StreamSwitch s) {
        // §3.2.5.10: an entry naming a stream the content lacks changes nothing and gets an error hr.
        int hr = play.selectStreams(s.entries()) ? Hresults.S_OK : Hresults.NS_E_INVALID_STREAM;
        if (hr != Hresults.S_OK) {
            log.warn("peer={} path={} StreamSwitch names a stream the content lacks: {} (streams {}): hr={}",
                    io.peer(), play.requestedPath(), s.entries(),
                    play.info().streams().stream().map(ContentInfo.StreamInfo::number).toList(), Hresults.hex(hr));
        }
        send(new ReportStreamSwitch(hr));
    }

    /** The socket drained below its low-water mark: sending resumes. */
    public void onWritable() {
        play.onWritable();
    }

    /** The TCP connection is gone (§3.2.7.1): delete all session state. */
    public void onDisconnected() {
        if (state != SessionState.CLOSED) {
            accessLog.info("peer={} path={} event=disconnect state={} transport={} packets={} bytes={}", io.peer(),
                    play.requestedPath(), state, funnel.transportName(), play.packetsSent(), play.bytesSent());
        }
        release();
    }

    /**
     * The frame decoder could not parse what the player sent. The stream can't be trusted any
     * further, so the connection closes with a log line naming the peer, message and reason.
     */
    public void onDecodeFailure(String messageName, String field, String reason) {
        if (state == SessionState.CLOSED) {
            return; // one warning: the rest of a refused command is not looked at
        }
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

    // ------------------------------------------------------------------ handshake and open

    private void onConnect(Connect c) {
        subscriber = SubscriberName.parse(c.subscriberName());
        play.setPlayer(subscriber);
        setState(SessionState.CONNECTED);
        timers.startIdle();
        send(replies.connected(c));
        log.debug("peer={} connect subscriber={}", io.peer(), subscriber);
    }

    private void onConnectFunnel(ConnectFunnel f) {
        // §3.2.5.5: the address in funnelName is ignored (players send fake ones); a refused UDP
        // funnel gets ReportDisconnectedFunnel and the player rolls over to TCP (§3.1.5.3).
        String refusal = funnel.connect(f, replies.clientId());
        if (refusal != null) {
            log.info("peer={} funnel \"{}\" refused: {}", io.peer(), f.funnelName(), refusal);
            metrics.error("udp_funnel_refused");
            send(new ReportDisconnectedFunnel(Hresults.E_FAIL, 0));
            return;
        }
        setState(SessionState.FUNNEL_READY);
        send(new ReportConnectedFunnel(Hresults.S_OK, 0, 0, "Funnel Of The Gods"));
    }

    // ------------------------------------------------------------------ header (§3.2.5.8)

    private void onReadBlock(ReadBlock r) {
        framing.incarnation(r.playIncarnation());
        funnel.beforeHeader(random);
        send(new ReportReadBlock(Hresults.S_OK, r.playIncarnation(), 0));
        headerAfterOpen = state == SessionState.OPENED;
        setState(SessionState.SENDING_HEADER);
        play.sendHeader();
    }

    @Override
    public void headerSent() {
        timers.armKeepAlive();
        setState(SessionState.READY);
        if (headerAfterOpen) {
            timers.startIdle();
        }
    }

    // ------------------------------------------------------------------ playing (§3.2.5.11, §3.2.5.12)

    private void onStartPlaying(StartPlaying p) {
        long accelBw = p.dwAccelBandwidth() > 0 && p.dwAccelDuration() > 0 ? p.dwAccelBandwidth() : 0;
        long accelMs = accelBw > 0 ? p.dwAccelDuration() : 0;
        startOrContinue(p.playIncarnation(), PlayRequest.fromWire(p.position(), p.asfOffset(), p.locationId(),
                p.frameOffset(), 1.0), accelBw, accelMs);
        send(new ReportStartedPlaying(Hresults.S_OK, p.playIncarnation(), MmsConstants.OPEN_FILE_ID, 0));
    }

    private void onStartStriding(StartStriding s) {
        double rate = s.rate();
        if (!(rate >= -5 && rate <= 5) || rate == 0) {
            send(new ReportStartStriding(Hresults.E_INVALID_ARG, s.playIncarnation(), 0));
            return;
        }
        if (!play.canStride()) {
            send(new ReportStartStriding(Hresults.E_ACCESS_DENIED, s.playIncarnation(), 0));
            return;
        }
        startOrContinue(s.playIncarnation(), PlayRequest.fromWire(s.position(), s.asfOffset(), s.locationId(), 0,
                rate), 0, 0);
        send(new ReportStartStriding(Hresults.S_OK, s.playIncarnation(), 0));
    }

    private void startOrContinue(int pi, PlayRequest request, long accelBw, long accelMs) {
        playIncarnation = pi;
        framing.incarnation(pi);
        framing.newPlayRequest();
        play.play(request, accelBw, accelMs);
        timers.stopIdle();
        setState(SessionState.STREAMING);
    }

    private void onStopPlaying(StopPlaying s) {
        // §3.2.5.14: READY, restart the idle timer, EndOfStream hr 0 echoing playIncarnation.
        // VLC's seek waits for this EndOfStream before the next StartPlaying.
        play.stop();
        if (state == SessionState.STREAMING) {
            setState(SessionState.READY);
        }
        timers.startIdle();
        send(new ReportEndOfStream(Hresults.S_OK, s.playIncarnation()));
    }

    @Override
    public void entryChanged(ContentInfo next) {
        // §3.2.4.2 over TCP: EndOfStream hr 1, StreamChange, the new header with incarnation
        // 0xFF, then the new entry's packets from the start.
        send(new ReportEndOfStream(Hresults.S_STREAM_CHANGE, playIncarnation));
        send(replies.streamChange(next));
        funnel.contentOpened(next, play.media());
        framing.incarnation(MmsConstants.STREAM_CHANGE_INCARNATION);
    }

    @Override
    public void endOfContent() {
        setState(SessionState.READY);
        timers.startIdle();
        ReportEndOfStream eos = new ReportEndOfStream(Hresults.S_OK, playIncarnation);
        // FFmpeg would wait for ever at the end: on a broadcast, and on a file when it decodes
        // audio and reads on past the last packet (ClientQuirks, FfmpegStop). A broadcast's stop
        // packets go first. A file's go after the EndOfStream: ffmpeg -c copy has closed by then,
        // and only the first TCP segment after its close reaches the wire, so the EndOfStream
        // starts it as for every player (tshark decodes no command behind these packets); a
        // decoding ffmpeg prints "Corrupt stream" on the EndOfStream, then reads them and ends.
        ContentInfo stop = ClientQuirks.stopsOnlyOnBadPacket(subscriber) ? play.info() : null;
        funnel.afterLastData(() -> {
            if (stop != null && stop.broadcast()) {
                framing.sendFfmpegStop(stop);
            }
            send(eos);
            if (stop != null && !stop.broadcast()) {
                framing.sendFfmpegStop(stop);
                funnel.flush();
            }
        });
        if (ClientQuirks.waitsForCloseAtEnd(subscriber)) {
            // MPlayer waits for the connection to close (ClientQuirks); the close goes out
            // after the EndOfStream and the last packets.
            accessLog.info("peer={} path={} event=close reason=\"{} finishes only when the server closes\"",
                    io.peer(), play.requestedPath(), subscriber.clientToken());
            close();
        }
    }

    @Override
    public void contentFailed(int hr) {
        if (state == SessionState.STREAMING) {
            play.stop();
            setState(SessionState.READY);
            send(new ReportEndOfStream(hr, playIncarnation));
        }
        close();
    }

    /**
     * True if a drain may send this session's player to a sibling: it watches a broadcast, is not a
     * proxy's upstream session (VIA, §2.2.4.17), and is not FFmpeg, which follows no redirect and
     * would spin on the closed connection (it gets its clean end at the deadline instead).
     */
    public boolean redirectableBroadcast() {
        return play.hasMedia() && play.info().broadcast() && subscriber != null && !subscriber.viaProxy()
                && !ClientQuirks.stopsOnlyOnBadPacket(subscriber);
    }

    /** Server going away: EndOfStream with a failure hr (not the end), then the close; FFmpeg: see ClientQuirks. */
    public void endForShutdown() {
        if (state == SessionState.STREAMING && ClientQuirks.stopsOnlyOnBadPacket(subscriber)) {
            framing.sendFfmpegStop(play.info());
        }
        contentFailed(Hresults.NS_E_SERVER_UNAVAILABLE);
    }

    @Override
    public void internalError() {
        close();
    }

    // ------------------------------------------------------------------ timers (§3.2.6)

    private void keepAliveExpired() {
        if (state != SessionState.CLOSED) {
            send(new Ping(0, 0));
        }
    }

    private void idleExpired() {
        if (state != SessionState.STREAMING) {
            closeBecause("idle_timeout", "idle for " + settings.idleTimeout());
        }
    }

    /** A timer ended the session: logged with the peer and state, counted, closed. */
    private void closeBecause(String error, String why) {
        if (state != SessionState.CLOSED) {
            log.info("peer={} path={} {} in state {}: closing", io.peer(), play.requestedPath(), why, state);
            metrics.error(error);
            close();
        }
    }

    // ------------------------------------------------------------------ plumbing

    private void send(MmsMessage m) {
        io.send(m);
        timers.armKeepAlive();
    }

    private void protocolError(MmsMessage m, String reason) {
        log.warn("peer={} message={} state={} reason=\"{}\": closing connection", io.peer(),
                m.getClass().getSimpleName(), state, reason);
        metrics.error("protocol_" + m.getClass().getSimpleName());
        close();
    }

    private void setState(SessionState next) {
        if (next == state) {
            return;
        }
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("MMS session state " + state + " cannot move to " + next);
        }
        SessionState before = state;
        state = next;
        metrics.stateChanged(before, next);
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
        play.close();
        funnel.close();
        timers.stopAll();
    }
}
