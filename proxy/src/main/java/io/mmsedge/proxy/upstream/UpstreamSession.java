package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.client.ClientAction;
import io.mmsedge.protocol.mms.client.ClientConfig;
import io.mmsedge.protocol.mms.client.ClientMessages;
import io.mmsedge.protocol.mms.client.ClientPlayRequest;
import io.mmsedge.protocol.mms.client.MmsClientProtocol;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client role of MS-MMSP (§3.1) over one TCP connection to an origin (or an MMS proxy in
 * front of it): what mms-edge uses to fetch content upstream. The protocol itself is
 * {@link MmsClientProtocol}; this class is its Netty adapter: it connects, feeds the protocol
 * what arrives, and performs the {@link ClientAction}s it returns.
 *
 * <p>Non-blocking: every step runs on the channel's event loop, and every field but the snapshot
 * for other threads' getters (an immutable {@link SessionView}) and the close request is confined
 * to it; the public methods may be called from any thread and hop onto it. Every wait is bounded:
 * the TCP connect and each reply by {@link UpstreamRequest#connectTimeout()}, the silence of a
 * stream by {@code max(connectTimeout, 60 s)} (a server Pings an idle player after its KeepAlive
 * period, §3.2.6.1), the first Data packet taken after a play request and the gap between two
 * by {@link UpstreamRequest#firstDataTimeout()} and {@link UpstreamRequest#stallTimeout()}
 * ({@link StallWatch}: bytes that arrive but are not taken do not count), header sizes by 16 MiB and Data packets by
 * {@link UpstreamRequest#maxPacketSize()}.
 *
 * <p>Futures returned by this class complete on the event loop: dependent actions must not block.
 */
public final class UpstreamSession implements Upstream {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);

    private final UpstreamRequest request;
    private final String peer;
    private final String subscriberNameSent;
    private final CompletableFuture<UpstreamOpenResult> openFuture = new CompletableFuture<>();
    private final MmsClientProtocol protocol;
    private final Channel channel;
    private final ReplyTimer replyTimer;
    private final StallWatch stallWatch;
    private final UpstreamCallers callers;
    /** What other threads' getters read: replaced, never mutated, on the loop. */
    private volatile SessionView view = SessionView.NONE;

    private UpstreamSession(UpstreamRequest request, String subscriberNameSent, EventLoopGroup group) {
        this.request = request;
        this.peer = UpstreamRequests.describePeer(request);
        this.subscriberNameSent = subscriberNameSent;
        this.callers = new UpstreamCallers(peer);
        this.protocol = new MmsClientProtocol(new ClientConfig(peer, subscriberNameSent, request.path(),
                request.credentials(), request.maxPacketSize()));
        this.channel = UpstreamPipeline.bootstrap(group, request, this).register().channel();
        Duration timeout = request.connectTimeout();
        this.replyTimer = new ReplyTimer(channel.eventLoop(), timeout.toNanos(), waitingFor -> fail(
                Hresults.NS_E_CANNOTCONNECT, "no " + waitingFor + " from " + peer + " within " + timeout.toMillis() + " ms"));
        this.stallWatch = new StallWatch(channel.eventLoop(), request.firstDataTimeout().toNanos(),
                request.stallTimeout().toNanos(), protocol::streaming, () -> channel.config().isAutoRead(),
                what -> fail(Hresults.NS_E_CANNOTCONNECT, what + " from " + peer));
    }

    // ------------------------------------------------------------------ opening

    /**
     * Connects and runs Connect → (FunnelInfo) → ConnectFunnel(TCP) → OpenFile [→
     * SecurityChallenge/SecurityResponse] → ReadBlock → header. Never throws; every failure is a
     * Failed result within the connect timeout (per step). Cancelling the returned future closes
     * the connection.
     *
     * @param group an event loop group (epoll or NIO: the channel type follows it, see Transports)
     */
    public static CompletableFuture<UpstreamOpenResult> open(UpstreamRequest request, EventLoopGroup group) {
        try {
            String invalid = UpstreamRequests.validate(request, group);
            if (invalid != null) {
                return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.E_INVALID_ARG, invalid));
            }
            String name = UpstreamRequests.subscriberName(request);
            if (name.length() > UpstreamRequests.MAX_SUBSCRIBER_CHARS) {
                return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.E_INVALID_ARG,
                        "subscriberName of " + name.length() + " characters is too long"));
            }
            UpstreamSession s = new UpstreamSession(request, name, group);
            s.start();
            return s.openFuture;
        } catch (RuntimeException e) {
            log.warn("upstream open failed to start", e);
            return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.NS_E_NOCONNECTION,
                    "cannot start the upstream connection: " + e));
        }
    }

    private void start() {
        openFuture.whenComplete((r, e) -> {
            if (openFuture.isCancelled()) {
                close();
            }
        });
        UpstreamPipeline.connect(channel, request.connectTo(), this);
    }

    /** The TCP connection is up (on the loop): Connect, unless closed meanwhile. */
    void onConnected(InetSocketAddress local) {
        if (protocol.closed()) {
            channel.close();
            return;
        }
        log.debug("upstream {} connected; subscriberName={}", peer, subscriberNameSent.replace('\0', '|'));
        perform(protocol.connected(ClientMessages.tcpFunnelName(local.getAddress().getHostAddress(), local.getPort())));
    }

    // ------------------------------------------------------------------ public API

    /** The ReportOpenFile of the open (null before it arrived). */
    @Override
    public ReportOpenFile openFile() {
        return view.openFile();
    }

    /** The current entry's ASF file header (a copy; it changes with a StreamChange); null before it was read. */
    @Override
    public byte[] header() {
        byte[] h = view.header();
        return h == null ? null : h.clone();
    }

    /** The rendered subscriberName sent upstream (NULs separate the HOST and VIA strings). */
    @Override
    public String subscriberNameSent() {
        return subscriberNameSent;
    }

    /** Sets the receiver of upstream events; call before the first play request. */
    @Override
    public void setListener(UpstreamListener l) {
        onLoop(() -> callers.setListener(l));
    }

    /**
     * StreamSwitch selecting every stream at thinning 0 (once, automatically before the first
     * play) then StartPlaying (§3.1.4.2). Completes with ReportStartedPlaying.hr, or with a
     * failure hr: E_UNEXPECTED when not READY (a request is pending or streaming: stop first),
     * the StreamSwitch's hr if that failed, or the session's failure hr.
     */
    @Override
    public CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset) {
        return requestPlay(ClientPlayRequest.play(position, asfOffset, locationId, frameOffset));
    }

    /**
     * As {@link #startPlaying(double, int, int, int)}, asking the server to send the first
     * {@code accelMs} of content at {@code accelBitRate} bits/s instead of real time
     * (dwAccelBandwidth/dwAccelDuration, §2.2.4.25, §3.2.5.11). Only a server of version 9 or
     * later gets the fields (§3.1.4.2.1); an older one plays at its own pace.
     */
    @Override
    public CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset,
                                                   long accelBitRate, long accelMs) {
        return requestPlay(ClientPlayRequest.accelerated(position, asfOffset, locationId, frameOffset, accelBitRate,
                accelMs));
    }

    /** As {@link #startPlaying} with StartStriding at {@code rate}; completes with ReportStartStriding.hr. */
    @Override
    public CompletableFuture<Integer> startStriding(double position, int asfOffset, int locationId, double rate) {
        return requestPlay(ClientPlayRequest.stride(position, asfOffset, locationId, rate));
    }

    /**
     * StopPlaying; completes when the EndOfStream answering it arrives (§3.1.4.5), with its hr.
     * Data packets of the stopped incarnation still in flight are dropped. Completes with 0 at
     * once when nothing is playing.
     */
    @Override
    public CompletableFuture<Integer> stopPlaying() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (!runOnLoop(() -> {
            callers.addStop(f);
            perform(protocol.stop());
        })) {
            f.complete(Hresults.NS_E_NOCONNECTION);
        }
        return f;
    }

    /**
     * Sends LinkViewerToMacLogging (§2.2.4.20), e.g. a player's log forwarded upstream. No reply.
     * On the session's own loop it goes at once, so a {@link #close()} right after still sends it
     * before the CloseFile.
     */
    @Override
    public void sendLogging(ClientLog clientLog) {
        if (clientLog != null) {
            onLoop(() -> perform(protocol.logging(clientLog)));
        }
    }

    /**
     * True when the origin sent a SecurityChallenge that this session answered (§2.2.4.14):
     * the content is protected, and a cache must re-authorize each player with the origin.
     */
    @Override
    public boolean challenged() {
        return view.challenged();
    }

    /** The event loop this session's events arrive on. */
    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** True until the session failed or was closed. */
    @Override
    public boolean isOpen() {
        return !callers.closeRequested() && !view.ended() && channel.isActive();
    }

    /**
     * Reads from the server (true, the default) or stops reading (false: autoRead off), so that
     * a consumer slower than the server holds it back through TCP. While reads are paused the
     * stream's silence is not a failure.
     */
    @Override
    public void setReading(boolean reading) {
        onLoop(() -> channel.config().setAutoRead(reading));
    }

    /** CloseFile (§3.1.4.8) and close the connection. Idempotent. No listener events follow. */
    @Override
    public void close() {
        callers.requestClose();
        if (channel.eventLoop().inEventLoop()) {
            doClose();
        } else if (!runOnLoop(this::doClose)) {
            channel.close();
        }
    }

    // ------------------------------------------------------------------ inbound

    MmsClientProtocol protocol() {
        return protocol;
    }

    String peer() {
        return peer;
    }

    void onCommand(MmsMessage m) {
        perform(protocol.onMessage(m));
    }

    /** Nothing was read for {@link UpstreamRequests#streamIdleMillis}; true when that ends the session. */
    boolean onReadIdle() {
        if (!protocol.streaming() || !channel.config().isAutoRead()) {
            return false; // paused reads (setReading) are silent by choice
        }
        fail(Hresults.NS_E_CANNOTCONNECT, "nothing received from " + peer + " for "
                + UpstreamRequests.streamIdleMillis(request) + " ms while streaming");
        return true;
    }

    void onData(DataPacket p) {
        boolean handedOver = false;
        try {
            handedOver = perform(protocol.onData(p));
        } finally {
            if (!handedOver) {
                p.release();
            }
        }
    }

    // ------------------------------------------------------------------ actions

    /** Performs the protocol's actions in order; true when a Data packet was handed to the listener. */
    private boolean perform(List<ClientAction> actions) {
        boolean handedOver = false;
        for (ClientAction a : actions) {
            if (a instanceof ClientAction.Send s) {
                if (!protocol.closed()) { // an event callback before may have closed the session
                    send(s.message());
                }
            } else if (a instanceof ClientAction.ArmTimer t) {
                if (!protocol.closed()) {
                    replyTimer.arm(t.waitingFor());
                }
            } else if (a instanceof ClientAction.CancelTimer) {
                replyTimer.cancel();
            } else if (a instanceof ClientAction.Packet p) {
                stallWatch.packet();
                handedOver |= callers.deliver(p.packet());
            } else {
                raise(a);
            }
        }
        return handedOver;
    }

    private void raise(ClientAction a) {
        if (a instanceof ClientAction.EndOfStream e) {
            callers.notifyListener(l -> l.onEndOfStream(e.hr()));
        } else if (a instanceof ClientAction.StreamChanged c) {
            view = view.withHeader(c.header());
            stallWatch.start();
            byte[] copy = c.header().clone();
            callers.notifyListener(l -> l.onStreamChange(c.change(), copy));
        } else if (a instanceof ClientAction.PlayDone d) {
            if (protocol.streaming()) {
                stallWatch.start();
            }
            callers.completePlay(d.hr());
        } else if (a instanceof ClientAction.StopDone d) {
            callers.completeStops(d.hr());
        } else if (a instanceof ClientAction.Opened o) {
            view = SessionView.opened(o.openFile(), o.header(), protocol.challenged());
            stallWatch.content(o.openFile().filePacketSize(), Integer.toUnsignedLong(o.openFile().fileBitRate()));
            if (!openFuture.complete(new UpstreamOpenResult.Opened(this, o.openFile(), o.header().clone()))) {
                doClose();
            }
        } else if (a instanceof ClientAction.Redirected r) {
            endOpen(new UpstreamOpenResult.Redirected(r.type(), r.location()));
        } else if (a instanceof ClientAction.AuthenticationRequired r) {
            endOpen(new UpstreamOpenResult.AuthenticationRequired(r.realm(), r.ntlm()));
        } else if (a instanceof ClientAction.Failed f) {
            onFailed(f.hr(), f.reason());
        } else {
            // PlayRefused is taken by requestPlay; FunnelConnected needs a config without a path.
            throw new IllegalStateException("unexpected client action " + a);
        }
    }

    private CompletableFuture<Integer> requestPlay(ClientPlayRequest r) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (!r.validRate()) {
            f.complete(Hresults.E_INVALID_ARG);
        } else if (!runOnLoop(() -> {
            List<ClientAction> actions = protocol.play(r);
            if (!actions.isEmpty() && actions.get(0) instanceof ClientAction.PlayRefused refused) {
                f.complete(refused.hr());
            } else {
                callers.setPlay(f);
                perform(actions);
            }
        })) {
            f.complete(Hresults.NS_E_NOCONNECTION);
        }
        return f;
    }

    // ------------------------------------------------------------------ ending

    /** Ends the open with a non-Opened result and closes the connection. */
    private void endOpen(UpstreamOpenResult result) {
        view = view.asEnded();
        openFuture.complete(result);
        channel.close();
    }

    /** The session failed: report once (open result or listener), complete pending requests, close. */
    private void onFailed(int hr, String reason) {
        view = view.asEnded();
        stallWatch.stop();
        if (!openFuture.isDone()) {
            openFuture.complete(new UpstreamOpenResult.Failed(hr, reason));
        } else {
            callers.notifyListener(l -> l.onFailure(hr, reason));
        }
        callers.completeAll(hr);
        channel.close();
    }

    void fail(int hr, String reason) {
        perform(protocol.fail(hr, reason));
    }

    private void doClose() {
        MmsClientProtocol.State was = protocol.state();
        if (protocol.closed()) {
            return;
        }
        List<MmsMessage> goodbye = protocol.close();
        view = view.asEnded();
        replyTimer.cancel();
        stallWatch.stop();
        if (!openFuture.isDone()) {
            openFuture.complete(new UpstreamOpenResult.Failed(Hresults.E_UNEXPECTED, "closed before the open completed"));
        }
        callers.completeAll(Hresults.NS_E_NOCONNECTION);
        UpstreamPipeline.writeAndClose(channel, goodbye);
        log.debug("upstream {} path={} closed in state {}", peer, request.path(), was);
    }

    // ------------------------------------------------------------------ plumbing

    private void send(MmsMessage m) {
        channel.writeAndFlush(m).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(Hresults.NS_E_NOCONNECTION, "cannot send " + m.getClass().getSimpleName() + ": " + f.cause());
            }
        });
    }

    private void onLoop(Runnable r) {
        LoopHops.onLoop(channel.eventLoop(), peer, r, this::fail);
    }

    private boolean runOnLoop(Runnable r) {
        return LoopHops.execute(channel.eventLoop(), peer, r, this::fail);
    }
}
