package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.client.ClientProtocolException;
import io.mmsedge.protocol.mms.client.HeaderAssembler;
import io.mmsedge.protocol.mms.codec.MmsDecodeFailure;
import io.mmsedge.protocol.mms.codec.MmsFrameDecoder;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
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
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.protocol.mms.Hresults;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client role of MS-MMSP (§3.1) over one TCP connection to an origin (or an MMS proxy in
 * front of it): what mms-edge uses to fetch content upstream.
 *
 * <p>Non-blocking: every step runs on the channel's event loop; the public methods may be called
 * from any thread and hop onto it. Every wait is bounded: the TCP connect and each reply by
 * {@link UpstreamRequest#connectTimeout()}, the silence of a stream by
 * {@code max(connectTimeout, 60 s)} (a server Pings an idle player after its KeepAlive period,
 * §3.2.6.1), header sizes by 16 MiB and Data packets by {@link UpstreamRequest#maxPacketSize()}.
 * Server replies are validated strictly; anything that violates the protocol ends the session
 * with NS_E_PROTOCOL_MISMATCH.
 *
 * <p>Data packets only ever reach the {@link UpstreamListener} for the current play request:
 * each StartPlaying/StartStriding uses a fresh PlayIncarnation (§3.1.1) and packets carrying any
 * other playIncarnation byte (stragglers of a stopped request) are released here. After a
 * StreamChange the new entry's header and packets carry 0xFF (§3.2.4.2).
 *
 * <p>Futures returned by this class complete on the event loop: dependent actions must not block.
 */
public final class UpstreamSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);

    /** Connect / FunnelInfo playIncarnation: no packet-pair experiment (§2.2.4.17, §2.2.4.19). */
    static final int PACKET_PAIR_OFF = 0xF0F0F0EF;
    /** ReportFunnelInfo playIncarnation of a TCP packet-pair reply (§3.1.5.4). */
    static final int PACKET_PAIR_TCP = 0xF0F0F0F1;
    /** Largest ASF file header accepted (fileHeaderSize / cbHeaderSize). */
    static final int MAX_HEADER_SIZE = 16 << 20;
    /** ConnectFunnel.maxBitRate as every real player sends it. */
    static final int MAX_BIT_RATE = 0x00989680;
    /** ConnectFunnel.funnelMode: MUST be 2 (§2.2.4.18). */
    static final int FUNNEL_MODE = 2;
    /** playIncarnation of a new playlist entry's header and packets over TCP (§3.2.4.2). */
    static final int STREAM_CHANGE_INCARNATION = 0xFF;
    /** Client token used when the caller has no player subscriberName. */
    static final String DEFAULT_CLIENT_TOKEN = "NSPlayer/9.0.0.2980";
    /** Lower bound of the silence accepted while streaming. */
    static final Duration MIN_STREAM_IDLE = Duration.ofSeconds(60);
    /** Bounds of caller-supplied strings (each must fit one 64 KiB command). */
    static final int MAX_PATH_CHARS = 4096;
    static final int MAX_SUBSCRIBER_CHARS = 8192;
    static final int MAX_CREDENTIALS_CHARS = 4096;
    private static final int MAX_REALM_CHARS = 256;

    private enum State {
        CONNECTING, AWAIT_CONNECTED_EX, AWAIT_FUNNEL_INFO, AWAIT_CONNECTED_FUNNEL, AWAIT_OPEN_FILE, AWAIT_HEADER,
        READY, AWAIT_STREAM_SWITCH, AWAIT_PLAY_REPLY, STREAMING, AWAIT_STREAM_CHANGE, STREAM_CHANGE_HEADER,
        STOPPING, CLOSED
    }

    /** {@code accelBitRate}/{@code accelMs}: dwAccelBandwidth/dwAccelDuration (§2.2.4.25), -1 = absent. */
    private record PlayRequest(boolean striding, double position, int asfOffset, int locationId, int frameOffset,
            double rate, long accelBitRate, long accelMs) {
    }

    private final UpstreamRequest request;
    private final Duration timeout;
    private final String subscriberNameSent;
    private final CompletableFuture<UpstreamOpenResult> openFuture = new CompletableFuture<>();

    private volatile Channel channel;
    private volatile State state = State.CONNECTING;
    private volatile UpstreamListener listener;
    /** Set by {@link #close()} on the caller's thread: from then on no listener event is delivered. */
    private volatile boolean closeRequested;
    private volatile ReportOpenFile openFile;
    /** The current entry's ASF file header (changes with a StreamChange). */
    private volatile byte[] header;

    // ---- everything below is confined to the event loop

    /** §3.1.1 Incarnation: 1..0xFE, for OpenFile / SecurityResponse. */
    private int incarnation = 1;
    /** §3.1.1 HeaderIncarnation: 1..8, for ReadBlock. */
    private int headerIncarnation = 1;
    /** §3.1.1 PlayIncarnation: 9..0xFE, for StartPlaying / StartStriding. */
    private int playIncarnation = 9;
    /** §3.1.1 PlayIncarnation-For-Stop: the latest play request's playIncarnation; 0 = none yet. */
    private int playIncarnationForStop;
    /** The playIncarnation byte of the Data packets now passed to the listener; -1 = none. */
    private int dataIncarnation = -1;

    private String serverVersion = "";
    private int clientId;
    private int funnelInfoCount;
    private int openIncarnation;
    private boolean securityResponseSent;
    private int fileId;
    /** filePacketSize / cbPacketSize of the current entry: the bound of a Data payload. */
    private int packetSize;
    private List<Integer> streamNumbers = List.of();
    private HeaderAssembler assembler;
    private boolean readBlockReported;
    private boolean streamSwitchDone;
    private PlayRequest pendingPlay;
    private CompletableFuture<Integer> playFuture;
    private CompletableFuture<Integer> stopFuture;
    private boolean stopAfterPlay;
    private ReportStreamChange pendingChange;
    private ScheduledFuture<?> replyTimer;
    private long replyTimerGeneration;
    private boolean failureReported;

    private UpstreamSession(UpstreamRequest request, String subscriberNameSent) {
        this.request = request;
        this.timeout = request.connectTimeout();
        this.subscriberNameSent = subscriberNameSent;
    }

    // ------------------------------------------------------------------ opening

    /**
     * Connects and runs Connect → (FunnelInfo) → ConnectFunnel(TCP) → OpenFile [→
     * SecurityChallenge/SecurityResponse] → ReadBlock → header. Never throws; every failure is a
     * Failed result within the connect timeout (per step). Cancelling the returned future closes
     * the connection.
     *
     * @param group an NIO event loop group (the channel type is {@link NioSocketChannel})
     */
    public static CompletableFuture<UpstreamOpenResult> open(UpstreamRequest request, EventLoopGroup group) {
        try {
            String invalid = validate(request, group);
            if (invalid != null) {
                return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.E_INVALID_ARG, invalid));
            }
            String name = subscriberName(request);
            if (name.length() > MAX_SUBSCRIBER_CHARS) {
                return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.E_INVALID_ARG,
                        "subscriberName of " + name.length() + " characters is too long"));
            }
            UpstreamSession s = new UpstreamSession(request, name);
            s.start(group);
            return s.openFuture;
        } catch (RuntimeException e) {
            log.warn("upstream open failed to start", e);
            return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.NS_E_NOCONNECTION,
                    "cannot start the upstream connection: " + e));
        }
    }

    private static String validate(UpstreamRequest r, EventLoopGroup group) {
        if (r == null) {
            return "no request";
        }
        if (group == null) {
            return "no event loop group";
        }
        if (r.connectTo() == null) {
            return "no address to connect to";
        }
        if (r.connectTo().isUnresolved()) {
            return "unresolved address " + r.connectTo().getHostString() + ":" + r.connectTo().getPort();
        }
        if (r.path() == null || r.path().length() > MAX_PATH_CHARS || r.path().indexOf('\0') >= 0) {
            return "invalid path";
        }
        Duration t = r.connectTimeout();
        if (t == null || t.isNegative() || t.isZero() || t.toMillis() > Integer.MAX_VALUE) {
            return "connectTimeout must be positive: " + t;
        }
        if (r.maxPacketSize() < 1 || r.maxPacketSize() > DataPacket.MAX_PACKET_SIZE) {
            return "maxPacketSize must be 1..65535: " + r.maxPacketSize();
        }
        String c = r.credentials();
        if (c != null) {
            if (c.length() > MAX_CREDENTIALS_CHARS) {
                return "credentials too long";
            }
            for (int i = 0; i < c.length(); i++) {
                char ch = c.charAt(i);
                if (ch < 0x20 || ch > 0x7E) {
                    return "credentials must be printable ASCII (RFC 2617 basic-credentials)";
                }
            }
        }
        return null;
    }

    /** The player's subscriberName (client token and GUID kept) with HOST and VIA for the origin. */
    static String subscriberName(UpstreamRequest r) {
        SubscriberName s = r.subscriber();
        if (s == null) {
            s = SubscriberName.parse(DEFAULT_CLIENT_TOKEN + "; {" + UUID.randomUUID().toString().toUpperCase(Locale.ROOT)
                    + "}");
        }
        String origin = r.originHostPort();
        if (origin == null || origin.isBlank()) {
            origin = new SubscriberName.HostPort(r.connectTo().getHostString(), r.connectTo().getPort()).render();
        }
        s = s.withHostParam(origin);
        if (s.hostString() == null) {
            s = s.withHostString(origin);
        }
        if (r.viaToken() != null && !r.viaToken().isBlank()) {
            s = s.withViaAppended(r.viaToken());
        }
        return s.render();
    }

    private void start(EventLoopGroup group) {
        openFuture.whenComplete((r, e) -> {
            if (openFuture.isCancelled()) {
                close();
            }
        });
        MmsFrameDecoder decoder = new MmsFrameDecoder(MmsFrameDecoder.DEFAULT_MAX_COMMAND_SIZE);
        decoder.setMaxDataPacketSize(Math.min(DataPacket.MAX_PACKET_SIZE, request.maxPacketSize() + DataPacket.HEADER_SIZE));
        long idleMillis = Math.max(timeout.toMillis(), MIN_STREAM_IDLE.toMillis());
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("frame-decoder", decoder)
                                .addLast("frame-encoder", new MmsFrameEncoder())
                                .addLast("upstream", new Handler());
                    }
                });
        ChannelFuture cf = b.connect(request.connectTo());
        channel = cf.channel();
        cf.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(Hresults.NS_E_NOCONNECTION, "cannot connect to " + describePeer() + ": " + f.cause());
            } else if (state == State.CLOSED) {
                f.channel().close();
            } else {
                onConnected();
            }
        });
    }

    private void onConnected() {
        log.debug("upstream {} connected; subscriberName={}", describePeer(), subscriberNameSent.replace('\0', '|'));
        state = State.AWAIT_CONNECTED_EX;
        send(new Connect(PACKET_PAIR_OFF, ReportConnectedEx.MAC_TO_VIEWER_PROTOCOL_REVISION,
                ReportConnectedEx.VIEWER_TO_MAC_PROTOCOL_REVISION, subscriberNameSent));
        armReplyTimer("ReportConnectedEX");
    }

    // ------------------------------------------------------------------ public API

    /** The ReportOpenFile of the open (null before it arrived). */
    public ReportOpenFile openFile() {
        return openFile;
    }

    /** The current entry's ASF file header (a copy; it changes with a StreamChange); null before it was read. */
    public byte[] header() {
        byte[] h = header;
        return h == null ? null : h.clone();
    }

    /** The rendered subscriberName sent upstream (NULs separate the HOST and VIA strings). */
    public String subscriberNameSent() {
        return subscriberNameSent;
    }

    /** Sets the receiver of upstream events; call before the first play request. */
    public void setListener(UpstreamListener l) {
        this.listener = l;
    }

    /**
     * StreamSwitch selecting every stream at thinning 0 (once, automatically before the first
     * play) then StartPlaying (§3.1.4.2). Completes with ReportStartedPlaying.hr, or with a
     * failure hr: E_UNEXPECTED when not READY (a request is pending or streaming: stop first),
     * the StreamSwitch's hr if that failed, or the session's failure hr.
     */
    public CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset) {
        return requestPlay(new PlayRequest(false, position, asfOffset, locationId, frameOffset, 1.0, -1, -1));
    }

    /**
     * As {@link #startPlaying(double, int, int, int)}, asking the server to send the first
     * {@code accelMs} of content at {@code accelBitRate} bits/s instead of real time
     * (dwAccelBandwidth/dwAccelDuration, §2.2.4.25, §3.2.5.11). Only a server of version 9 or
     * later gets the fields (§3.1.4.2.1); an older one plays at its own pace.
     */
    public CompletableFuture<Integer> startPlaying(double position, int asfOffset, int locationId, int frameOffset,
                                                   long accelBitRate, long accelMs) {
        if (accelBitRate <= 0 || accelMs <= 0) {
            return startPlaying(position, asfOffset, locationId, frameOffset);
        }
        return requestPlay(new PlayRequest(false, position, asfOffset, locationId, frameOffset, 1.0,
                Math.min(accelBitRate, 0xFFFF_FFFFL), Math.min(accelMs, 0xFFFF_FFFFL)));
    }

    /** As {@link #startPlaying} with StartStriding at {@code rate}; completes with ReportStartStriding.hr. */
    public CompletableFuture<Integer> startStriding(double position, int asfOffset, int locationId, double rate) {
        return requestPlay(new PlayRequest(true, position, asfOffset, locationId, 0, rate, -1, -1));
    }

    /**
     * StopPlaying; completes when the EndOfStream answering it arrives (§3.1.4.5), with its hr.
     * Data packets of the stopped incarnation still in flight are dropped. Completes with 0 at
     * once when nothing is playing.
     */
    public CompletableFuture<Integer> stopPlaying() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (!runOnLoop(() -> beginStop(f))) {
            f.complete(Hresults.NS_E_NOCONNECTION);
        }
        return f;
    }

    /**
     * Sends LinkViewerToMacLogging (§2.2.4.20), e.g. a player's log forwarded upstream. No reply.
     * On the session's own loop it goes at once, so a {@link #close()} right after still sends it
     * before the CloseFile.
     */
    public void sendLogging(ClientLog clientLog) {
        if (clientLog == null) {
            return;
        }
        Runnable send = () -> {
            if (state != State.CLOSED && openFile != null) {
                send(new Logging(clientLog));
            }
        };
        Channel ch = channel;
        if (ch != null && ch.eventLoop().inEventLoop()) {
            send.run();
        } else {
            runOnLoop(send);
        }
    }

    /**
     * True when the origin sent a SecurityChallenge that this session answered (§2.2.4.14):
     * the content is protected, and a cache must re-authorize each player with the origin.
     */
    public boolean challenged() {
        return securityResponseSent;
    }

    /** The event loop this session's events arrive on. */
    public io.netty.channel.EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** True until the session failed or was closed. */
    public boolean isOpen() {
        Channel ch = channel;
        return !closeRequested && state != State.CLOSED && ch != null && ch.isActive();
    }

    /** CloseFile (§3.1.4.8) and close the connection. Idempotent. No listener events follow. */
    @Override
    public void close() {
        closeRequested = true;
        Channel ch = channel;
        if (ch == null) {
            state = State.CLOSED; // not connected yet: the connect listener closes the channel
            return;
        }
        if (ch.eventLoop().inEventLoop()) {
            doClose();
        } else if (!runOnLoop(this::doClose)) {
            state = State.CLOSED;
            ch.close();
        }
    }

    // ------------------------------------------------------------------ inbound

    private final class Handler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (state == State.CLOSED) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (msg instanceof DataPacket p) {
                    onData(p);
                } else if (msg instanceof MmsCommand c) {
                    onMessage(c.message());
                } else if (msg instanceof MmsDecodeFailure f) {
                    throw new UpstreamProtocolException("malformed reply: " + f.describe());
                } else {
                    ReferenceCountUtil.release(msg);
                }
            } catch (UpstreamProtocolException | ClientProtocolException e) {
                fail(Hresults.NS_E_PROTOCOL_MISMATCH, e.getMessage());
            } catch (RuntimeException e) {
                log.error("upstream {}: internal error", describePeer(), e);
                fail(Hresults.E_FAIL, "internal error: " + e);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (state != State.CLOSED) {
                fail(Hresults.NS_E_NOCONNECTION, "connection closed by " + describePeer() + " in state " + state);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(Hresults.NS_E_NOCONNECTION, "connection to " + describePeer() + " failed: " + cause);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && state == State.STREAMING) {
                fail(Hresults.NS_E_CANNOTCONNECT, "nothing received from " + describePeer() + " for "
                        + Math.max(timeout.toMillis(), MIN_STREAM_IDLE.toMillis()) + " ms while streaming");
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }

    private void onData(DataPacket p) {
        boolean handedOver = false;
        try {
            switch (state) {
                case AWAIT_HEADER -> {
                    if (assembler.accept(p)) {
                        maybeFinishOpen();
                    } else {
                        armReplyTimer("the rest of the ASF file header");
                    }
                }
                case STREAM_CHANGE_HEADER -> {
                    if (p.playIncarnation() == STREAM_CHANGE_INCARNATION) {
                        if (assembler.accept(p)) {
                            finishStreamChange();
                        } else {
                            armReplyTimer("the rest of the new entry's ASF file header");
                        }
                    }
                }
                case AWAIT_PLAY_REPLY, STREAMING -> {
                    if (p.playIncarnation() == dataIncarnation) {
                        int n = p.content().readableBytes();
                        if (n > packetSize) {
                            throw new UpstreamProtocolException("Data packet payload of " + n
                                    + " bytes exceeds the ASF packet size " + packetSize);
                        }
                        UpstreamListener l = listener;
                        if (l != null && !closeRequested) {
                            handedOver = true;
                            try {
                                l.onDataPacket(p);
                            } catch (RuntimeException e) {
                                log.warn("upstream {}: listener onDataPacket threw", describePeer(), e);
                            }
                        }
                    }
                }
                case AWAIT_CONNECTED_EX, AWAIT_FUNNEL_INFO, AWAIT_CONNECTED_FUNNEL, AWAIT_OPEN_FILE ->
                        throw new UpstreamProtocolException("Data packet before the header was requested");
                default -> {
                    // READY, STOPPING, AWAIT_STREAM_SWITCH, AWAIT_STREAM_CHANGE: stragglers of a
                    // stopped or finished play request.
                }
            }
        } finally {
            if (!handedOver) {
                p.release();
            }
        }
    }

    private void onMessage(MmsMessage m) {
        if (!m.fromServer()) {
            throw new UpstreamProtocolException("the server sent a client message: " + m.getClass().getSimpleName());
        }
        if (m instanceof Ping) {
            // §3.1.5.13: answer at any time.
            send(new Pong(0, 0));
        } else if (m instanceof ReportConnectedEx r) {
            onConnectedEx(r);
        } else if (m instanceof ReportFunnelInfo r) {
            onFunnelInfo(r);
        } else if (m instanceof ReportConnectedFunnel r) {
            onConnectedFunnel(r);
        } else if (m instanceof ReportDisconnectedFunnel r) {
            expectState(m, State.AWAIT_CONNECTED_FUNNEL);
            fail(Hresults.failed(r.hr()) ? r.hr() : Hresults.NS_E_CANNOTCONNECT,
                    "the server refused the TCP funnel (ReportDisconnectedFunnel hr=" + Hresults.hex(r.hr()) + ")");
        } else if (m instanceof ReportRedirect r) {
            onRedirect(r);
        } else if (m instanceof SecurityChallenge c) {
            onSecurityChallenge(c);
        } else if (m instanceof ReportOpenFile r) {
            onReportOpenFile(r);
        } else if (m instanceof ReportReadBlock r) {
            onReportReadBlock(r);
        } else if (m instanceof ReportStreamSwitch r) {
            onReportStreamSwitch(r);
        } else if (m instanceof ReportStartedPlaying r) {
            onPlayReply(false, r.hr(), r.playIncarnation());
        } else if (m instanceof ReportStartStriding r) {
            onPlayReply(true, r.hr(), r.playIncarnation());
        } else if (m instanceof ReportEndOfStream r) {
            onEndOfStream(r);
        } else if (m instanceof ReportStreamChange r) {
            onStreamChange(r);
        } else {
            throw new UpstreamProtocolException("unexpected " + m.getClass().getSimpleName() + " in state " + state);
        }
    }

    private void expectState(MmsMessage m, State expected) {
        if (state != expected) {
            throw new UpstreamProtocolException("unexpected " + m.getClass().getSimpleName() + " in state " + state);
        }
    }

    // ------------------------------------------------------------------ handshake (§3.1.5.3 – §3.1.5.6)

    private void onConnectedEx(ReportConnectedEx r) {
        expectState(r, State.AWAIT_CONNECTED_EX);
        if (Hresults.failed(r.hr())) {
            fail(r.hr(), "ReportConnectedEX hr=" + Hresults.hex(r.hr()));
            return;
        }
        serverVersion = r.serverVersionInfo();
        state = State.AWAIT_FUNNEL_INFO;
        send(new FunnelInfo(PACKET_PAIR_OFF));
        armReplyTimer("ReportFunnelInfo");
    }

    private void onFunnelInfo(ReportFunnelInfo r) {
        expectState(r, State.AWAIT_FUNNEL_INFO);
        if (Hresults.failed(r.hr())) {
            fail(r.hr(), "ReportFunnelInfo hr=" + Hresults.hex(r.hr()));
            return;
        }
        if (++funnelInfoCount > 3) {
            throw new UpstreamProtocolException("more than three ReportFunnelInfo");
        }
        clientId = r.nCubs();
        if (r.playIncarnation() == PACKET_PAIR_TCP && funnelInfoCount < 3) {
            // §3.1.5.4: a packet-pair series we did not ask for; wait for all three.
            armReplyTimer("ReportFunnelInfo " + (funnelInfoCount + 1) + " of 3");
            return;
        }
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        String funnelName = "\\\\" + local.getAddress().getHostAddress() + "\\TCP\\" + local.getPort();
        state = State.AWAIT_CONNECTED_FUNNEL;
        send(new ConnectFunnel(0, 0xFFFFFFFF, 0, MAX_BIT_RATE, FUNNEL_MODE, funnelName));
        armReplyTimer("ReportConnectedFunnel");
    }

    private void onConnectedFunnel(ReportConnectedFunnel r) {
        expectState(r, State.AWAIT_CONNECTED_FUNNEL);
        if (Hresults.failed(r.hr())) {
            fail(r.hr(), "ReportConnectedFunnel hr=" + Hresults.hex(r.hr()));
            return;
        }
        openIncarnation = nextIncarnation();
        String credentials = request.credentials();
        state = State.AWAIT_OPEN_FILE;
        send(new OpenFile(openIncarnation, 0, 0, request.path(), credentials == null ? null : asciiz(credentials)));
        armReplyTimer("ReportOpenFile");
    }

    // ------------------------------------------------------------------ open (§3.1.5.7 – §3.1.5.9)

    private void onRedirect(ReportRedirect r) {
        if (state.compareTo(State.AWAIT_CONNECTED_EX) < 0 || state.compareTo(State.AWAIT_OPEN_FILE) > 0) {
            throw new UpstreamProtocolException("ReportRedirect after ReportOpenFile (state " + state + ")");
        }
        int type = r.redirectType();
        String location = r.location() == null ? "" : r.location();
        if (type != 1 && type != 2) {
            throw new UpstreamProtocolException("ReportRedirect with unknown type " + type);
        }
        if (type == 1 && location.isBlank()) {
            throw new UpstreamProtocolException("ReportRedirect type 1 without a location");
        }
        log.info("upstream {} path={} redirects: type={} location=\"{}\"", describePeer(), request.path(), type, location);
        endOpen(new UpstreamOpenResult.Redirected(type, location));
    }

    private void onSecurityChallenge(SecurityChallenge c) {
        expectState(c, State.AWAIT_OPEN_FILE);
        byte[] token = c.token();
        boolean ntlm = token.length >= 2 && token[0] == 0 && token[1] == 0;
        String realm = ntlm ? "" : realm(token);
        String credentials = request.credentials();
        if (!ntlm && credentials != null && !securityResponseSent) {
            // §3.1.5.8: answer once; a second challenge means the credentials were rejected.
            securityResponseSent = true;
            send(new SecurityResponse(openIncarnation, c.cookie(), asciiz(credentials)));
            armReplyTimer("a reply to SecurityResponse");
            return;
        }
        log.info("upstream {} path={} requires authentication: realm=\"{}\" ntlm={} credentials={}", describePeer(),
                request.path(), realm, ntlm, credentials == null ? "none" : "rejected");
        endOpen(new UpstreamOpenResult.AuthenticationRequired(realm, ntlm));
    }

    private void onReportOpenFile(ReportOpenFile r) {
        expectState(r, State.AWAIT_OPEN_FILE);
        if (Hresults.failed(r.hr())) {
            fail(r.hr(), "ReportOpenFile hr=" + Hresults.hex(r.hr()) + " for '" + request.path() + "'");
            return;
        }
        if (r.filePacketSize() < 1 || r.filePacketSize() > request.maxPacketSize()) {
            throw new UpstreamProtocolException("ReportOpenFile.filePacketSize " + Integer.toUnsignedString(r.filePacketSize())
                    + " outside 1.." + request.maxPacketSize());
        }
        if (r.fileHeaderSize() < 1 || r.fileHeaderSize() > MAX_HEADER_SIZE) {
            throw new UpstreamProtocolException("ReportOpenFile.fileHeaderSize " + Integer.toUnsignedString(r.fileHeaderSize())
                    + " outside 1.." + MAX_HEADER_SIZE);
        }
        openFile = r;
        fileId = r.openFileId();
        packetSize = r.filePacketSize();
        int hi = nextHeaderIncarnation();
        assembler = new HeaderAssembler(r.fileHeaderSize(), hi);
        readBlockReported = false;
        state = State.AWAIT_HEADER;
        // §3.1.5.9.1; length and tDeadline are hints.
        send(new ReadBlock(fileId, 0, 0, 0x8000, 0xFFFFFFFF, 0, 0.0, 3600.0, hi, 0));
        armReplyTimer("ReportReadBlock and the ASF file header");
    }

    private void onReportReadBlock(ReportReadBlock r) {
        if (state != State.AWAIT_HEADER || readBlockReported) {
            throw new UpstreamProtocolException("unexpected ReportReadBlock in state " + state);
        }
        if (Hresults.failed(r.hr())) {
            fail(r.hr(), "ReportReadBlock hr=" + Hresults.hex(r.hr()));
            return;
        }
        readBlockReported = true;
        maybeFinishOpen();
    }

    private void maybeFinishOpen() {
        if (!readBlockReported || !assembler.complete()) {
            armReplyTimer(readBlockReported ? "the ASF file header" : "ReportReadBlock");
            return;
        }
        byte[] h = assembler.bytes();
        streamNumbers = parseStreams(h);
        header = h;
        assembler = null;
        cancelReplyTimer();
        state = State.READY;
        log.debug("upstream {} path={} open: fileId={} packetSize={} headerSize={} streams={} server={} clientId={}",
                describePeer(), request.path(), fileId, packetSize, h.length, streamNumbers, serverVersion, clientId);
        if (!openFuture.complete(new UpstreamOpenResult.Opened(this, openFile, h.clone()))) {
            doClose();
        }
    }

    private static List<Integer> parseStreams(byte[] h) {
        AsfHeader parsed;
        try {
            parsed = AsfHeader.parse(h);
        } catch (RuntimeException e) {
            throw new UpstreamProtocolException("malformed ASF file header: " + e.getMessage());
        }
        List<Integer> numbers = new ArrayList<>();
        for (AsfStream s : parsed.streams()) {
            numbers.add(s.number());
        }
        if (numbers.isEmpty()) {
            throw new UpstreamProtocolException("the ASF file header lists no streams");
        }
        return List.copyOf(numbers);
    }

    // ------------------------------------------------------------------ playing (§3.1.4.2, §3.1.5.14 – §3.1.5.16)

    private CompletableFuture<Integer> requestPlay(PlayRequest r) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (!Double.isFinite(r.rate()) || r.rate() == 0) {
            f.complete(Hresults.E_INVALID_ARG);
            return f;
        }
        if (!runOnLoop(() -> beginPlay(r, f))) {
            f.complete(Hresults.NS_E_NOCONNECTION);
        }
        return f;
    }

    private void beginPlay(PlayRequest r, CompletableFuture<Integer> f) {
        if (state == State.CLOSED) {
            f.complete(Hresults.NS_E_NOCONNECTION);
            return;
        }
        if (state != State.READY) {
            log.debug("upstream {}: play request in state {} refused", describePeer(), state);
            f.complete(Hresults.E_UNEXPECTED);
            return;
        }
        playFuture = f;
        pendingPlay = r;
        if (!streamSwitchDone) {
            // §3.1.4.2: the complete selection state: every stream on at thinning 0.
            List<StreamSwitchEntry> entries = new ArrayList<>();
            for (int n : streamNumbers) {
                entries.add(new StreamSwitchEntry(StreamSwitchEntry.NO_STREAM, n, StreamSwitchEntry.THIN_NONE));
            }
            state = State.AWAIT_STREAM_SWITCH;
            send(new StreamSwitch(entries));
            armReplyTimer("ReportStreamSwitch");
        } else {
            sendPlay();
        }
    }

    private void onReportStreamSwitch(ReportStreamSwitch r) {
        expectState(r, State.AWAIT_STREAM_SWITCH);
        cancelReplyTimer();
        if (Hresults.failed(r.hr())) {
            state = State.READY;
            pendingPlay = null;
            completePlay(r.hr());
            completeStop(Hresults.S_OK);
            return;
        }
        streamSwitchDone = true;
        sendPlay();
    }

    private void sendPlay() {
        PlayRequest r = pendingPlay;
        int pi = nextPlayIncarnation();
        playIncarnationForStop = pi;
        dataIncarnation = pi & 0xFF;
        // packetSize stays that of the current entry: after a StreamChange the server plays that one.
        state = State.AWAIT_PLAY_REPLY;
        if (r.striding()) {
            send(new StartStriding(fileId, 0, r.position(), r.asfOffset(), r.locationId(), r.frameOffset(), pi, r.rate()));
            armReplyTimer("ReportStartStriding");
        } else {
            boolean accel = r.accelBitRate() > 0 && serverMajorVersion() >= 9;
            send(new StartPlaying(fileId, 0, r.position(), r.asfOffset(), r.locationId(), r.frameOffset(), pi,
                    accel ? r.accelBitRate() : -1, accel ? r.accelMs() : -1, -1));
            armReplyTimer("ReportStartedPlaying");
        }
    }

    private void onPlayReply(boolean striding, int hr, int pi) {
        String name = striding ? "ReportStartStriding" : "ReportStartedPlaying";
        if (state != State.AWAIT_PLAY_REPLY || pendingPlay == null || pendingPlay.striding() != striding) {
            throw new UpstreamProtocolException("unexpected " + name + " in state " + state);
        }
        if (pi != playIncarnationForStop) {
            throw new UpstreamProtocolException(name + ".playIncarnation " + Integer.toUnsignedString(pi)
                    + " does not echo " + playIncarnationForStop);
        }
        cancelReplyTimer();
        pendingPlay = null;
        if (Hresults.failed(hr)) {
            // The request failed but the session stays usable (e.g. striding refused).
            state = State.READY;
            dataIncarnation = -1;
            completePlay(hr);
            completeStop(Hresults.S_OK);
            return;
        }
        state = State.STREAMING;
        completePlay(hr);
        if (stopAfterPlay && state == State.STREAMING) {
            sendStop();
        }
    }

    // ------------------------------------------------------------------ stopping (§3.1.4.5)

    private void beginStop(CompletableFuture<Integer> f) {
        switch (state) {
            case CLOSED -> f.complete(Hresults.NS_E_NOCONNECTION);
            case READY -> f.complete(Hresults.S_OK);
            case STOPPING -> stopFuture.whenComplete((hr, e) -> f.complete(hr == null ? Hresults.E_FAIL : hr));
            case AWAIT_STREAM_SWITCH, AWAIT_PLAY_REPLY -> {
                if (stopFuture != null) {
                    stopFuture.whenComplete((hr, e) -> f.complete(hr == null ? Hresults.E_FAIL : hr));
                } else {
                    stopFuture = f;
                    stopAfterPlay = true;
                }
            }
            case STREAMING, AWAIT_STREAM_CHANGE, STREAM_CHANGE_HEADER -> {
                stopFuture = f;
                sendStop();
            }
            default -> f.complete(Hresults.E_UNEXPECTED);
        }
    }

    private void sendStop() {
        stopAfterPlay = false;
        dataIncarnation = -1;
        assembler = null;
        pendingChange = null;
        state = State.STOPPING;
        send(new StopPlaying(fileId, playIncarnationForStop));
        armReplyTimer("ReportEndOfStream answering StopPlaying");
    }

    // ------------------------------------------------------------------ end of stream, playlists (§3.1.5.18, §3.1.5.19)

    private void onEndOfStream(ReportEndOfStream r) {
        if (playIncarnationForStop == 0 || r.playIncarnation() != playIncarnationForStop) {
            log.debug("upstream {}: stale ReportEndOfStream (playIncarnation {}) ignored", describePeer(),
                    Integer.toUnsignedString(r.playIncarnation()));
            return;
        }
        int hr = r.hr();
        switch (state) {
            case STOPPING -> {
                if (hr == Hresults.S_STREAM_CHANGE) {
                    // The entry ended as we stopped: the server still answers StopPlaying.
                    return;
                }
                cancelReplyTimer();
                state = State.READY;
                completeStop(hr);
            }
            case STREAMING -> {
                if (Hresults.failed(hr)) {
                    fail(hr, "ReportEndOfStream hr=" + Hresults.hex(hr));
                    return;
                }
                dataIncarnation = -1;
                if (hr == Hresults.S_STREAM_CHANGE) {
                    state = State.AWAIT_STREAM_CHANGE;
                    armReplyTimer("ReportStreamChange");
                } else {
                    state = State.READY;
                }
                notifyListener(l -> l.onEndOfStream(hr));
            }
            case READY -> log.debug("upstream {}: duplicate ReportEndOfStream ignored", describePeer());
            default -> throw new UpstreamProtocolException("unexpected ReportEndOfStream in state " + state);
        }
    }

    private void onStreamChange(ReportStreamChange c) {
        if (state == State.STOPPING) {
            return; // the playlist moved on while we stopped: nothing of it is wanted
        }
        expectState(c, State.AWAIT_STREAM_CHANGE);
        if (Hresults.failed(c.hr())) {
            fail(c.hr(), "ReportStreamChange hr=" + Hresults.hex(c.hr()));
            return;
        }
        if (c.cbPacketSize() < 1 || c.cbPacketSize() > request.maxPacketSize()) {
            throw new UpstreamProtocolException("ReportStreamChange.cbPacketSize " + Integer.toUnsignedString(c.cbPacketSize())
                    + " outside 1.." + request.maxPacketSize());
        }
        if (c.cbHeaderSize() < 1 || c.cbHeaderSize() > MAX_HEADER_SIZE) {
            throw new UpstreamProtocolException("ReportStreamChange.cbHeaderSize " + Integer.toUnsignedString(c.cbHeaderSize())
                    + " outside 1.." + MAX_HEADER_SIZE);
        }
        pendingChange = c;
        assembler = new HeaderAssembler(c.cbHeaderSize(), STREAM_CHANGE_INCARNATION);
        state = State.STREAM_CHANGE_HEADER;
        armReplyTimer("the new entry's ASF file header");
    }

    private void finishStreamChange() {
        byte[] h = assembler.bytes();
        streamNumbers = parseStreams(h);
        ReportStreamChange c = pendingChange;
        header = h;
        packetSize = c.cbPacketSize();
        assembler = null;
        pendingChange = null;
        cancelReplyTimer();
        // §3.2.4.2: the new entry's packets follow with the same incarnation as its header.
        dataIncarnation = STREAM_CHANGE_INCARNATION;
        state = State.STREAMING;
        byte[] copy = h.clone();
        notifyListener(l -> l.onStreamChange(c, copy));
    }

    // ------------------------------------------------------------------ ending

    /** Ends the open with a non-Opened result and closes the connection. */
    private void endOpen(UpstreamOpenResult result) {
        state = State.CLOSED;
        cancelReplyTimer();
        openFuture.complete(result);
        channel.close();
    }

    /** The session failed: report once (open result or listener), complete pending requests, close. */
    private void fail(int hr, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        cancelReplyTimer();
        assembler = null;
        log.info("upstream {} path={} failed in state {}: hr={} {}", describePeer(), request.path(), was,
                Hresults.hex(hr), reason);
        if (!openFuture.isDone()) {
            openFuture.complete(new UpstreamOpenResult.Failed(hr, reason));
        } else if (!failureReported) {
            failureReported = true;
            notifyListener(l -> l.onFailure(hr, reason));
        }
        completePlay(hr);
        completeStop(hr);
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private void doClose() {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        cancelReplyTimer();
        assembler = null;
        if (!openFuture.isDone()) {
            openFuture.complete(new UpstreamOpenResult.Failed(Hresults.E_UNEXPECTED, "closed before the open completed"));
        }
        completePlay(Hresults.NS_E_NOCONNECTION);
        completeStop(Hresults.NS_E_NOCONNECTION);
        Channel ch = channel;
        if (ch.isActive() && openFile != null) {
            if (was == State.STREAMING || was == State.AWAIT_STREAM_CHANGE || was == State.STREAM_CHANGE_HEADER
                    || was == State.AWAIT_PLAY_REPLY) {
                ch.write(new StopPlaying(fileId, playIncarnationForStop));
            }
            // §3.1.4.8: playIncarnation SHOULD be 0.
            ch.writeAndFlush(new CloseFile(0, fileId)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
        log.debug("upstream {} path={} closed in state {}", describePeer(), request.path(), was);
    }

    private void completePlay(int hr) {
        CompletableFuture<Integer> f = playFuture;
        playFuture = null;
        if (f != null) {
            f.complete(hr);
        }
    }

    private void completeStop(int hr) {
        CompletableFuture<Integer> f = stopFuture;
        stopFuture = null;
        stopAfterPlay = false;
        if (f != null) {
            f.complete(hr);
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** The major number of the server's ServerVersionInfo (§2.2.4.2), e.g. 9 for "9.1.1.3862"; 0 when unknown. */
    private int serverMajorVersion() {
        String v = serverVersion;
        int end = 0;
        while (end < v.length() && end < 4 && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v, 0, end, 10);
    }

    private void send(MmsMessage m) {
        channel.writeAndFlush(m).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(Hresults.NS_E_NOCONNECTION, "cannot send " + m.getClass().getSimpleName() + ": " + f.cause());
            }
        });
    }

    private void armReplyTimer(String waitingFor) {
        cancelReplyTimer();
        long generation = ++replyTimerGeneration;
        replyTimer = channel.eventLoop().schedule(() -> {
            if (generation == replyTimerGeneration && state != State.CLOSED) {
                fail(Hresults.NS_E_CANNOTCONNECT, "no " + waitingFor + " from " + describePeer() + " within "
                        + timeout.toMillis() + " ms");
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancelReplyTimer() {
        replyTimerGeneration++;
        ScheduledFuture<?> t = replyTimer;
        replyTimer = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    private boolean runOnLoop(Runnable r) {
        Channel ch = channel;
        if (ch == null) {
            return false;
        }
        try {
            ch.eventLoop().execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.error("upstream {}: internal error", describePeer(), e);
                    fail(Hresults.E_FAIL, "internal error: " + e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void notifyListener(Consumer<UpstreamListener> event) {
        UpstreamListener l = listener;
        if (l == null || closeRequested) {
            return;
        }
        try {
            event.accept(l);
        } catch (RuntimeException e) {
            log.warn("upstream {}: listener threw", describePeer(), e);
        }
    }

    private int nextIncarnation() {
        int v = incarnation;
        incarnation = v == 0xFE ? 1 : v + 1;
        return v;
    }

    private int nextHeaderIncarnation() {
        int v = headerIncarnation;
        headerIncarnation = v == 8 ? 1 : v + 1;
        return v;
    }

    private int nextPlayIncarnation() {
        int v = playIncarnation;
        playIncarnation = v == 0xFE ? 9 : v + 1;
        return v;
    }

    private String describePeer() {
        InetSocketAddress a = request.connectTo();
        return a.getHostString() + ":" + a.getPort();
    }

    /** ASCII text plus a NUL (basic-credentials, §2.2.4.21 / §2.2.4.24); validated printable ASCII. */
    private static byte[] asciiz(String s) {
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[text.length + 1];
        System.arraycopy(text, 0, out, 0, text.length);
        return out;
    }

    /** The realm-value of a Basic pToken: UTF-16LE {@code realm="..."} (§2.2.4.14); "" when absent. */
    static String realm(byte[] token) {
        String s = new String(token, 0, token.length & ~1, StandardCharsets.UTF_16LE);
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            s = s.substring(0, nul);
        }
        int i = s.toLowerCase(Locale.ROOT).indexOf("realm=\"");
        if (i < 0) {
            return "";
        }
        int start = i + 7;
        int end = s.indexOf('"', start);
        String realm = end < 0 ? s.substring(start) : s.substring(start, end);
        return realm.length() > MAX_REALM_CHARS ? realm.substring(0, MAX_REALM_CHARS) : realm;
    }
}
