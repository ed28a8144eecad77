package io.mmsedge.distribution.status;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP endpoint: {@code GET /metrics} (Prometheus text format) and
 * {@code GET /status} (JSON). Further routes (cache listing, prestuff) register by path.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);

    /** A route's answer. */
    public record Response(int status, String contentType, String body) {
        public static Response json(String body) {
            return new Response(200, "application/json; charset=utf-8", body);
        }
    }

    /** A route: gets the method and query parameters. */
    @FunctionalInterface
    public interface Route {
        Response handle(String method, Map<String, java.util.List<String>> query);
    }

    private final Map<String, Route> routes = new java.util.concurrent.ConcurrentHashMap<>();
    private final EventLoopGroup group;
    private Channel channel;

    public StatusServer(EventLoopGroup group, Supplier<String> prometheus, Supplier<String> statusJson) {
        this.group = group;
        routes.put("/metrics", (m, q) -> new Response(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.get()));
        routes.put("/status", (m, q) -> Response.json(statusJson.get()));
    }

    public void route(String path, Route route) {
        routes.put(path, route);
    }

    public StatusServer start(InetSocketAddress address) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Handler());
                    }
                }).bind(address).sync().channel();
        log.info("status and metrics on http://{}/status and /metrics", localAddressText());
        return this;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    private String localAddressText() {
        InetSocketAddress a = localAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder qs = new QueryStringDecoder(req.uri());
            Route route = routes.get(qs.path());
            Response r;
            if (route == null) {
                r = new Response(404, "text/plain; charset=utf-8", "not found: " + qs.path() + "\n");
            } else if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.POST)) {
                r = new Response(405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                try {
                    r = route.handle(req.method().name(), qs.parameters());
                } catch (RuntimeException e) {
                    log.warn("status route {} failed", qs.path(), e);
                    r = new Response(500, "text/plain; charset=utf-8", "internal error: " + e.getMessage() + "\n");
                }
            }
            ByteBuf body = Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(r.status()), body);
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            HttpUtil.setContentLength(resp, body.readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(resp, keepAlive);
            var f = ctx.writeAndFlush(resp);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
