package io.mmsedge.protocol.mms.client;

import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.client.MmsClientProtocol.State;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.protocol.mms.message.ReportStreamSwitch;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StartStriding;
import io.mmsedge.protocol.mms.message.StopPlaying;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The playing half of {@link MmsClientProtocol}: StreamSwitch, StartPlaying / StartStriding
 * (§3.1.4.2, §3.1.5.14 – §3.1.5.16), StopPlaying (§3.1.4.5), the end of stream and playlist
 * changes (§3.1.5.18, §3.1.5.19), and which Data packets belong to the current play request.
 */
final class PlayControl {

    private static final Logger log = LoggerFactory.getLogger(PlayControl.class);

    private final MmsClientProtocol p;
    private final Incarnations incarnations;

    /** filePacketSize / cbPacketSize of the current entry: the bound of a Data payload. */
    private int packetSize;
    private List<Integer> streamNumbers = List.of();
    private boolean streamSwitchDone;
    /** The playIncarnation byte of the Data packets now passed on; -1 = none. */
    private int dataIncarnation = -1;
    /** The play request before the current one: its stragglers are never taken leniently; 0 = none. */
    private int previousPlay;
    /**
     * The foreign playIncarnation the current request's Data packets came with (a server that
     * stamps its own, e.g. always 4); -1 = none seen. Its ReportEndOfStream may carry it too.
     */
    private int foreignIncarnation = -1;
    /** The deviation is logged once per session, not once per packet. */
    private boolean foreignLogged;
    private ClientPlayRequest pendingPlay;
    /** A stop request waits for the EndOfStream answering StopPlaying (or for a pending play to end). */
    private boolean stopPending;
    private boolean stopAfterPlay;
    private ReportStreamChange pendingChange;
    private HeaderAssembler assembler;

    PlayControl(MmsClientProtocol p, Incarnations incarnations) {
        this.p = p;
        this.incarnations = incarnations;
    }

    static void checkSize(String field, int value, int max) {
        if (value < 1 || value > max) {
            throw new ClientProtocolException(field + " " + Integer.toUnsignedString(value) + " outside 1.." + max);
        }
    }

    void setPacketSize(int size) {
        packetSize = size;
    }

    void opened(List<Integer> streams) {
        streamNumbers = streams;
    }

    /** The session closed: nothing is pending any more. */
    void closed() {
        assembler = null;
        pendingPlay = null;
        stopPending = false;
        stopAfterPlay = false;
    }

    // ------------------------------------------------------------------ playing

    void begin(ClientPlayRequest r) {
        if (p.state() == State.CLOSED) {
            p.emit(new ClientAction.PlayRefused(Hresults.NS_E_NOCONNECTION));
            return;
        }
        if (p.state() != State.READY || !r.validRate()) {
            log.debug("upstream {}: play request in state {} refused", p.config().peer(), p.state());
            p.emit(new ClientAction.PlayRefused(r.validRate() ? Hresults.E_UNEXPECTED : Hresults.E_INVALID_ARG));
            return;
        }
        pendingPlay = r;
        if (!streamSwitchDone) {
            // §3.1.4.2: the complete selection state: every stream on at thinning 0.
            p.setState(State.AWAIT_STREAM_SWITCH);
            p.send(ClientMessages.selectStreams(streamNumbers));
            p.armTimer("ReportStreamSwitch");
        } else {
            sendPlay();
        }
    }

    void onReportStreamSwitch(ReportStreamSwitch r) {
        p.expectState(r, State.AWAIT_STREAM_SWITCH);
        p.cancelTimer();
        if (Hresults.failed(r.hr())) {
            p.setState(State.READY);
            pendingPlay = null;
            playDone(r.hr());
            stopDone(Hresults.S_OK);
            return;
        }
        streamSwitchDone = true;
        sendPlay();
    }

