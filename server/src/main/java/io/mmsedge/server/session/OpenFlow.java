package io.mmsedge.server.session;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.protocol.mms.message.SecurityResponse;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.media.ContentPaths;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.play.PlaySession;
import java.security.SecureRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A player's open of content, the part of {@link ServerSession} between OpenFile (§3.2.5.6) and
 * its ReportOpenFile: the path asked for, Basic challenges (§2.2.4.14 SecurityChallenge,
 * §3.2.5.7 SecurityResponse, at most {@link #MAX_CHALLENGES} in a row), and what each result of
 * the play session's open becomes on the wire (the content's description, an error hr, a
 * redirect and a close, or a challenge). Runs on the session's event loop, as the session does.
 */
final class OpenFlow {

    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final Logger accessLog = LoggerFactory.getLogger("io.mmsedge.access");
    /** Wrong credentials tolerated in a row before the open fails (a player's retry loop ends). */
    static final int MAX_CHALLENGES = 3;

    private final SessionIo io;
    private final ServerMetrics metrics;
    private final SecureRandom random;
    private final MmsReplies replies;
    private final DataFunnel funnel;
    private final PlaySession play;
    private final Consumer<SessionState> setState;
    private final Consumer<MmsMessage> send;
    private final Runnable close;
    private final BiConsumer<MmsMessage, String> protocolError;

    private int openPlayIncarnation;
    private String pendingOpenPath;
    private int challengeCookie;
    private int challenges;

    OpenFlow(SessionIo io, ServerMetrics metrics, SecureRandom random, MmsReplies replies, DataFunnel funnel,
             PlaySession play, Consumer<SessionState> setState, Consumer<MmsMessage> send, Runnable close,
             BiConsumer<MmsMessage, String> protocolError) {
        this.io = io;
        this.metrics = metrics;
        this.random = random;
        this.replies = replies;
        this.funnel = funnel;
        this.play = play;
        this.setState = setState;
        this.send = send;
        this.close = close;
        this.protocolError = protocolError;
    }

    void onOpenFile(OpenFile o) {
        openPlayIncarnation = o.playIncarnation();
        challenges = 0;
        pendingOpenPath = ContentPaths.normalize(o.fileName());
        byte[] token = o.tokenData();
        open(token.length > 0 ? MmsReplies.asciiz(token) : null);
    }

    void onSecurityResponse(SecurityResponse r) {
        if (pendingOpenPath == null || challengeCookie == 0) {
            protocolError.accept(r, "SecurityResponse without a challenge");
            return;
        }
        if (r.cookie() != challengeCookie) {
            log.debug("peer={} SecurityResponse cookie mismatch (lenient)", io.peer());
        }
        challengeCookie = 0;
        open(MmsReplies.asciiz(r.token()));
    }

    private void open(String credentials) {
        setState.accept(SessionState.OPENING);
        play.open(pendingOpenPath, credentials, this::onOpenResult);
    }

    private void onOpenResult(OpenResult result) {
        String path = play.requestedPath();
        if (result instanceof OpenResult.Opened) {
            setState.accept(SessionState.OPENED);
            funnel.contentOpened(play.info(), play.media());
            send.accept(replies.openFile(Hresults.S_OK, openPlayIncarnation, play.info()));
        } else if (result instanceof OpenResult.Failed f) {
            setState.accept(SessionState.FUNNEL_READY);
            metrics.error("open_failed");
            accessLog.info("peer={} path={} event=open-failed hr={} reason=\"{}\"", io.peer(), path,
                    Hresults.hex(f.hr()), f.reason());
            send.accept(replies.openFailed(f.hr(), openPlayIncarnation));
        } else if (result instanceof OpenResult.Redirect r) {
            // §3.2.5.6: after a redirect the server deletes the session state and closes.
            accessLog.info("peer={} path={} event=redirect type={} location=\"{}\" reason=\"{}\"", io.peer(), path,
                    r.type(), r.location(), r.reason());
            metrics.error("redirect_" + r.type());
            send.accept(new ReportRedirect(Hresults.S_OK, r.type(), r.location()));
            close.run();
        } else if (result instanceof OpenResult.AuthenticationRequired a) {
            challenge(a.realm(), path);
        }
    }

    private void challenge(String realm, String path) {
        if (++challenges > MAX_CHALLENGES) {
            setState.accept(SessionState.FUNNEL_READY);
            challenges = 0;
            metrics.error("auth_failed");
            accessLog.info("peer={} path={} event=open-failed hr={} reason=\"authentication failed {} times\"",
                    io.peer(), path, Hresults.hex(Hresults.E_ACCESS_DENIED), MAX_CHALLENGES);
            send.accept(replies.openFailed(Hresults.E_ACCESS_DENIED, openPlayIncarnation));
            return;
        }
        do {
            challengeCookie = random.nextInt();
        } while (challengeCookie == 0);
        setState.accept(SessionState.OPENING);
        send.accept(MmsReplies.challenge(realm, openPlayIncarnation, challengeCookie));
    }
}
