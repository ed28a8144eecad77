package io.mmsedge.server.udp;

import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.RequestPacketListResend;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.play.PlayerChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side of one MMS listener (MS-MMSP §2.1): the socket Data datagrams leave from and
 * RequestPacketListResend packets arrive at (§3.2.5.11.1: the same number as the TCP port by
 * default), and the UDP players of that listener by Client-ID (nCubs, §3.2.5.4).
 *
 * <p>Uses Netty's native epoll transport when it loads (a flush's datagrams then go in one
 * sendmmsg), NIO on the server's own loops otherwise. A datagram that is not a well-formed
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
    /** Players that found the socket full, to wake when it drains (each once: see UdpPlayer.markWaiting). */
    private final java.util.Queue<UdpPlayer> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final EventLoopGroup ownGroup;
    private final Channel channel;
    private final boolean epoll;
    private long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

    private UdpTransport(UdpSettings settings, ServerMetrics metrics, EventLoopGroup ownGroup, Channel channel,
                         boolean epoll) {
        this.settings = settings;
        this.metrics = metrics;
        this.ownGroup = ownGroup;
        this.channel = channel;
        this.epoll = epoll;
    }

    /**
     * Binds the UDP socket on the TCP listener's host: on its port ({@link UdpSettings#SAME_PORT})
     * or the configured one.
     *
     * @param nioGroup the loops to use when epoll is not available
     */
    public static UdpTransport bind(UdpSettings settings, InetSocketAddress tcpAddress, EventLoopGroup nioGroup,
                                    ServerMetrics metrics) throws InterruptedException {
        int port = settings.port() == UdpSettings.SAME_PORT ? tcpAddress.getPort() : settings.port();
        InetSocketAddress address = new InetSocketAddress(tcpAddress.getAddress(), port);
        EventLoopGroup epollGroup = EpollSupport.group();
        UdpTransport[] self = new UdpTransport[1];
        Bootstrap b = new Bootstrap()
                .group(epollGroup != null ? epollGroup : nioGroup)
                .channel(epollGroup != null ? EpollSupport.datagramChannel() : NioDatagramChannel.class)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        self[0].received(packet);
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        if (ctx.channel().isWritable()) {
                            self[0].drained();
                        }
                        ctx.fireChannelWritabilityChanged();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // A send that failed (an unreachable player) is that datagram's loss only.
                        log.debug("UDP {}: {}", ctx.channel().localAddress(), cause.toString());
                    }
                });
        Channel ch;
        try {
            ch = b.bind(address).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            if (epollGroup != null) {
                epollGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            throw e;
        }
        self[0] = new UdpTransport(settings, metrics, epollGroup, ch, epollGroup != null);
        log.info("MMS UDP on {} ({})", ch.localAddress(), epollGroup != null ? "epoll" : "nio");
        return self[0];
    }

    public UdpSettings settings() {
        return settings;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** True when the native epoll transport carries the datagrams. */
    public boolean epoll() {
        return epoll;
    }

    /** UDP players registered now. */
    public int playerCount() {
        return players.size();
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
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

    boolean isWritable() {
        return channel.isWritable();
    }

    /**
     * From a player's thread, having found the socket full: wakes {@code p} once it drains.
     * Returns false if it drained meanwhile (the player goes on; its wake-up comes anyway, and
     * is harmless). Only the players that found it full are woken, not every player: with
     * thousands of UDP players, waking all of them at every drain was a task per player many
     * times a second.
     */
    boolean waitForRoom(UdpPlayer p) {
        if (p.markWaiting()) {
            waiting.add(p);
        }
        return !channel.isWritable(); // checked again after registering: a drain in between is not missed
    }

    private void drained() {
        UdpPlayer p;
        while ((p = waiting.poll()) != null) {
            p.wake();
        }
    }

    /** Writes and flushes datagrams on the UDP channel's loop; a closed channel releases them. */
    void write(List<DatagramPacket> datagrams) {
        if (channel.eventLoop().inEventLoop()) {
            writeNow(datagrams);
            return;
        }
        try {
            channel.eventLoop().execute(() -> writeNow(datagrams));
        } catch (RejectedExecutionException shuttingDown) {
            datagrams.forEach(DatagramPacket::release);
        }
    }

    private void writeNow(List<DatagramPacket> datagrams) {
        for (DatagramPacket d : datagrams) {
            channel.write(d, channel.voidPromise());
        }
        channel.flush();
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
        channel.close().awaitUninterruptibly(2000);
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2000);
        }
    }
}
