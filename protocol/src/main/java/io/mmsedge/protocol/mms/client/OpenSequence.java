package io.mmsedge.protocol.mms.client;

import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.client.MmsClientProtocol.State;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.protocol.mms.message.SecurityChallenge;
import io.mmsedge.protocol.mms.message.SecurityResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opening half of {@link MmsClientProtocol}: the handshake (§3.1.5.3 – §3.1.5.6), OpenFile
 * with its redirects and security challenges (§3.1.5.7, §3.1.5.8) and the ASF file header read
 * with ReadBlock (§3.1.5.9 – §3.1.5.12).
 */
final class OpenSequence {

    private static final Logger log = LoggerFactory.getLogger(MmsClientProtocol.class);

    private final MmsClientProtocol p;
    private final Incarnations incarnations;
    private String funnelName;
    private ReportConnectedEx connectedEx;
    private String serverVersion = "";
    private int clientId;
    private int funnelInfoCount;
    private int openIncarnation;
    private boolean securityResponseSent;
    private ReportOpenFile openFile;
    private HeaderAssembler assembler;
    private boolean readBlockReported;

    OpenSequence(MmsClientProtocol p, Incarnations incarnations) {
        this.p = p;
        this.incarnations = incarnations;
    }

    void start(String funnelName) {
        this.funnelName = funnelName;
        p.setState(State.AWAIT_CONNECTED_EX);
        p.send(ClientMessages.connect(p.config().subscriberName()));
        p.armTimer("ReportConnectedEX");
    }

    String serverVersion() {
        return serverVersion;
    }

    ReportOpenFile openFile() {
        return openFile;
    }

    boolean challenged() {
        return securityResponseSent;
    }

    void closed() {
        assembler = null;
    }

    /** A header Data packet in AWAIT_HEADER. */
    void onHeaderData(DataPacket d) {
        if (assembler.accept(d)) {
            maybeFinishOpen();
        } else {
            p.armTimer("the rest of the ASF file header");
        }
    }

    // ------------------------------------------------------------------ handshake (§3.1.5.3 – §3.1.5.6)

    boolean failedReply(String name, int hr) {
        if (Hresults.failed(hr)) {
            p.failNow(hr, name + " hr=" + Hresults.hex(hr));
            return true;
        }
        return false;
    }

    void onConnectedEx(ReportConnectedEx r) {
        p.expectState(r, State.AWAIT_CONNECTED_EX);
        if (failedReply("ReportConnectedEX", r.hr())) {
            return;
        }
        serverVersion = r.serverVersionInfo() == null ? "" : r.serverVersionInfo();
        p.setState(State.AWAIT_FUNNEL_INFO);
        connectedEx = r;
        p.send(new FunnelInfo(MmsConstants.PACKET_PAIR_OFF));
        p.armTimer("ReportFunnelInfo");
    }

    void onFunnelInfo(ReportFunnelInfo r) {
        p.expectState(r, State.AWAIT_FUNNEL_INFO);
        if (failedReply("ReportFunnelInfo", r.hr())) {
            return;
        }
        if (++funnelInfoCount > 3) {
            throw new ClientProtocolException("more than three ReportFunnelInfo");
        }
        clientId = r.nCubs();
        if (r.playIncarnation() == MmsConstants.PACKET_PAIR_TCP && funnelInfoCount < 3) {
            // §3.1.5.4: a packet-pair series we did not ask for; wait for all three.
            p.armTimer("ReportFunnelInfo " + (funnelInfoCount + 1) + " of 3");
            return;
        }
        p.setState(State.AWAIT_CONNECTED_FUNNEL);
        p.send(ClientMessages.connectFunnel(funnelName));
        p.armTimer("ReportConnectedFunnel");
    }

    void onConnectedFunnel(ReportConnectedFunnel r) {
        p.expectState(r, State.AWAIT_CONNECTED_FUNNEL);
        if (failedReply("ReportConnectedFunnel", r.hr())) {
            return;
        }
        if (p.config().path() == null) {
            p.setState(State.FUNNEL_CONNECTED);
            p.cancelTimer();
            p.emit(new ClientAction.FunnelConnected(connectedEx));
            return;
        }
        sendOpenFile(p.config().path());
    }

    // ------------------------------------------------------------------ open (§3.1.5.7 – §3.1.5.12)

