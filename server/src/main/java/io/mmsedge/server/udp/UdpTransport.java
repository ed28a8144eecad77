package io.mmsedge.server.udp;

import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.RequestPacketListResend;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.net.Transports;
import io.mmsedge.server.play.PlayerChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side of one MMS listener (MS-MMSP §2.1): the socket Data datagrams leave from and
 * RequestPacketListResend packets arrive at (§3.2.5.11.1: the same number as the TCP port by
 * default), and the UDP players of that listener by Client-ID (nCubs, §3.2.5.4).
 *
 * <p>Uses Netty's native epoll transport when it loads (a flush's datagrams then go in one
 * sendmmsg): a socket on each of the server's loops when they run epoll ({@link UdpLane}), else
 * one on a loop of its own; NIO otherwise. A datagram that is not a well-formed
 * resend request of a known player, from that player's own IP address, is dropped and counted;
 * it never affects anyone (§5.1).
 */
public final class UdpTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
    /** At most one warning a second about dropped datagrams: a flood must not flood the log too. */
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final UdpSettings settings;
    private final ServerMetrics metrics;
    private final Map<Integer, UdpPlayer> players = new ConcurrentHashMap<>();
    /** The sockets, one per event loop of the server with epoll (all on one port), else one. */
    private final List<UdpLane> lanes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<EventLoop, UdpLane> byLoop = new ConcurrentHashMap<>();
    /** A loop the transport made for itself (one socket off the server's loops), or null. Set in bind. */
    private volatile EventLoopGroup ownGroup;
    private volatile boolean epoll;
    /** Last warning about a dropped datagram; any lane's loop may write it (a rate limit, not a count). */
    private volatile long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

    private UdpTransport(UdpSettings settings, ServerMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * Binds the UDP socket on the TCP listener's host: on its port ({@link UdpSettings#SAME_PORT})
     * or the configured one. When the server's loops run epoll, each loop gets a socket of its
     * own on that port (SO_REUSEPORT): a player's datagrams leave by its session's loop, and the
     * kernel spreads resend requests over the sockets (any of them finds the player). Otherwise
     * one socket: on a one-thread epoll loop of its own when epoll loads, else NIO on the server's
     * loops.
     *
     * @param serverGroup the server's own event loops
     */
    public static UdpTransport bind(UdpSettings settings, InetSocketAddress tcpAddress, EventLoopGroup serverGroup,
                                    ServerMetrics metrics) throws InterruptedException {
        int port = settings.port() == UdpSettings.SAME_PORT ? tcpAddress.getPort() : settings.port();
        UdpTransport t = new UdpTransport(settings, metrics);
        try {
            if (!Boolean.getBoolean("mmsedge.udp.noEpoll") && Transports.isEpoll(serverGroup)) {
                t.epoll = true;
                for (EventExecutor e : serverGroup) {
                    EventLoop loop = (EventLoop) e;
                    Channel ch = t.bootstrap(loop, EpollSupport.datagramChannel())
                            .option(EpollSupport.reusePort(), true)
                            .bind(new InetSocketAddress(tcpAddress.getAddress(), port)).sync().channel();
                    port = ((InetSocketAddress) ch.localAddress()).getPort(); // port 0: the others join the first
                    UdpLane lane = new UdpLane(ch);
                    t.lanes.add(lane);
                    t.byLoop.put(loop, lane);
                }
            } else {
                EventLoopGroup own = EpollSupport.group();
                t.epoll = own != null;
                if (own == null && Transports.isEpoll(serverGroup)) {
                    // UDP on NIO (mmsedge.udp.noEpoll) cannot register on epoll loops: a loop of its own.
                    own = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
                }
                t.ownGroup = own;
                Channel ch = t.bootstrap(own != null ? own : serverGroup,
                                t.epoll ? EpollSupport.datagramChannel() : NioDatagramChannel.class)
                        .bind(new InetSocketAddress(tcpAddress.getAddress(), port)).sync().channel();
                t.lanes.add(new UdpLane(ch));
            }
        } catch (InterruptedException | RuntimeException e) {
            t.close();
            throw e;
        }
        log.info("MMS UDP on {} ({}, {} socket{})", t.localAddress(), t.epoll ? "epoll" : "nio", t.lanes.size(),
                t.lanes.size() == 1 ? "" : "s, one per event loop");
        return t;
    }

    private Bootstrap bootstrap(EventLoopGroup group, Class<? extends DatagramChannel> type) {
        return new Bootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        received(packet);
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        if (ctx.channel().isWritable()) {
                            laneOf(ctx.channel()).drained();
                        }
                        ctx.fireChannelWritabilityChanged();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // A send that failed (an unreachable player) is that datagram's loss only.
                        log.debug("UDP {}: {}", ctx.channel().localAddress(), cause.toString());
                    }
                });
    }

    private UdpLane laneOf(Channel ch) {
        for (UdpLane l : lanes) {
            if (l.channel() == ch) {
                return l;
            }
        }
        throw new IllegalStateException("no lane for " + ch);
    }

    /** The socket a session on {@code owner}'s loop sends by: its loop's own, else the first. */
    UdpLane laneFor(PlayerChannel owner) {
        EventLoop loop = owner.eventLoop();
        UdpLane l = loop == null ? null : byLoop.get(loop);
        return l != null ? l : lanes.get(0);
    }

    public UdpSettings settings() {
        return settings;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) lanes.get(0).channel().localAddress();
    }

    /** How many sockets the datagrams leave by (one per event loop with epoll). */
    public int sockets() {
        return lanes.size();
    }

    /** Every socket's address (the same port for all). */
    List<InetSocketAddress> localAddresses() {
        return lanes.stream().map(l -> (InetSocketAddress) l.channel().localAddress()).toList();
    }

    /** True when the native epoll transport carries the datagrams. */
    public boolean epoll() {
        return epoll;
    }

    /** UDP players registered now. */
    public int playerCount() {
        return players.size();
    }

    /**
     * Registers the UDP side of a session whose Client-ID is {@code clientId}; its datagrams go
     * to {@code destination} only. {@code resume} runs on the session's thread when it may send
     * again after {@link UdpPlayer#isWritable()} said no.
     *
     * @throws IllegalStateException if the Client-ID is taken (Client-IDs are random and unique per session)
     */
    public UdpPlayer register(int clientId, InetSocketAddress destination, PlayerChannel owner, Runnable resume,
                              double pacingSpeed) {
        UdpPlayer p = new UdpPlayer(this, clientId, destination, owner, resume, pacingSpeed, metrics);
        if (players.putIfAbsent(clientId, p) != null) {
            throw new IllegalStateException("Client-ID " + clientId + " already has a UDP player");
        }
        metrics.udpSessions(1);
        return p;
    }

    void unregister(UdpPlayer p) {
        if (players.remove(p.clientId(), p)) {
            metrics.udpSessions(-1);
        }
    }

    // ------------------------------------------------------------------ inbound (§3.2.5.13)

    private void received(DatagramPacket packet) {
        InetSocketAddress sender = packet.sender();
        RequestPacketListResend request;
        try {
            request = RequestPacketListResend.decode(packet.content());
        } catch (MmsDecodeException e) {
            drop("malformed", sender, e.getMessage());
            return;
        }
        UdpPlayer player = players.get(request.clientId());
        if (player == null) {
            drop("unknown_client", sender, "dwClientId names no UDP player");
            return;
        }
        // §5.1: a resend request is answered only from the player's own address, and the packets
        // go to its funnel port there, never to the request's source.
        if (!player.destination().getAddress().equals(sender.getAddress())) {
            drop("foreign_source", sender, "dwClientId of a player at another address");
            return;
        }
        if (request.sourceId() != (MmsConstants.OPEN_FILE_ID & 0xFFFF)) {
            drop("wrong_source_id", sender, "wSourceId " + request.sourceId() + " is not the File-ID");
            return;
        }
        player.resendRequested(request);
    }

    private void drop(String reason, InetSocketAddress sender, String detail) {
        metrics.udpDropped(reason);
        long now = System.nanoTime();
        if (now - lastWarnNanos >= WARN_EVERY_NANOS) {
            lastWarnNanos = now;
            log.warn("peer={} message=RequestPacketListResend reason=\"{}: {}\": datagram dropped "
                    + "(one warning a second; see the udp dropped metric)", sender, reason, detail);
        } else {
            log.debug("peer={} message=RequestPacketListResend reason=\"{}: {}\": datagram dropped", sender, reason,
                    detail);
        }
    }

    @Override
    public void close() {
        for (UdpLane l : lanes) {
            l.channel().close().awaitUninterruptibly(2000);
        }
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2000);
        }
    }
}
