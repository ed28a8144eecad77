package io.mmsedge.proxy.upstream.mmsh;

import io.mmsedge.protocol.mmsh.client.MmshClientEvent;
import io.mmsedge.protocol.mmsh.client.MmshResponseReader;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.mmsedge.server.net.Transports;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One request and its response on its own TCP connection (non-pipelined MMSH, [MS-WMSP]
 * §3.1.4): connects, sends the request, and feeds what arrives to a {@link MmshResponseReader},
 * handing its events to the owner on the loop. Read pausing ({@code autoRead}) holds the origin
 * back through TCP: nothing is read ahead of the consumer but one socket read.
 */
final class MmshConnection {

    /** The owner's side: every call comes on the connection's event loop. */
    interface Owner {
        void onEvents(MmshConnection c, List<MmshClientEvent> events);

        void onConnectFailed(MmshConnection c, Throwable cause);
    }

    private final MmshResponseReader reader;
    private final Owner owner;
    private final Channel channel;
    private ByteBuf cumulation = Unpooled.EMPTY_BUFFER;
    private boolean abandoned;

    private MmshConnection(EventLoop loop, MmshResponseReader reader, Owner owner, int connectTimeoutMillis,
                           boolean autoRead) {
        this.reader = reader;
        this.owner = owner;
        this.channel = new Bootstrap()
                .group(loop)
                .channel(Transports.socketChannel(loop))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(new Handler())
                .register().channel();
    }

    /** Connects to {@code to} and sends {@code request}; events follow on {@code loop}. */
    static MmshConnection open(EventLoop loop, InetSocketAddress to, byte[] request, MmshResponseReader reader,
                               Owner owner, int connectTimeoutMillis, boolean autoRead) {
        MmshConnection c = new MmshConnection(loop, reader, owner, connectTimeoutMillis, autoRead);
        loop.execute(() -> c.channel.connect(to).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                if (!c.abandoned) {
                    c.abandoned = true;
                    owner.onConnectFailed(c, f.cause());
                }
                return;
            }
            c.channel.writeAndFlush(Unpooled.wrappedBuffer(request)).addListener((ChannelFutureListener) w -> {
                if (!w.isSuccess()) {
                    c.channel.close();
                }
            });
        }));
        return c;
    }

    /** Stops reading (false) or resumes (true). */
    void setReading(boolean reading) {
        channel.config().setAutoRead(reading);
    }

    /** Closes the connection; no event of it reaches the owner after this. Idempotent. */
    void abandon() {
        abandoned = true;
        channel.close();
    }

    boolean abandoned() {
        return abandoned;
    }

    private void deliver(List<MmshClientEvent> events) {
        if (abandoned) {
            events.forEach(MmshConnection::release);
            return;
        }
        if (reader.done()) {
            abandoned = true; // the response is complete: what follows is not ours
            channel.close();
        }
        owner.onEvents(this, events);
    }

    static void release(MmshClientEvent e) {
        if (e instanceof MmshClientEvent.Packet p) {
            p.packet().release();
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf in) || abandoned) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!cumulation.isReadable()) {
                cumulation.release();
                cumulation = in;
            } else {
                ByteBuf merged = ctx.alloc().buffer(cumulation.readableBytes() + in.readableBytes());
                merged.writeBytes(cumulation).writeBytes(in);
                cumulation.release();
                in.release();
                cumulation = merged;
            }
            List<MmshClientEvent> events = reader.onBytes(cumulation);
            if (!events.isEmpty()) {
                deliver(events);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cumulation.release();
            cumulation = Unpooled.EMPTY_BUFFER;
            if (!abandoned) {
                List<MmshClientEvent> events = reader.onClosed();
                abandoned = true;
                if (!events.isEmpty()) {
                    owner.onEvents(MmshConnection.this, events);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // channelInactive reports the response as cut short
        }
    }
}
