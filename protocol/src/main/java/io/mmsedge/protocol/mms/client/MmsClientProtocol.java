package io.mmsedge.protocol.mms.client;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.Pong;
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
import io.mmsedge.protocol.mms.message.StopPlaying;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client role of MS-MMSP (§3.1) as an I/O-free state machine: it takes the server's decoded
 * messages, Data packets, the caller's requests and timer expiries, and returns the
 * {@link ClientAction}s to perform. Connect → (FunnelInfo) → ConnectFunnel(TCP) → OpenFile [→
 * SecurityChallenge/SecurityResponse] → ReadBlock → header, then StreamSwitch / StartPlaying /
 * StartStriding / StopPlaying, playlist changes and Pings. Server replies are validated strictly:
 * a violation ends the session with {@link ClientAction.Failed} NS_E_PROTOCOL_MISMATCH.
 *
 * <p>Data packets only reach the caller ({@link ClientAction.Packet}) for the current play
 * request: each StartPlaying/StartStriding uses a fresh PlayIncarnation (§3.1.1) and packets with
 * any other playIncarnation byte (stragglers of a stopped request) are not passed. After a
 * StreamChange the new entry's header and packets carry 0xFF (§3.2.4.2).
 *
 * <p>Not thread-safe: one thread (an event loop) drives it. Methods never send anything
 * themselves and never release Data packets.
 */
public final class MmsClientProtocol {

    private static final Logger log = LoggerFactory.getLogger(MmsClientProtocol.class);

    /** The §3.1 client states, in the order a session goes through them. */
    public enum State {
        CONNECTING, AWAIT_CONNECTED_EX, AWAIT_FUNNEL_INFO, AWAIT_CONNECTED_FUNNEL, FUNNEL_CONNECTED, AWAIT_OPEN_FILE,
        AWAIT_HEADER, READY, AWAIT_STREAM_SWITCH, AWAIT_PLAY_REPLY, STREAMING, AWAIT_STREAM_CHANGE,
        STREAM_CHANGE_HEADER, STOPPING, CLOSED
    }

    private final ClientConfig config;
    private final Incarnations incarnations = new Incarnations();
    private final OpenSequence open;
    private final PlayControl play;
    /** The handler of each server message type (messages are records: exact classes). */
    private final Map<Class<?>, Consumer<MmsMessage>> handlers;
    private State state = State.CONNECTING;
    /** The actions of the call in progress. */
    private List<ClientAction> out = new ArrayList<>();

    public MmsClientProtocol(ClientConfig config) {
        this.config = config;
        this.open = new OpenSequence(this, incarnations);
        this.play = new PlayControl(this, incarnations);
        this.handlers = Map.ofEntries(
                on(Ping.class, m -> send(new Pong(0, 0))), // §3.1.5.13: answer at any time.
                on(ReportConnectedEx.class, open::onConnectedEx),
                on(ReportFunnelInfo.class, open::onFunnelInfo),
                on(ReportConnectedFunnel.class, open::onConnectedFunnel),
                on(ReportDisconnectedFunnel.class, this::onDisconnectedFunnel),
                on(ReportRedirect.class, open::onRedirect),
                on(SecurityChallenge.class, open::onSecurityChallenge),
                on(ReportOpenFile.class, open::onReportOpenFile),
                on(ReportReadBlock.class, open::onReportReadBlock),
                on(ReportStreamSwitch.class, play::onReportStreamSwitch),
                on(ReportStartedPlaying.class, r -> play.onPlayReply(false, r.hr(), r.playIncarnation())),
                on(ReportStartStriding.class, r -> play.onPlayReply(true, r.hr(), r.playIncarnation())),
                on(ReportEndOfStream.class, play::onEndOfStream),
                on(ReportStreamChange.class, play::onStreamChange));
    }

    private static <T extends MmsMessage> Map.Entry<Class<?>, Consumer<MmsMessage>> on(Class<T> type,
                                                                                        Consumer<T> handler) {
        return Map.entry(type, m -> handler.accept(type.cast(m)));
    }

    // ------------------------------------------------------------------ inputs

    /** The TCP connection is up: Connect (§3.1.5.3). {@code funnelName} names this end (ConnectFunnel). */
    public List<ClientAction> connected(String funnelName) {
        return run(() -> open.start(funnelName));
    }

    /** After {@link ClientAction.FunnelConnected}: OpenFile {@code path} (§3.1.5.6). */
    public List<ClientAction> openFile(String path) {
        return run(() -> {
            expectState("openFile", State.FUNNEL_CONNECTED);
            open.sendOpenFile(path);
        });
    }

    /** A message from the server. */
    public List<ClientAction> onMessage(MmsMessage m) {
        return run(() -> {
            if (state != State.CLOSED) {
                dispatch(m);
            }
        });
    }

    /**
     * A Data packet from the server. Never released here: the caller owns it, and passes it on
     * when the result holds a {@link ClientAction.Packet} for it.
     */
    public List<ClientAction> onData(DataPacket p) {
        return run(() -> {
            switch (state) {
                case AWAIT_HEADER -> open.onHeaderData(p);
                case STREAM_CHANGE_HEADER, AWAIT_PLAY_REPLY, STREAMING -> play.onData(p);
                case AWAIT_CONNECTED_EX, AWAIT_FUNNEL_INFO, AWAIT_CONNECTED_FUNNEL, FUNNEL_CONNECTED, AWAIT_OPEN_FILE ->
                        throw new ClientProtocolException("Data packet before the header was requested");
                default -> {
                    // READY, STOPPING, AWAIT_STREAM_SWITCH, AWAIT_STREAM_CHANGE, CLOSED: stragglers
                    // of a stopped or finished play request.
                }
            }
        });
    }