    private void sendPlay() {
        ClientPlayRequest r = pendingPlay;
        previousPlay = incarnations.forStop();
        int pi = incarnations.nextPlay();
        dataIncarnation = pi & 0xFF;
        foreignIncarnation = -1;
        // packetSize stays that of the current entry: after a StreamChange the server plays that one.
        p.setState(State.AWAIT_PLAY_REPLY);
        if (r.striding()) {
            p.send(new StartStriding(p.fileId(), 0, r.position(), r.asfOffset(), r.locationId(), r.frameOffset(), pi,
                    r.rate()));
            p.armTimer("ReportStartStriding");
        } else {
            // §3.1.4.2.1: only a server of version 9 or later knows the acceleration fields.
            boolean accel = r.accelBitRate() > 0 && ClientMessages.majorVersion(p.serverVersion()) >= 9;
            p.send(new StartPlaying(p.fileId(), 0, r.position(), r.asfOffset(), r.locationId(), r.frameOffset(), pi,
                    accel ? r.accelBitRate() : -1, accel ? r.accelMs() : -1, -1));
            p.armTimer("ReportStartedPlaying");
        }
    }

    void onPlayReply(boolean striding, int hr, int pi) {
        String name = striding ? "ReportStartStriding" : "ReportStartedPlaying";
        if (p.state() != State.AWAIT_PLAY_REPLY || pendingPlay == null || pendingPlay.striding() != striding) {
            throw p.unexpected(name);
        }
        if (pi != incarnations.forStop()) {
            throw new ClientProtocolException(name + ".playIncarnation " + Integer.toUnsignedString(pi)
                    + " does not echo " + incarnations.forStop());
        }
        p.cancelTimer();
        pendingPlay = null;
        if (Hresults.failed(hr)) {
            // The request failed but the session stays usable (e.g. striding refused).
            p.setState(State.READY);
            dataIncarnation = -1;
            playDone(hr);
            stopDone(Hresults.S_OK);
            return;
        }
        p.setState(State.STREAMING);
        playDone(hr);
        if (stopAfterPlay) {
            sendStop();
        }
    }

    private void playDone(int hr) {
        p.emit(new ClientAction.PlayDone(hr));
    }

    // ------------------------------------------------------------------ stopping (§3.1.4.5)

    void beginStop() {
        switch (p.state()) {
            case CLOSED -> p.emit(new ClientAction.StopDone(Hresults.NS_E_NOCONNECTION));
            case READY -> p.emit(new ClientAction.StopDone(Hresults.S_OK));
            case STOPPING -> {
                // joins the stop under way
            }
            case AWAIT_STREAM_SWITCH, AWAIT_PLAY_REPLY -> {
                if (!stopPending) {
                    stopPending = true;
                    stopAfterPlay = true;
                }
            }
            case STREAMING, AWAIT_STREAM_CHANGE, STREAM_CHANGE_HEADER -> {
                stopPending = true;
                sendStop();
            }
            default -> p.emit(new ClientAction.StopDone(Hresults.E_UNEXPECTED));
        }
    }

    private void sendStop() {
        stopAfterPlay = false;
        dataIncarnation = -1;
        assembler = null;
        pendingChange = null;
        p.setState(State.STOPPING);
        p.send(new StopPlaying(p.fileId(), incarnations.forStop()));
        p.armTimer("ReportEndOfStream answering StopPlaying");
    }

    private void stopDone(int hr) {
        boolean waiting = stopPending;
        stopPending = false;
        stopAfterPlay = false;
        if (waiting) {
            p.emit(new ClientAction.StopDone(hr));
        }
    }

    // ------------------------------------------------------------------ end of stream, playlists (§3.1.5.18, §3.1.5.19)

