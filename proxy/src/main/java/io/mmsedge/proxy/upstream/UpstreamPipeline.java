package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.codec.MmsDecodeFailure;
import io.mmsedge.protocol.mms.codec.MmsFrameDecoder;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.mmsedge.server.net.Transports;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Netty channel of an {@link UpstreamSession}: framing, the stream's idle bound, and the inbound events. */
final class UpstreamPipeline {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);

    private UpstreamPipeline() {
    }

    static Bootstrap bootstrap(EventLoopGroup group, UpstreamRequest request, UpstreamSession session) {
        MmsFrameDecoder decoder = new MmsFrameDecoder(MmsFrameDecoder.DEFAULT_MAX_COMMAND_SIZE);
        decoder.setMaxDataPacketSize(Math.min(DataPacket.MAX_PACKET_SIZE, request.maxPacketSize() + DataPacket.HEADER_SIZE));
        return new Bootstrap()
                .group(group)
                .channel(Transports.socketChannel(group))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) request.connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(UpstreamRequests.streamIdleMillis(request), 0, 0,
                                        TimeUnit.MILLISECONDS))
                                .addLast("frame-decoder", decoder)
                                .addLast("frame-encoder", new MmsFrameEncoder())
                                .addLast("upstream", new Handler(session));
                    }
                });
    }

    /** Connects {@code channel} (registered) to {@code to}, on its loop, and tells {@code session} the outcome. */
    static void connect(Channel channel, InetSocketAddress to, UpstreamSession session) {
        channel.eventLoop().execute(() -> channel.connect(to).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                session.onConnected((InetSocketAddress) channel.localAddress());
            } else {
                session.fail(Hresults.NS_E_NOCONNECTION, "cannot connect to " + session.peer() + ": " + f.cause());
            }
        }));
    }

    /** Writes {@code goodbye} (if the connection still stands) and closes the channel once it went out. */
    static void writeAndClose(Channel channel, List<MmsMessage> goodbye) {
        if (!channel.isActive() || goodbye.isEmpty()) {
            channel.close();
            return;
        }
        for (int i = 0; i < goodbye.size() - 1; i++) {
            channel.write(goodbye.get(i));
        }
        channel.writeAndFlush(goodbye.get(goodbye.size() - 1)).addListener(ChannelFutureListener.CLOSE);
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {

        private final UpstreamSession session;

        Handler(UpstreamSession session) {
            this.session = session;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (session.protocol().closed()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (msg instanceof DataPacket p) {
                    session.onData(p);
                } else if (msg instanceof MmsCommand c) {
                    session.onCommand(c.message());
                } else if (msg instanceof MmsDecodeFailure f) {
                    session.fail(Hresults.NS_E_PROTOCOL_MISMATCH, "malformed reply: " + f.describe());
                } else {
                    ReferenceCountUtil.release(msg);
                }
            } catch (RuntimeException e) {
                log.error("upstream {}: internal error", session.peer(), e);
                session.fail(Hresults.E_FAIL, "internal error: " + e);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!session.protocol().closed()) {
                session.fail(Hresults.NS_E_NOCONNECTION, "connection closed by " + session.peer() + " in state "
                        + session.protocol().state());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            session.fail(Hresults.NS_E_NOCONNECTION, "connection to " + session.peer() + " failed: " + cause);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            boolean idle = evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE;
            if (!idle || !session.onReadIdle()) {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }
}
