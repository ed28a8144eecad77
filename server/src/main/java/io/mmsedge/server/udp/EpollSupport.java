package io.mmsedge.server.udp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's native epoll transport for the UDP socket, when its native library loads on this
 * machine (Linux x86_64); otherwise nothing, and the caller falls back to NIO.
 */
final class EpollSupport {

    private static final Logger log = LoggerFactory.getLogger(EpollSupport.class);

    private EpollSupport() {
    }

    /** A one-thread epoll loop for a UDP socket, or null when epoll is unavailable or disabled. */
    static EventLoopGroup group() {
        if (Boolean.getBoolean("mmsedge.udp.noEpoll")) {
            return null;
        }
        try {
            if (!Epoll.isAvailable()) {
                log.debug("epoll unavailable for UDP: {}", String.valueOf(Epoll.unavailabilityCause()));
                return null;
            }
            return new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        } catch (LinkageError e) { // the classes or the native library are missing
            log.debug("epoll unavailable for UDP: {}", e.toString());
            return null;
        }
    }

    static Class<? extends DatagramChannel> datagramChannel() {
        return EpollDatagramChannel.class;
    }

    /** SO_REUSEPORT, which lets every event loop bind a UDP socket of its own on one port. */
    static io.netty.channel.ChannelOption<Boolean> reusePort() {
        return io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT;
    }
}
