package io.mmsedge.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PacketBatch} on real sockets: what a player reads is every prefix and payload in the
 * order they were added, whether the kernel took a batch whole (one writev), took part of it (the
 * rest queued behind, in Netty's outbound buffer), or other writes came between; and over NIO,
 * where nothing is held.
 */
class PacketBatchTest {

    /** A 6-byte prefix: the fields' low 32 bits and the payload's length, big-endian. */
    private static final PacketBatch.Prefix PREFIX = new PacketBatch.Prefix() {
        @Override
        public int size() {
            return 6;
        }

        @Override
        public void write(ByteBuf out, long fields, int payloadBytes) {
            out.writeInt((int) fields);
            out.writeShort(payloadBytes);
        }
    };

    /** The server side of one connection: its batch and its context, once connected. */
    private static final class Side extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Side> ready = new CompletableFuture<>();
        final CompletableFuture<Void> gone = new CompletableFuture<>();
        volatile ChannelHandlerContext ctx;
        volatile PacketBatch batch;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            batch = new PacketBatch(ctx, PREFIX);
            ready.complete(this);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            batch.discard();
            gone.complete(null);
        }
    }

    private static ByteBuf payload(int i) {
        int len = 900 + (i * 37) % 600;
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(len);
        for (int j = 0; j < len; j++) {
            b.writeByte(i * 7 + j);
        }
        return b;
    }

    private static void expect(ByteArrayOutputStream out, int i, ByteBuf p) {
        int len = p.readableBytes();
        out.writeBytes(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i,
                (byte) (len >>> 8), (byte) len});
        byte[] b = new byte[len];
        p.getBytes(p.readerIndex(), b);
        out.writeBytes(b);
    }

    /** Connects a client that does not read yet; returns the server side and the client socket. */
    private static Socket connect(EventLoopGroup group, Side side, Channel[] server) throws Exception {
        server[0] = new ServerBootstrap().group(group).channel(Transports.serverChannel(group))
                .childOption(ChannelOption.SO_SNDBUF, 8192)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(side);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Socket client = new Socket();
        client.setReceiveBufferSize(8192);
        client.setSoTimeout(10_000);
        client.connect(server[0].localAddress());
        side.ready.get(10, TimeUnit.SECONDS);
        return client;
    }

    /** Closes the test's listeners, then their loops. */
    private static void stop(EventLoopGroup group, Channel[]... servers) throws InterruptedException {
        for (Channel[] s : servers) {
            if (s[0] != null) {
                s[0].close().sync();
            }
        }
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    private static <T> T onLoop(Side side, java.util.concurrent.Callable<T> task) throws Exception {
        return side.ctx.executor().submit(task).get(10, TimeUnit.SECONDS);
    }

    @Test
    void batchesArriveWholeAndInOrderThroughAFullSocket() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll does not load on this machine");
        EventLoopGroup group = Transports.newGroup(1);
        Side side = new Side();
        Channel[] server = new Channel[1];
        try (Socket client = connect(group, side, server)) {
            assertTrue(side.batch.direct(), "an epoll channel's packets go straight to its socket");
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            int packets = 0;
            boolean sawBacklog = false;
            // 40 batches of 16 packets, about 760 KB, to a client that reads nothing yet: the
            // kernel takes the first whole, then part of one, then none; the rest queue in order.
            for (int b = 0; b < 40; b++) {
                int first = packets;
                long pending = onLoop(side, () -> {
                    for (int i = first; i < first + 16; i++) {
                        ByteBuf p = payload(i);
                        expect(expected, i, p);
                        side.batch.add(i, p);
                    }
                    if (first == 16 * 5) {
                        // A write of the front end's own between two batches (a command): what
                        // was added before it goes first.
                        side.batch.writeHeld();
                        ByteBuf cmd = Unpooled.copiedBuffer(new byte[] {1, 2, 3, 4, 5});
                        expected.writeBytes(new byte[] {1, 2, 3, 4, 5});
                        side.ctx.writeAndFlush(cmd);
                    }
                    side.batch.flush();
                    return side.ctx.channel().unsafe().outboundBuffer().totalPendingWriteBytes();
                });
                packets += 16;
                sawBacklog |= pending > 0;
            }
            assertTrue(sawBacklog, "the socket filled and a batch's rest waited in the outbound buffer");
            byte[] want = expected.toByteArray();
            byte[] got = new byte[want.length];
            new DataInputStream(client.getInputStream()).readFully(got);
            assertArrayEquals(want, got, "every prefix and payload, in order");
            assertEquals(0L, (long) onLoop(side, () -> side.ctx.channel().unsafe().outboundBuffer()
                    .totalPendingWriteBytes()), "all written once the player read");
        } finally {
            stop(group, server);
        }
    }

    @Test
    void playersOfOneLoopKeepTheirOwnOrder() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll does not load on this machine");
        EventLoopGroup group = Transports.newGroup(1); // one loop: both players share its scratch
        Side a = new Side();
        Side b = new Side();
        Channel[] serverA = new Channel[1];
        Channel[] serverB = new Channel[1];
        try (Socket clientA = connect(group, a, serverA); Socket clientB = connect(group, b, serverB)) {
            ByteArrayOutputStream wantA = new ByteArrayOutputStream();
            ByteArrayOutputStream wantB = new ByteArrayOutputStream();
            onLoop(a, () -> {
                // Interleaved adds without a flush between (not the pump's way, but allowed):
                // each player still gets exactly its own packets, in its own order.
                for (int i = 0; i < 20; i++) {
                    Side side = i % 3 == 0 ? b : a;
                    ByteBuf p = payload(i);
                    expect(side == a ? wantA : wantB, i, p);
                    side.batch.add(i, p);
                }
                a.batch.flush();
                b.batch.flush();
                return null;
            });
            for (Object[] c : new Object[][] {{clientA, wantA, "A"}, {clientB, wantB, "B"}}) {
                byte[] want = ((ByteArrayOutputStream) c[1]).toByteArray();
                byte[] got = new byte[want.length];
                new DataInputStream(((Socket) c[0]).getInputStream()).readFully(got);
                assertArrayEquals(want, got, "player " + c[2] + ": its packets, in order");
            }
        } finally {
            stop(group, serverA, serverB);
        }
    }

    @Test
    void heapPayloadsAndNioGoTheOrdinaryWayInOrder() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        for (EventLoopGroup group : Epoll.isAvailable()
                ? new EventLoopGroup[] {nio, Transports.newGroup(1)} : new EventLoopGroup[] {nio}) {
            Side side = new Side();
            Channel[] server = new Channel[1];
            try (Socket client = connect(group, side, server)) {
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                onLoop(side, () -> {
                    for (int i = 0; i < 30; i++) {
                        ByteBuf p = payload(i);
                        if (i % 3 == 1) {
                            // A heap payload needs Netty's copy to a direct buffer: it and what
                            // comes after it keep their places.
                            ByteBuf heap = Unpooled.copiedBuffer(p);
                            p.release();
                            p = heap;
                        }
                        expect(expected, i, p);
                        side.batch.add(i, p);
                    }
                    side.batch.flush();
                    return null;
                });
                byte[] want = expected.toByteArray();
                byte[] got = new byte[want.length];
                new DataInputStream(client.getInputStream()).readFully(got);
                assertArrayEquals(want, got, Transports.name(group) + ": every prefix and payload, in order");
            } finally {
                stop(group, server);
            }
        }
    }

    @Test
    void whatIsHeldWhenThePlayerGoesIsReleased() throws Exception {
        EventLoopGroup group = Transports.newGroup(1);
        Side side = new Side();
        Channel[] server = new Channel[1];
        try {
            Socket client = connect(group, side, server);
            ByteBuf[] held = new ByteBuf[3];
            onLoop(side, () -> {
                for (int i = 0; i < held.length; i++) {
                    held[i] = payload(i);
                    side.batch.add(i, held[i].retain()); // the test keeps a reference to look at
                }
                return null;
            });
            client.setSoLinger(true, 0);
            client.close(); // the player resets the connection with packets still held
            side.gone.get(10, TimeUnit.SECONDS);
            for (ByteBuf b : held) {
                assertEquals(1, b.refCnt(), "the batch's reference was released when the channel went");
                b.release();
            }
            // Packets added after the channel went are not held (the write fails and releases them).
            ByteBuf late = payload(9);
            onLoop(side, () -> {
                side.batch.add(9, late.retain());
                side.batch.flush();
                return null;
            });
            assertEquals(1, late.refCnt(), "a packet added after the close was released");
            late.release();
        } finally {
            stop(group, server);
        }
    }
}