    /** StreamSwitch (once) then StartPlaying / StartStriding (§3.1.4.2); ends with PlayDone or PlayRefused. */
    public List<ClientAction> play(ClientPlayRequest r) {
        return run(() -> play.begin(r));
    }

    /** StopPlaying (§3.1.4.5); ends with StopDone. */
    public List<ClientAction> stop() {
        return run(play::beginStop);
    }

    /** LinkViewerToMacLogging (§2.2.4.20); nothing before the content is open or once closed. */
    public List<ClientAction> logging(ClientLog clientLog) {
        return run(() -> {
            if (state != State.CLOSED && open.openFile() != null) {
                send(new Logging(clientLog));
            }
        });
    }

    /** The session failed for a reason outside the protocol (I/O, timeout): Failed, once. */
    public List<ClientAction> fail(int hr, String reason) {
        return run(() -> failNow(hr, reason));
    }

    /**
     * Closes the session (no event follows) and gives the messages that end it politely:
     * StopPlaying while a play request is active, then CloseFile (§3.1.4.8) once a file is open.
     * Empty when already closed or nothing is open.
     */
    public List<MmsMessage> close() {
        if (state == State.CLOSED) {
            return List.of();
        }
        State was = state;
        state = State.CLOSED;
        open.closed();
        List<MmsMessage> goodbye = new ArrayList<>(2);
        ReportOpenFile openFile = open.openFile();
        if (openFile != null) {
            if (was == State.STREAMING || was == State.AWAIT_STREAM_CHANGE || was == State.STREAM_CHANGE_HEADER
                    || was == State.AWAIT_PLAY_REPLY) {
                goodbye.add(new StopPlaying(openFile.openFileId(), incarnations.forStop()));
            }
            // §3.1.4.8: playIncarnation SHOULD be 0.
            goodbye.add(new CloseFile(0, openFile.openFileId()));
        }
        return goodbye;
    }

    // ------------------------------------------------------------------ observation

    public State state() {
        return state;
    }

    public boolean closed() {
        return state == State.CLOSED;
    }

    /** True while packets of a play request flow (the stream's silence is then bounded). */
    public boolean streaming() {
        return state == State.STREAMING;
    }

    /** The ReportOpenFile of the open; null before it arrived. */
    public ReportOpenFile openFileReport() {
        return open.openFile();
    }

    /** True once a SecurityChallenge was answered (§2.2.4.14): the content is protected. */
    public boolean challenged() {
        return open.challenged();
    }

    /** The server's ServerVersionInfo (§2.2.4.2); "" before ReportConnectedEX. */
    public String serverVersion() {
        return open.serverVersion();
    }

    // ------------------------------------------------------------------ for PlayControl

    ClientConfig config() {
        return config;
    }

    PlayControl play() {
        return play;
    }

    void setState(State s) {
        state = s;
    }

    int fileId() {
        return open.openFile().openFileId();
    }

    void send(MmsMessage m) {
        out.add(new ClientAction.Send(m));
    }

    void emit(ClientAction a) {
        out.add(a);
    }

    void armTimer(String waitingFor) {
        out.add(new ClientAction.ArmTimer(waitingFor));
    }

    void cancelTimer() {
        out.add(new ClientAction.CancelTimer());
    }

    void expectState(Object what, State expected) {
        if (state != expected) {
            throw unexpected(what);
        }
    }

    ClientProtocolException unexpected(Object what) {
        String name = what instanceof String s ? s : what.getClass().getSimpleName();
        return new ClientProtocolException("unexpected " + name + " in state " + state);
    }

    void failNow(int hr, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        open.closed();
        play.closed();
        log.info("upstream {} path={} failed in state {}: hr={} {}", config.peer(), config.path(), was,
                Hresults.hex(hr), reason);
        cancelTimer();
        emit(new ClientAction.Failed(hr, reason));
    }

    // ------------------------------------------------------------------ dispatch

    private List<ClientAction> run(Runnable step) {
        List<ClientAction> actions = new ArrayList<>(4);
        List<ClientAction> outer = out;
        out = actions;
        try {
            step.run();
        } catch (ClientProtocolException e) {
            failNow(Hresults.NS_E_PROTOCOL_MISMATCH, e.getMessage());
        } finally {
            out = outer;
        }
        return actions;
    }

    private void dispatch(MmsMessage m) {
        if (!m.fromServer()) {
            throw new ClientProtocolException("the server sent a client message: " + m.getClass().getSimpleName());
        }
        Consumer<MmsMessage> handler = handlers.get(m.getClass());
        if (handler == null) {
            throw unexpected(m);
        }
        handler.accept(m);
    }

    private void onDisconnectedFunnel(ReportDisconnectedFunnel r) {
        expectState(r, State.AWAIT_CONNECTED_FUNNEL);
        failNow(Hresults.failed(r.hr()) ? r.hr() : Hresults.NS_E_CANNOTCONNECT,
                "the server refused the TCP funnel (ReportDisconnectedFunnel hr=" + Hresults.hex(r.hr()) + ")");
    }
}
