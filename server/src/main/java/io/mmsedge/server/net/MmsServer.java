package io.mmsedge.server.net;

import io.mmsedge.protocol.mms.codec.MmsFrameDecoder;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
import io.mmsedge.protocol.mmsh.MmshResponses;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.mmsh.MmshFrontEnd;
import io.mmsedge.server.mmsh.MmshSettings;
import io.mmsedge.server.udp.UdpSettings;
import io.mmsedge.server.udp.UdpTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MMS/TCP listener serving a {@link MediaCatalog}, with MMSH ([MS-WMSP]) on the same port and,
 * if asked for, on an HTTP port of its own.
 */
public final class MmsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MmsServer.class);

    private final ServerSettings settings;
    private final MediaCatalog catalog;
    private final ServerMetrics metrics;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ChannelGroup connections = new DefaultChannelGroup("mms-connections", GlobalEventExecutor.INSTANCE);
    private final SecureRandom random = new SecureRandom();
    /** Volatile: a reload may rebind them ({@link #rebind}) while other threads read the addresses. */
    private volatile Channel listener;
    private volatile Channel httpListener;
    private final WriteWindows windows;
    private MmshFrontEnd mmsh;
    private Admission admission;
    private PlayerSockets sockets = PlayerSockets.defaults();
    private WriteStallWatch.Sweeps stallSweeps = new WriteStallWatch.Sweeps(sockets.writeStallTimeout());
    private UdpSettings udpSettings = UdpSettings.disabled();
    /** Read by connections' initializers; connections accepted before the UDP bind get TCP only. */
    private volatile UdpTransport udp;

    public MmsServer(ServerSettings settings, MediaCatalog catalog, ServerMetrics metrics, EventLoopGroup group) {
        this.settings = settings;
        this.catalog = catalog;
        this.metrics = metrics;
        this.ownsGroup = group == null;
        this.windows = new WriteWindows(settings.writeMergeMillis());
        this.group = group != null ? group : Transports.newGroup(0);
        withMmsh(MmshSettings.defaults());
        withLimits(ConnectionLimits.defaults());
    }

    /** The write-stall sweeps of this server's player connections (tests). */
    WriteStallWatch.Sweeps stallSweeps() {
        return stallSweeps;
    }

    /** Connections the bounds count now (tests: a refused connection's slot frees when it has closed). */
    int boundedConnections() {
        return admission.openConnections();
    }

    /** Bounds the connections of both listeners together ({@link Admission}). Call before starting. */
    public MmsServer withLimits(ConnectionLimits limits) {
        this.admission = new Admission(limits, metrics);
        return this;
    }

    /**
     * New connection bounds for the connections accepted from now on (a configuration reload);
     * the open connections stay and keep counting.
     */
    public void updateLimits(ConnectionLimits limits) {
        admission.limits(limits);
    }

    /**
     * A listener moved by {@link #rebind} or {@link #rebindHttp}: both ports accept until it is
     * committed (the old port closes) or aborted (the new port closes, the old one is the
     * listener again). Open connections stay either way.
     */
    public interface Move {
        void commit();

        void abort();
    }

    /**
     * Moves the MMS port to {@code address} (a configuration reload): the new port is bound
     * first, so there is no moment without a listener, and a failed bind (the exception
     * propagates) leaves the old one serving. The UDP side stays where {@link #start} bound it.
     */
    public Move rebind(InetSocketAddress address) throws InterruptedException {
        Channel old = listener;
        start(address, false);
        Channel next = listener;
        return move(old, next, ch -> listener = ch);
    }

    /**
     * Moves the MMSH-only HTTP port to {@code address}, binds it if there was none, or closes it
     * when {@code address} is null; as {@link #rebind}, the new port is bound before the old closes.
     */
    public Move rebindHttp(InetSocketAddress address) throws InterruptedException {
        Channel old = httpListener;
        if (address != null) {
            startHttp(address);
        } else {
            httpListener = null;
        }
        return move(old, httpListener, ch -> httpListener = ch);
    }

    private static Move move(Channel old, Channel next, java.util.function.Consumer<Channel> set) {
        return new Move() {
            @Override
            public void commit() {
                if (old != null) {
                    old.close().awaitUninterruptibly(2000);
                }
            }

            @Override
            public void abort() {
                set.accept(old);
                if (next != null && next != old) {
                    next.close().awaitUninterruptibly(2000);
                }
            }
        };
    }

    /**
     * Bounds each player socket's send buffer and drops players that stopped reading
     * ({@link PlayerSockets}, {@link WriteStallWatch}). Call before starting.
     */
    public MmsServer withPlayerSockets(PlayerSockets playerSockets) {
        this.sockets = playerSockets;
        this.stallSweeps = new WriteStallWatch.Sweeps(playerSockets.writeStallTimeout());
        return this;
    }

    /**
     * Sets how MMSH ([MS-WMSP]) is served: on the MMS port beside MMS/TCP unless
     * {@code sharePort} is off, and on the port {@link #startHttp} binds. Call before starting.
     */
    public MmsServer withMmsh(MmshSettings mmshSettings) {
        this.mmsh = new MmshFrontEnd(settings, mmshSettings, catalog, metrics, windows,
                () -> listener == null ? 0 : localAddress().getPort());
        return this;
    }

    /**
     * Serves Data packets over UDP to players that ask for it (MS-MMSP §3.2.5.5), on a UDP
     * socket bound beside the MMS port by {@link #start}. Off unless called. Call before starting.
     */
    public MmsServer withUdp(UdpSettings settings) {
        this.udpSettings = settings;
        return this;
    }

    /** The UDP side; null unless UDP is on and the server started. */
    public UdpTransport udp() {
        return udp;
    }

    /**
     * Binds the MMS port and starts accepting: MMS/TCP, and MMSH too (decided by a connection's
     * first bytes, {@link PortSniffer}) unless {@link MmshSettings#sharePort()} is off.
     */
    public MmsServer start(InetSocketAddress address) throws InterruptedException {
        return start(address, true);
    }

    private MmsServer start(InetSocketAddress address, boolean withUdp) throws InterruptedException {
        listener = bind(address, ch -> {
            if (mmsh.settings().sharePort()) {
                ch.pipeline().addLast("sniffer", sniffer(this::installMms));
            } else {
                installMms(ch.pipeline());
            }
        });
        log.info("MMS listening on {}{} ({})", listener.localAddress(), mmsh.settings().sharePort() ? " (and MMSH)" : "",
                Transports.name(group));
        if (withUdp && udpSettings.enabled()) {
            try {
                udp = UdpTransport.bind(udpSettings, localAddress(), group, metrics);
            } catch (InterruptedException | RuntimeException e) {
                listener.close().awaitUninterruptibly();
                throw e;
            }
        }
        return this;
    }

    /**
     * Binds an HTTP port serving MMSH only ([MS-WMSP]; an RTSP request gets an RTSP error, see
     * {@link PortSniffer}). May be called before or after {@link #start}; once.
     */
    public MmsServer startHttp(InetSocketAddress address) throws InterruptedException {
        httpListener = bind(address, ch -> ch.pipeline().addLast("sniffer", sniffer(null)));
        log.info("MMSH (HTTP) listening on {}", httpListener.localAddress());
        return this;
    }

    /** The HTTP listener's address; null unless {@link #startHttp} ran. */
    public InetSocketAddress httpAddress() {
        return httpListener == null ? null : (InetSocketAddress) httpListener.localAddress();
    }

    private PortSniffer sniffer(java.util.function.Consumer<io.netty.channel.ChannelPipeline> mms) {
        return new PortSniffer(mms, mmsh::install, MmshResponses.serverHeader(settings.serverVersionInfo()),
                MmshSettings.MAX_SNIFF_BYTES, mmsh.settings().sniffTimeout());
    }

    private void installMms(io.netty.channel.ChannelPipeline p) {
        MmsFrameDecoder decoder = new MmsFrameDecoder(settings.maxCommandSize());
        // Players never send Data packets: anything that isn't a command is
        // rejected at its 8-byte header instead of being buffered.
        decoder.setMaxDataPacketSize(8);
        p.addLast("frame-decoder", decoder)
                .addLast("frame-encoder", new MmsFrameEncoder())
                .addLast("session", new MmsServerHandler(settings, catalog, metrics, random, windows, udp));
    }

    private Channel bind(InetSocketAddress address, java.util.function.Consumer<SocketChannel> init)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(Transports.serverChannel(group))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_SNDBUF, sockets.sendBufferBytes() > 0 ? sockets.sendBufferBytes() : null)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.writeHighWaterMark() / 2, settings.writeHighWaterMark()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (admission.admit(ch)) {
                            ch.pipeline().addFirst("write-stall", new WriteStallWatch(stallSweeps, metrics));
                            init.accept(ch);
                        }
                    }
                });
        Channel ch = b.bind(address).sync().channel();
        connections.add(ch);
        return ch;
    }

    /** The event loops this server's connections (and, with epoll, its UDP sockets) run on. */
    public EventLoopGroup group() {
        return group;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Number of open player connections. */
    public int connectionCount() {
        return Math.max(0, connections.size() - (listener != null && listener.isOpen() ? 1 : 0)
                - (httpListener != null && httpListener.isOpen() ? 1 : 0));
    }

    /** Stops accepting new connections (a drain); the open sessions go on. */
    public void stopAccepting() {
        for (Channel l : new Channel[] {listener, httpListener}) {
            if (l != null && l.isOpen()) {
                l.close().awaitUninterruptibly(2000);
            }
        }
    }

    /**
     * A drain with a sibling ({@code server.drainRedirect}): every MMS player watching a broadcast
     * (a split on an edge) is sent to {@code location} with a type 2 redirect and closed
     * ({@link MmsServerHandler#redirectForDrain}); on-demand players, MMSH players and FFmpeg (which
     * follows no redirect) play on until they finish or the drain's deadline ends them.
     * Returns how many sessions were asked (each decides on its own event loop).
     */
    public int redirectBroadcasts(String location) {
        int asked = 0;
        for (Channel ch : connections) {
            if (ch != listener && ch != httpListener && ch.isOpen() && ch.pipeline().get(PlayerChannelHandler.class) != null) {
                ch.pipeline().fireUserEventTriggered(new DrainRedirect(location));
                asked++;
            }
        }
        return asked;
    }

    /**
     * Ends every open session so that its player stops cleanly ({@link ShutdownEvent}: MMS
     * EndOfStream, MMSH $E, then a close, FIN rather than RST), gives them {@code linger} to
     * close, then closes what is left. Returns how many connections there were.
     */
    public int endSessions(Duration linger) {
        java.util.List<Channel> open = connections.stream()
                .filter(ch -> ch != listener && ch != httpListener && ch.isOpen()).toList();
        for (Channel ch : open) {
            if (ch.pipeline().get(PlayerChannelHandler.class) != null) {
                ch.pipeline().fireUserEventTriggered(ShutdownEvent.END_SESSION);
            } else {
                ch.close(); // still sniffing its first bytes: no session to end
            }
        }
        long end = System.nanoTime() + linger.toNanos();
        for (Channel ch : open) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left)) {
                ch.close();
            }
        }
        if (!open.isEmpty()) {
            log.info("ended {} sessions on {} for shutdown", open.size(), listener == null ? "-" : listener.localAddress());
        }
        return open.size();
    }

    /**
     * Stops accepting, closes every connection, and waits up to {@code grace} for them to finish.
     * The players are not told (as when a server dies): {@link #endSessions} first tells them.
     */
    public void stop(Duration grace) {
        stopAccepting();
        connections.close().awaitUninterruptibly(grace.toMillis());
        if (udp != null) {
            udp.close();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, grace.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }
}