    void sendOpenFile(String path) {
        openIncarnation = incarnations.next();
        String credentials = p.config().credentials();
        p.setState(State.AWAIT_OPEN_FILE);
        p.send(new OpenFile(openIncarnation, 0, 0, path, credentials == null ? null : ClientMessages.asciiz(credentials)));
        p.armTimer("ReportOpenFile");
    }

    /** The session ends before it opened (redirect, authentication): no connection stays. */
    void endOpen(ClientAction result) {
        p.setState(State.CLOSED);
        p.cancelTimer();
        p.emit(result);
    }

    void onRedirect(ReportRedirect r) {
        if (p.state().compareTo(State.AWAIT_CONNECTED_EX) < 0 || p.state().compareTo(State.AWAIT_OPEN_FILE) > 0) {
            throw new ClientProtocolException("ReportRedirect after ReportOpenFile (state " + p.state() + ")");
        }
        int type = r.redirectType();
        String location = r.location() == null ? "" : r.location();
        if (type != 1 && type != 2) {
            throw new ClientProtocolException("ReportRedirect with unknown type " + type);
        }
        if (type == 1 && location.isBlank()) {
            throw new ClientProtocolException("ReportRedirect type 1 without a location");
        }
        log.info("upstream {} path={} redirects: type={} location=\"{}\"", p.config().peer(), p.config().path(), type, location);
        endOpen(new ClientAction.Redirected(type, location));
    }

    void onSecurityChallenge(SecurityChallenge c) {
        p.expectState(c, State.AWAIT_OPEN_FILE);
        byte[] token = c.token();
        boolean ntlm = ClientMessages.ntlmToken(token);
        String realm = ntlm ? "" : ClientMessages.realm(token);
        String credentials = p.config().credentials();
        if (!ntlm && credentials != null && !securityResponseSent) {
            // §3.1.5.8: answer once; a second challenge means the credentials were rejected.
            securityResponseSent = true;
            p.send(new SecurityResponse(openIncarnation, c.cookie(), ClientMessages.asciiz(credentials)));
            p.armTimer("a reply to SecurityResponse");
            return;
        }
        log.info("upstream {} path={} requires authentication: realm=\"{}\" ntlm={} credentials={}", p.config().peer(),
                p.config().path(), realm, ntlm, credentials == null ? "none" : "rejected");
        endOpen(new ClientAction.AuthenticationRequired(realm, ntlm));
    }

    void onReportOpenFile(ReportOpenFile r) {
        p.expectState(r, State.AWAIT_OPEN_FILE);
        if (Hresults.failed(r.hr())) {
            p.failNow(r.hr(), "ReportOpenFile hr=" + Hresults.hex(r.hr()) + " for '" + p.config().path() + "'");
            return;
        }
        PlayControl.checkSize("ReportOpenFile.filePacketSize", r.filePacketSize(), p.config().maxPacketSize());
        PlayControl.checkSize("ReportOpenFile.fileHeaderSize", r.fileHeaderSize(), AsfFile.MAX_HEADER_SIZE);
        openFile = r;
        p.play().setPacketSize(r.filePacketSize());
        int hi = incarnations.nextHeader();
        assembler = new HeaderAssembler(r.fileHeaderSize(), hi);
        readBlockReported = false;
        p.setState(State.AWAIT_HEADER);
        p.send(ClientMessages.readHeader(r.openFileId(), hi));
        p.armTimer("ReportReadBlock and the ASF file header");
    }

    void onReportReadBlock(ReportReadBlock r) {
        if (p.state() != State.AWAIT_HEADER || readBlockReported) {
            throw p.unexpected(r);
        }
        if (failedReply("ReportReadBlock", r.hr())) {
            return;
        }
        readBlockReported = true;
        maybeFinishOpen();
    }

    void maybeFinishOpen() {
        if (!readBlockReported || !assembler.complete()) {
            p.armTimer(readBlockReported ? "the ASF file header" : "ReportReadBlock");
            return;
        }
        byte[] h = assembler.bytes();
        List<Integer> streams = ClientMessages.streamNumbers(h);
        p.play().opened(streams);
        assembler = null;
        p.cancelTimer();
        p.setState(State.READY);
        log.debug("upstream {} path={} open: fileId={} packetSize={} headerSize={} streams={} server={} clientId={}",
                p.config().peer(), p.config().path(), openFile.openFileId(), openFile.filePacketSize(), h.length, streams,
                serverVersion, clientId);
        p.emit(new ClientAction.Opened(openFile, h.clone()));
    }
}
