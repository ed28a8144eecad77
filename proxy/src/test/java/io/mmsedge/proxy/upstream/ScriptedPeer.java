package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.codec.MmsFrameDecoder;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A tiny scripted MMS server for cases our origin never produces (redirects, malformed replies):
 * built from the project's frame codec, it answers Connect, FunnelInfo and ConnectFunnel
 * correctly and hands OpenFile (and anything after it) to a script. Records what it received
 * and the client's address.
 */
final class ScriptedPeer implements AutoCloseable {

    final List<MmsMessage> received = new CopyOnWriteArrayList<>();
    volatile InetSocketAddress clientAddress;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;

    /** @param script gets every message after the handshake and the channel to answer on */
    ScriptedPeer(BiConsumer<MmsMessage, Channel> script) throws InterruptedException {
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clientAddress = ch.remoteAddress();
                        MmsFrameDecoder decoder = new MmsFrameDecoder();
                        decoder.setMaxDataPacketSize(8);
                        ch.pipeline().addLast(decoder, new MmsFrameEncoder(), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (!(msg instanceof MmsCommand c)) {
                                    ReferenceCountUtil.release(msg);
                                    return;
                                }
                                MmsMessage m = c.message();
                                received.add(m);
                                if (m instanceof Connect) {
                                    ctx.writeAndFlush(ReportConnectedEx.ofServer(0, "9.1.1.3862", ""));
                                } else if (m instanceof FunnelInfo) {
                                    ctx.writeAndFlush(new ReportFunnelInfo(0, 0xF0F0F0EF, 8, 1, 0x10000, 42, 0, 1, 0, 0, null));
                                } else if (m instanceof ConnectFunnel) {
                                    ctx.writeAndFlush(new ReportConnectedFunnel(0, 0, 0, "Funnel Of The Gods"));
                                } else {
                                    script.accept(m, ctx.channel());
                                }
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    <T extends MmsMessage> T first(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        listener.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
