package io.mmsedge.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The TCP transport follows the event loop group: epoll groups (the default where epoll loads)
 * get epoll channels, NIO groups NIO channels, and a file plays byte for byte over either.
 */
class TransportsTest {

    @Test
    void channelClassesFollowTheGroup() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertEquals(NioServerSocketChannel.class, Transports.serverChannel(nio));
            assertEquals(NioSocketChannel.class, Transports.socketChannel(nio));
            assertEquals(NioSocketChannel.class, Transports.socketChannel(nio.next()), "a loop of the group");
            assertEquals("nio", Transports.name(nio));
        } finally {
            nio.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
        assumeTrue(Epoll.isAvailable(), "epoll does not load on this machine");
        EventLoopGroup auto = Transports.newGroup(1);
        try {
            assertEquals(EpollServerSocketChannel.class, Transports.serverChannel(auto));
            assertEquals(EpollSocketChannel.class, Transports.socketChannel(auto.next()));
            assertEquals("epoll", Transports.name(auto));
        } finally {
            auto.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void thePropertyForcesNio() throws Exception {
        String before = System.getProperty("mmsedge.transport");
        System.setProperty("mmsedge.transport", "nio");
        EventLoopGroup g = Transports.newGroup(1);
        try {
            assertEquals("nio", Transports.name(g));
        } finally {
            g.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
            if (before == null) {
                System.clearProperty("mmsedge.transport");
            } else {
                System.setProperty("mmsedge.transport", before);
            }
        }
    }

    @Test
    void aFilePlaysWholeOverEitherTransport() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            playWhole(nio);
        } finally {
            nio.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
        assumeTrue(Epoll.isAvailable(), "epoll does not load on this machine");
        playWhole(null); // the server's own group: epoll here
    }

    private static void playWhole(EventLoopGroup group) throws Exception {
        ServerSettings unpaced = ServerSettings.defaults().withPacingSpeed(0);
        MmsServer server = new MmsServer(unpaced, new DirectoryCatalog("/", Fixtures.mediaDir(),
                ByteBufAllocator.DEFAULT), ServerMetrics.NONE, group).start(new InetSocketAddress("127.0.0.1", 0));
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             MmsTestClient c = MmsTestClient.connect(server.localAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.open("av.asf");
            c.readHeader(2);
            c.selectStreams(f.header().streams().stream().mapToInt(AsfStream::number).toArray());
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertEquals(f.packetCount(), r.packets.size());
            for (int i = 0; i < r.packets.size(); i++) {
                assertArrayEquals(Fixtures.sentPayload(f, i), r.packets.get(i).payload(), "packet " + i);
            }
            assertEquals(0, r.lastEndOfStream().hr());
            assertTrue(r.packets.size() > 10, "a real file, not an empty one");
        } finally {
            server.close();
        }
    }
}