    void onEndOfStream(ReportEndOfStream r) {
        int forStop = incarnations.forStop();
        boolean foreign = p.state() == State.STREAMING && r.playIncarnation() == foreignIncarnation;
        if (forStop == 0 || (r.playIncarnation() != forStop && !foreign)) {
            log.debug("upstream {}: stale ReportEndOfStream (playIncarnation {}) ignored", p.config().peer(),
                    Integer.toUnsignedString(r.playIncarnation()));
            return;
        }
        int hr = r.hr();
        switch (p.state()) {
            case STOPPING -> {
                if (hr == Hresults.S_STREAM_CHANGE) {
                    // The entry ended as we stopped: the server still answers StopPlaying.
                    return;
                }
                p.cancelTimer();
                p.setState(State.READY);
                stopDone(hr);
            }
            case STREAMING -> {
                if (Hresults.failed(hr)) {
                    p.failNow(hr, "ReportEndOfStream hr=" + Hresults.hex(hr));
                    return;
                }
                dataIncarnation = -1;
                if (hr == Hresults.S_STREAM_CHANGE) {
                    p.setState(State.AWAIT_STREAM_CHANGE);
                    p.armTimer("ReportStreamChange");
                } else {
                    p.setState(State.READY);
                }
                p.emit(new ClientAction.EndOfStream(hr));
            }
            case READY -> log.debug("upstream {}: duplicate ReportEndOfStream ignored", p.config().peer());
            default -> throw p.unexpected(r);
        }
    }

    void onStreamChange(ReportStreamChange c) {
        if (p.state() == State.STOPPING) {
            return; // the playlist moved on while we stopped: nothing of it is wanted
        }
        p.expectState(c, State.AWAIT_STREAM_CHANGE);
        if (Hresults.failed(c.hr())) {
            p.failNow(c.hr(), "ReportStreamChange hr=" + Hresults.hex(c.hr()));
            return;
        }
        checkSize("ReportStreamChange.cbPacketSize", c.cbPacketSize(), p.config().maxPacketSize());
        checkSize("ReportStreamChange.cbHeaderSize", c.cbHeaderSize(), AsfFile.MAX_HEADER_SIZE);
        pendingChange = c;
        assembler = new HeaderAssembler(c.cbHeaderSize(), MmsConstants.STREAM_CHANGE_INCARNATION);
        p.setState(State.STREAM_CHANGE_HEADER);
        p.armTimer("the new entry's ASF file header");
    }

    private void finishStreamChange() {
        byte[] h = assembler.bytes();
        streamNumbers = ClientMessages.streamNumbers(h);
        ReportStreamChange c = pendingChange;
        packetSize = c.cbPacketSize();
        assembler = null;
        pendingChange = null;
        p.cancelTimer();
        // §3.2.4.2: the new entry's packets follow with the same incarnation as its header.
        dataIncarnation = MmsConstants.STREAM_CHANGE_INCARNATION;
        p.setState(State.STREAMING);
        p.emit(new ClientAction.StreamChanged(c, h.clone()));
    }

    // ------------------------------------------------------------------ Data packets

    /** A Data packet in STREAM_CHANGE_HEADER, AWAIT_PLAY_REPLY or STREAMING. */
    void onData(DataPacket d) {
        if (p.state() == State.STREAM_CHANGE_HEADER) {
            if (d.playIncarnation() == MmsConstants.STREAM_CHANGE_INCARNATION) {
                if (assembler.accept(d)) {
                    finishStreamChange();
                } else {
                    p.armTimer("the rest of the new entry's ASF file header");
                }
            }
        } else if (d.playIncarnation() == dataIncarnation || lenient(d.playIncarnation())) {
            int n = d.content().readableBytes();
            if (n > packetSize) {
                throw new ClientProtocolException("Data packet payload of " + n + " bytes exceeds the ASF packet size "
                        + packetSize);
            }
            p.emit(new ClientAction.Packet(d));
        }
    }

    /**
     * Some servers stamp every Data packet with a playIncarnation of their own (one seen: always 4)
     * instead of echoing StartPlaying's; players ignore the byte and play. While exactly one play
     * request is outstanding (no stop pending) its data is taken whatever it carries, except the
     * previous request's incarnation (stragglers of a stop). Logged once per session.
     */
    private boolean lenient(int pi) {
        if (dataIncarnation == -1 || pi == previousPlay || stopPending || stopAfterPlay
                || (p.state() != State.STREAMING && p.state() != State.AWAIT_PLAY_REPLY)) {
            return false;
        }
        if (!foreignLogged) {
            foreignLogged = true;
            log.warn("upstream {}: Data packets carry playIncarnation {}, not the {} of StartPlaying; taken as the"
                    + " current play request's (logged once per session)", p.config().peer(), pi, dataIncarnation);
        }
        foreignIncarnation = pi;
        return true;
    }
}
