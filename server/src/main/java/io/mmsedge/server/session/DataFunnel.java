package io.mmsedge.server.session;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.FunnelName;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.server.broadcast.BroadcastMedia;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.play.PlayerChannel;
import io.mmsedge.server.udp.SharedResendWindow;
import io.mmsedge.server.udp.UdpPlayer;
import io.mmsedge.server.udp.UdpTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one MMS session's Data packets go (§3.2.1's Client-Port): the TCP connection, or, after
 * a UDP ConnectFunnel (§3.2.5.5), datagrams to the player's UDP port on the address of its TCP
 * connection. As the play session's {@link PlayerChannel} it adds the UDP side's flushes and
 * limits to the connection's; everything else is the connection's.
 */
final class DataFunnel implements PlayerChannel {

    private static final Logger log = LoggerFactory.getLogger(DataFunnel.class);
    private static final Logger accessLog = LoggerFactory.getLogger("io.mmsedge.access");
    /**
     * How long the end of the content waits after the last UDP datagram before EndOfStream goes
     * by TCP: VLC (mmstu.c) handles what arrived on TCP first and stops reading at EndOfStream, so
     * datagrams still in its socket then are lost.
     */
    static final long UDP_END_GRACE_MILLIS = 500;

    private final SessionIo io;
    /** The listener's UDP side; null when UDP is not served. */
    private final UdpTransport transport;
    private final double pacingSpeed;
    private final Runnable resume;
    private UdpPlayer udp;
    /** UDP-Packet-Pair (§3.2.1): FunnelInfo asked for packet-pair over UDP and got it. */
    private boolean udpPacketPair;

    DataFunnel(SessionIo io, UdpTransport transport, double pacingSpeed, Runnable resume) {
        this.io = io;
        this.transport = transport != null && transport.settings().enabled() ? transport : null;
        this.pacingSpeed = pacingSpeed;
        this.resume = resume;
    }

    /** "UDP" or "TCP", for the access log. */
    String transportName() {
        return udp != null ? "UDP" : "TCP";
    }

    /**
     * The answer to FunnelInfo (§3.2.5.4): the UDP packet-pair is one ReportFunnelInfo with
     * 0xF0F0F901 and no payload, if this listener serves UDP; otherwise as for TCP.
     */
    ReportFunnelInfo[] funnelInfo(FunnelInfo f, MmsReplies replies) {
        udpPacketPair = f.playIncarnation() == MmsConstants.PACKET_PAIR_UDP && transport != null;
        return udpPacketPair ? new ReportFunnelInfo[] {replies.udpPacketPair()} : replies.funnelInfo(f);
    }

    /**
     * Applies a ConnectFunnel (§3.2.5.5). A UDP funnel sends to the TCP peer's address at the
     * named port, whatever address it names; a second funnel replaces the first (a player rolling
     * over from UDP to TCP, §3.1.5.3).
     *
     * @return null when connected; otherwise why the funnel is refused (ReportDisconnectedFunnel)
     */
    String connect(ConnectFunnel f, int clientId) {
        FunnelName name;
        try {
            name = FunnelName.parse(f.funnelName());
        } catch (MmsDecodeException e) {
            if (!f.funnelName().toUpperCase(java.util.Locale.ROOT).contains("\\UDP\\")) {
                close(); // a TCP funnel: the name is never used, so any name will do (notes/clients.md)
                return null;
            }
            return e.reason();
        }
        close();
        if (!name.udp()) {
            return null;
        }
        if (transport == null) {
            return "UDP is not served here";
        }
        if (name.port() < transport.settings().minClientPort()) {
            return "UDP port " + name.port() + " is below " + transport.settings().minClientPort();
        }
        InetSocketAddress destination = new InetSocketAddress(io.peer().getAddress(), name.port());
        udp = transport.register(clientId, destination, this, resume, pacingSpeed);
        accessLog.info("peer={} event=funnel transport=UDP destination={} named=\"{}\"", io.peer(), destination,
                name.address());
        return null;
    }

    /**
     * The content is open: the UDP limits follow its bit rate, and a split's players take their
     * resends from the split's shared window ("shared for a split, per session otherwise").
     */
    void contentOpened(ContentInfo info, Media media) {
        if (udp != null) {
            // Through any wrapper (an access limit's throttle) to the broadcast that holds the window.
            SharedResendWindow shared = media != null && media.unwrapped() instanceof BroadcastMedia b
                    ? b.broadcast().resendWindow() : null;
            udp.limitTo(info.bitRate(), info.packetSize(), info.fileHeader().length, shared);
        }
    }

    /** §3.2.5.8: before ReportReadBlock, the two packet-pair packets when both sides want them. */
    void beforeHeader(Random random) {
        if (udp != null && udpPacketPair) {
            udp.sendPacketPair(random);
        }
    }

    // ------------------------------------------------------------------ Data packets

    void sendHeaderPart(int index, int playIncarnation, int afFlags, ByteBuf part) {
        if (udp != null) {
            udp.sendHeaderPart(index, playIncarnation, afFlags, part);
        } else {
            io.sendData(index, playIncarnation, afFlags, part);
        }
    }

    void sendPacket(int sequence, int locationId, int playIncarnation, ByteBuf payload) {
        if (udp != null) {
            udp.sendPacket(sequence, locationId, playIncarnation, sequence & 0xFF, payload);
        } else {
            io.sendData(locationId, playIncarnation, sequence & 0xFF, payload);
        }
    }

    /**
     * Runs {@code report} (the end of the content's EndOfStream) now over TCP; over UDP a moment
     * later, once the last datagrams are in, unless the funnel has closed meanwhile.
     */
    void afterLastData(Runnable report) {
        UdpPlayer player = udp;
        if (player == null) {
            report.run();
            return;
        }
        player.flush();
        io.schedule(() -> {
            if (udp == player) {
                report.run();
            }
        }, UDP_END_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    void newPlayRequest() {
        if (udp != null) {
            udp.newPlayRequest();
        }
    }

    /** Leaves UDP (a new funnel, or the session's end). */
    void close() {
        if (udp != null) {
            log.debug("peer={} UDP funnel closed after {} datagrams, {} bytes", io.peer(), udp.datagramsSent(),
                    udp.bytesSent());
            udp.close();
            udp = null;
        }
    }

    // ------------------------------------------------------------------ PlayerChannel

    @Override
    public void flush() {
        io.flush();
        if (udp != null) {
            udp.flush();
        }
    }

    @Override
    public boolean isWritable() {
        return io.isWritable() && (udp == null || udp.isWritable());
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return io.schedule(task, delay, unit);
    }

    @Override
    public void execute(Runnable task) {
        io.execute(task);
    }

    @Override
    public void atWindowEnd(Runnable task) {
        io.atWindowEnd(task);
    }

    @Override
    public long nanoTime() {
        return io.nanoTime();
    }

    @Override
    public InetSocketAddress peer() {
        return io.peer();
    }

    @Override
    public EventLoop eventLoop() {
        return io.eventLoop();
    }

    @Override
    public boolean inEventLoop() {
        return io.inEventLoop();
    }

    @Override
    public void handshakeDone() {
        io.handshakeDone();
    }
}
