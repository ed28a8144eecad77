package io.mmsedge.server.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport: Netty's native epoll where its library loads (Linux x86_64), else NIO.
 *
 * <p>A group's I/O handler decides which channel classes may register on it, so callers ask for
 * the channel class of the group they were given rather than naming one: a test that passes an
 * NIO group keeps NIO channels, the application's epoll group gets epoll channels. Epoll saves
 * the selector's key sets and the JDK's per-write buffer handling on the fan-out path.
 * {@code -Dmmsedge.transport=nio} forces NIO (comparisons, or a kernel where epoll misbehaves).
 */
public final class Transports {

    private static final Logger log = LoggerFactory.getLogger(Transports.class);

    private Transports() {
    }

    /** A new event loop group of {@code threads} loops (0 = Netty's default, twice the cores). */
    public static EventLoopGroup newGroup(int threads) {
        if (epollUsable()) {
            return new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        }
        return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /** Whether the epoll transport is wanted and loads here. */
    public static boolean epollUsable() {
        if ("nio".equalsIgnoreCase(System.getProperty("mmsedge.transport", "auto"))) {
            return false;
        }
        try {
            if (Epoll.isAvailable()) {
                return true;
            }
            log.info("TCP transport: NIO (epoll unavailable: {})", String.valueOf(Epoll.unavailabilityCause()));
        } catch (LinkageError e) { // classes or the native library missing
            log.info("TCP transport: NIO (epoll unavailable: {})", e.toString());
        }
        return false;
    }

    public static Class<? extends ServerSocketChannel> serverChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** "epoll" or "nio", for logs. */
    public static String name(EventLoopGroup group) {
        return isEpoll(group) ? "epoll" : "nio";
    }

    /** Whether {@code group}'s loops run the native epoll transport. */
    public static boolean isEpoll(EventLoopGroup group) {
        try {
            return group instanceof IoEventLoopGroup g && g.isIoType(EpollIoHandler.class);
        } catch (LinkageError e) {
            return false;
        }
    }
}
