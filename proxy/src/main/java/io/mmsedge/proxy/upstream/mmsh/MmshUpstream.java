package io.mmsedge.proxy.upstream.mmsh;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mmsh.client.MmshClientConfig;
import io.mmsedge.protocol.mmsh.client.MmshClientEvent;
import io.mmsedge.protocol.mmsh.client.MmshClientPlay;
import io.mmsedge.protocol.mmsh.client.MmshClientRequests;
import io.mmsedge.protocol.mmsh.client.MmshDescriptions;
import io.mmsedge.protocol.mmsh.client.LogLines;
import io.mmsedge.protocol.mmsh.client.MmshResponseReader;
import io.mmsedge.proxy.upstream.LoopHops;
import io.mmsedge.proxy.upstream.ReplyTimer;
import io.mmsedge.proxy.upstream.StallWatch;
import io.mmsedge.proxy.upstream.Upstream;
import io.mmsedge.proxy.upstream.UpstreamCallers;
import io.mmsedge.proxy.upstream.UpstreamListener;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.UpstreamRequest;
import io.mmsedge.proxy.upstream.UpstreamRequests;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Upstream} to an MMSH origin ([MS-WMSP]): the Netty adapter of the I/O-free
 * {@code protocol.mmsh.client}. The open is a Describe (§2.2.2.1): its {@code $H} header and
 * Pragma {@code features} give what MMS would have said in ReportOpenFile. Each play is a Play
 * request (§2.2.2.6) on a new connection, as FFmpeg and VLC do in non-pipelined mode; stopping
 * closes that connection. {@code $D} become Data packets, {@code $E} the end of stream,
 * {@code $C} and the next {@code $H} a stream change.
 *
 * <p>Every field but the volatile snapshot for other threads' getters and the close request is
 * confined to the event loop; the public methods hop onto it. Every wait is bounded: the connect
 * and each response head by {@link UpstreamRequest#connectTimeout()}, the first Data packet and
 * the gaps between packets by the {@link StallWatch}, sizes by the reader's bounds and
 * {@link UpstreamRequest#maxPacketSize()}.
 */
public final class MmshUpstream implements Upstream, MmshConnection.Owner {

    private static final Logger log = LoggerFactory.getLogger(MmshUpstream.class);

    private final UpstreamRequest request;
    private final EventLoop loop;
    private final String peer;
    private final MmshClientConfig config;
    private final boolean challenged;
    private final CompletableFuture<UpstreamOpenResult> openFuture = new CompletableFuture<>();
    private final UpstreamCallers callers;
    private final ReplyTimer replyTimer;
    private final StallWatch stallWatch;
    private volatile ReportOpenFile openFile;
    private volatile byte[] header;
    private volatile boolean ended;
    private MmshConnection describe;
    private MmshConnection playing;
    private boolean streaming;
    private boolean reading = true;
    private long clientId = -1;

    private MmshUpstream(UpstreamRequest request, EventLoop loop) {
        this.request = request;
        this.loop = loop;
        this.peer = UpstreamRequests.describePeer(request);
        this.config = MmshIdentity.config(request);
        this.challenged = request.credentials() != null;
        this.callers = new UpstreamCallers(peer);
        long timeout = request.connectTimeout().toNanos();
        this.replyTimer = new ReplyTimer(loop, timeout, waitingFor -> fail(Hresults.NS_E_CANNOTCONNECT,
                "no " + waitingFor + " from " + peer + " within " + request.connectTimeout().toMillis() + " ms"));
        this.stallWatch = new StallWatch(loop, request.firstDataTimeout().toNanos(), request.stallTimeout().toNanos(),
                () -> streaming, () -> reading, what -> fail(Hresults.NS_E_CANNOTCONNECT, what + " from " + peer));
    }

    /**
     * Describes the content at the origin. Never throws; every failure is a Failed result within
     * the connect timeout. Cancelling the returned future closes the connection.
     *
     * @param group an NIO event loop group; the session's connections all run on one of its loops
     */
    public static CompletableFuture<UpstreamOpenResult> open(UpstreamRequest request, EventLoopGroup group) {
        try {
            String invalid = UpstreamRequests.validate(request, group);
            if (invalid != null) {
                return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.E_INVALID_ARG, invalid));
            }
            MmshUpstream s = new MmshUpstream(request, group.next());
            s.openFuture.whenComplete((r, e) -> {
                if (s.openFuture.isCancelled()) {
                    s.close();
                }
            });
            s.loop.execute(s::start);
            return s.openFuture;
        } catch (RuntimeException e) {
            log.warn("upstream MMSH open failed to start", e);
            return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.NS_E_NOCONNECTION,
                    "cannot start the upstream connection: " + e));
        }
    }

    private void start() {
        if (callers.closeRequested()) {
            return;
        }
        replyTimer.arm("Describe response");
        describe = connect(MmshClientRequests.describe(config), false);
        log.debug("upstream {} describe {}; {}", peer, config.requestTarget(), subscriberNameSent());
    }

    private MmshConnection connect(String requestText, boolean play) {
        return MmshConnection.open(loop, request.connectTo(), MmshClientRequests.bytes(requestText),
                new MmshResponseReader(play, request.maxPacketSize() + io.mmsedge.protocol.mmsh.MmshFrames.DATA_HEADER_SIZE),
                this, (int) request.connectTimeout().toMillis(), reading);
    }

    // ------------------------------------------------------------------ Upstream

    @Override
    public ReportOpenFile openFile() {
        return openFile;
    }

    @Override
    public byte[] header() {
        byte[] h = header;
        return h == null ? null : h.clone();
    }

    /** The HTTP identification sent upstream: User-Agent and Via (§2.2.1.8; RFC 7230 §5.7.1). */
    @Override
    public String subscriberNameSent() {
        return "User-Agent: " + config.userAgent() + "; Via: " + config.via();
    }

    @Override
    public void setListener(UpstreamListener l) {
        onLoop(() -> callers.setListener(l));
    }

    @Override
    public CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset) {
        return startPlaying(position, asfOffset, locationId, frameOffset, 0, 0);
    }

    @Override
    public CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset,
                                                   long accelBitRate, long accelMs) {
        return requestPlay(position, asfOffset, locationId, 1.0, accelBitRate, accelMs);
    }

    /** MMSH strides with the Play request's {@code rate} (§2.2.1.4.19). */
    @Override
    public CompletableFuture<Integer> startStriding(double position, int asfOffset, int locationId, double rate) {
        return requestPlay(position, asfOffset, locationId, rate, 0, 0);
    }

    /**
     * Non-pipelined MMSH stops by closing the Play connection (§3.1.4: the Stop request belongs
     * to pipelined mode): completes with 0 at once; no packet of that play follows.
     */
    @Override
    public CompletableFuture<Integer> stopPlaying() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (!runOnLoop(() -> {
            endPlay(Hresults.E_UNEXPECTED);
            f.complete(Hresults.S_OK);
        })) {
            f.complete(Hresults.NS_E_NOCONNECTION);
        }
        return f;
    }

    /**
     * Forwards the log as a LogStats POST (§2.2.2.4) on a connection of its own, fire and
     * forget: its answer is not waited for beyond the connect timeout, and a {@link #close()}
     * right after does not cut it short.
     */
    @Override
    public void sendLogging(ClientLog clientLog) {
        if (clientLog == null) {
            return;
        }
        onLoop(() -> {
            if (header == null) {
                return; // never opened: there is no session to log
            }
            String request = MmshClientRequests.logStats(config, clientId, LogLines.render(clientLog));
            MmshConnection c = MmshConnection.open(loop, this.request.connectTo(), MmshClientRequests.bytes(request),
                    MmshResponseReader.plain(), LOG_STATS_OWNER, (int) this.request.connectTimeout().toMillis(), true);
            loop.schedule(c::abandon, this.request.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** The LogStats connections' owner: the answer closes the connection; nothing else follows. */
    private static final MmshConnection.Owner LOG_STATS_OWNER = new MmshConnection.Owner() {
        @Override
        public void onEvents(MmshConnection c, List<MmshClientEvent> events) {
            events.forEach(MmshConnection::release);
            c.abandon();
        }

        @Override
        public void onConnectFailed(MmshConnection c, Throwable cause) {
            log.debug("LogStats not delivered: {}", cause.toString());
        }
    };

    /** True when the player's credentials went up and the origin accepted them: protected content. */
    @Override
    public boolean challenged() {
        return challenged;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public boolean isOpen() {
        return !callers.closeRequested() && !ended;
    }

    @Override
    public void setReading(boolean r) {
        onLoop(() -> {
            reading = r;
            if (playing != null) {
                playing.setReading(r);
            }
        });
    }

    @Override
    public void close() {
        callers.requestClose();
        if (loop.inEventLoop()) {
            doClose();
        } else {
            runOnLoop(this::doClose);
        }
    }

    // ------------------------------------------------------------------ playing

    private CompletableFuture<Integer> requestPlay(double position, int asfOffset, int locationId, double rate,
                                                   long accelBitRate, long accelMs) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (!Double.isFinite(rate) || rate == 0 || Double.isNaN(position)) {
            f.complete(Hresults.E_INVALID_ARG);
        } else if (!runOnLoop(() -> {
            if (ended || header == null) {
                f.complete(Hresults.E_UNEXPECTED);
                return;
            }
            endPlay(Hresults.E_UNEXPECTED); // a new play replaces the current one
            MmshClientPlay p = MmshIdentity.play(header, position, asfOffset, locationId, rate, accelBitRate, accelMs);
            callers.setPlay(f);
            replyTimer.arm("Play response");
            playing = connect(MmshClientRequests.play(config, clientId, p), true);
        })) {
            f.complete(Hresults.NS_E_NOCONNECTION);
        }
        return f;
    }

    /** Ends the current play, if any: its connection closes, its pending request gets {@code hr}. */
    private void endPlay(int hr) {
        streaming = false;
        stallWatch.stop();
        replyTimer.cancel();
        callers.completePlay(hr);
        if (playing != null) {
            playing.abandon();
            playing = null;
        }
    }

    @Override
    public void onEvents(MmshConnection c, List<MmshClientEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            MmshClientEvent e = events.get(i);
            if (callers.closeRequested() || ended || (c != describe && c != playing)) {
                MmshConnection.release(e);
            } else if (c == describe) {
                onDescribe(e);
            } else {
                onPlay(c, e);
            }
        }
    }

    @Override
    public void onConnectFailed(MmshConnection c, Throwable cause) {
        if (c == describe || c == playing) {
            fail(Hresults.NS_E_NOCONNECTION, "cannot connect to " + peer + ": " + cause);
        }
    }

    private void onDescribe(MmshClientEvent e) {
        replyTimer.cancel();
        describe.abandon();
        describe = null;
        if (e instanceof MmshClientEvent.Described d) {
            clientId = d.clientId();
            header = d.header();
            openFile = d.openFile();
            stallWatch.content(d.openFile().filePacketSize(), Integer.toUnsignedLong(d.openFile().fileBitRate()));
            log.debug("upstream {} described {}: features=\"{}\" client-id={}", peer, config.requestTarget(),
                    d.features(), clientId);
            if (!openFuture.complete(new UpstreamOpenResult.Opened(this, d.openFile(), d.header().clone()))) {
                doClose();
            }
        } else if (e instanceof MmshClientEvent.Redirected r) {
            endOpen(new UpstreamOpenResult.Redirected(1, MmshIdentity.resolve(config, r.location())));
        } else if (e instanceof MmshClientEvent.AuthenticationRequired a) {
            endOpen(new UpstreamOpenResult.AuthenticationRequired(a.realm(), a.ntlm()));
        } else if (e instanceof MmshClientEvent.Failed f) {
            fail(f.hr(), f.reason());
        } else {
            MmshConnection.release(e);
            fail(Hresults.NS_E_PROTOCOL_MISMATCH, "unexpected " + e.getClass().getSimpleName() + " in a Describe");
        }
    }

    private void onPlay(MmshConnection c, MmshClientEvent e) {
        if (e instanceof MmshClientEvent.Packet p) {
            stallWatch.packet();
            if (!callers.deliver(p.packet())) {
                p.packet().release();
            }
        } else if (e instanceof MmshClientEvent.Playing) {
            replyTimer.cancel();
            streaming = true;
            stallWatch.start();
            callers.completePlay(Hresults.S_OK);
        } else if (e instanceof MmshClientEvent.EndOfStream end) {
            if (end.hr() != Hresults.S_STREAM_CHANGE) {
                streaming = false;
                stallWatch.stop();
                playing = null;
                c.abandon();
            }
            callers.notifyListener(l -> l.onEndOfStream(end.hr()));
        } else if (e instanceof MmshClientEvent.StreamChanged sc) {
            header = sc.header();
            stallWatch.start();
            byte[] copy = sc.header().clone();
            callers.notifyListener(l -> l.onStreamChange(sc.change(), copy));
        } else if (!streaming && e instanceof MmshClientEvent.Failed f) {
            endPlay(f.hr()); // the origin refused this play; the session stays usable
        } else if (!streaming) {
            endPlay(e instanceof MmshClientEvent.AuthenticationRequired ? Hresults.E_ACCESS_DENIED
                    : Hresults.NS_E_CANNOTCONNECT);
        } else {
            fail(e instanceof MmshClientEvent.Failed f ? f.hr() : Hresults.NS_E_PROTOCOL_MISMATCH,
                    e instanceof MmshClientEvent.Failed f ? f.reason() : "unexpected " + e);
        }
    }

    // ------------------------------------------------------------------ ending

    private void endOpen(UpstreamOpenResult result) {
        ended = true;
        openFuture.complete(result);
        doClose();
    }

    /** The session failed: report once (open result or listener), complete pending requests, close. */
    private void fail(int hr, String reason) {
        if (ended) {
            return;
        }
        ended = true;
        if (!openFuture.isDone()) {
            openFuture.complete(new UpstreamOpenResult.Failed(hr, reason));
        } else {
            callers.notifyListener(l -> l.onFailure(hr, reason));
        }
        callers.completeAll(hr);
        doClose();
    }

    private void doClose() {
        ended = true;
        endPlay(Hresults.NS_E_NOCONNECTION);
        if (describe != null) {
            describe.abandon();
            describe = null;
        }
        if (!openFuture.isDone()) {
            openFuture.complete(new UpstreamOpenResult.Failed(Hresults.E_UNEXPECTED, "closed before the open completed"));
        }
        callers.completeAll(Hresults.NS_E_NOCONNECTION);
    }

    // ------------------------------------------------------------------ plumbing

    private void onLoop(Runnable r) {
        LoopHops.onLoop(loop, peer, r, this::fail);
    }

    private boolean runOnLoop(Runnable r) {
        return LoopHops.execute(loop, peer, r, this::fail);
    }
}
