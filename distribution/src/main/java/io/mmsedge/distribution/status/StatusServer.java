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
import io.mmsedge.server.net.Transports;
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
 * The operator's HTTP endpoint. Open to anyone who can reach it: {@code GET /metrics} (Prometheus
 * text format), {@code GET /status} (JSON), {@code GET /health/live} and {@code GET /health/ready}
 * (200, or 503 while draining). Further routes (cache, admin) register by path and are protected:
 * {@link AdminAccess} lets only the holders of the admin token use them, and refuses cross-site
 * requests on every route. Requests are bounded: one at a time per connection, a request line,
 * headers and body of limited size, a connection idle for {@link #IDLE_SECONDS} is closed.
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

    /**
     * A route whose work must not run on the listener's event loop (a reload binds listeners and
     * waits for event loops): it answers when the stage completes, off the loop's thread.
     */
    @FunctionalInterface
    public interface LaterRoute {
        java.util.concurrent.CompletionStage<Response> handle(String method, Map<String, java.util.List<String>> query);
    }

    /** A status connection that sends nothing for this long is closed. */
    static final int IDLE_SECONDS = 30;
    /** The default bound of a request's body ({@code status.maxRequestBytes}). */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 8192;
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Map<String, Route> routes = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<String, LaterRoute> later = new java.util.concurrent.ConcurrentHashMap<>();
    private final EventLoopGroup group;
    private final AdminAccess access;
    private final int maxRequestBytes;
    private Channel channel;

    /**
     * @param ready           whether this instance takes new players (false while draining)
     * @param access          who may use the protected routes
     * @param maxRequestBytes the largest request body accepted (413 above)
     */
    public StatusServer(EventLoopGroup group, Supplier<String> prometheus, Supplier<String> statusJson,
                        java.util.function.BooleanSupplier ready, AdminAccess access, int maxRequestBytes) {
        this.group = group;
        this.access = access;
        this.maxRequestBytes = maxRequestBytes;
        openRoute("/metrics", (m, q) -> new Response(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.get()));
        openRoute("/status", (m, q) -> Response.json(statusJson.get()));
        openRoute("/health/live", (m, q) -> new Response(200, TEXT, "live\n"));
        openRoute("/health/ready", (m, q) -> ready.getAsBoolean() ? new Response(200, TEXT, "ready\n")
                : new Response(503, TEXT, "not ready: draining\n"));
    }

    /** Adds a protected route: only requests with the admin token reach it. */
    public void route(String path, Route route) {
        routes.put(path, route);
        open.remove(path);
    }

    /** Adds a protected route that answers later ({@link LaterRoute}). */
    public void routeLater(String path, LaterRoute route) {
        later.put(path, route);
        route(path, (m, q) -> {
            throw new IllegalStateException("answered later");
        });
    }

    /** Adds a route anyone who reaches the listener may use (read-only, nothing secret). */
    public void openRoute(String path, Route route) {
        routes.put(path, route);
        open.add(path);
    }

    public StatusServer start(InetSocketAddress address) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(Transports.serverChannel(group))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new io.netty.handler.timeout.ReadTimeoutHandler(IDLE_SECONDS),
                                new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(maxRequestBytes),
                                new Handler());
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
            AdminAccess.Refusal refusal = access.check(req, !open.contains(qs.path()));
            Response r;
            if (!req.decoderResult().isSuccess()) {
                r = new Response(400, TEXT, "bad request\n");
            } else if (refusal != null) {
                // Logged: an operator must see who tried the admin endpoints without leave.
                log.warn("peer={} method={} path={} status={} reason=\"{}\": admin request refused",
                        ctx.channel().remoteAddress(), printable(req.method().name()), printable(qs.path()),
                        refusal.status(), printable(refusal.reason()));
                r = new Response(refusal.status(), TEXT, refusal.reason() + "\n");
            } else if (route == null) {
                r = new Response(404, TEXT, "not found: " + qs.path() + "\n");
            } else if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.POST)) {
                r = new Response(405, TEXT, "method not allowed\n");
            } else if (later.containsKey(qs.path())) {
                boolean keepAlive = HttpUtil.isKeepAlive(req);
                later.get(qs.path()).handle(req.method().name(), qs.parameters()).whenComplete((done, e) ->
                        ctx.executor().execute(() -> respond(ctx, keepAlive, done != null ? done
                                : new Response(500, TEXT, "internal error: " + e + "\n"))));
                return;
            } else {
                try {
                    r = route.handle(req.method().name(), qs.parameters());
                } catch (RuntimeException e) {
                    log.warn("status route {} failed", qs.path(), e);
                    r = new Response(500, TEXT, "internal error: " + e.getMessage() + "\n");
                }
            }
            respond(ctx, HttpUtil.isKeepAlive(req), r);
        }

        private void respond(ChannelHandlerContext ctx, boolean keepAlive, Response r) {
            ByteBuf body = Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(r.status()), body);
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            if (r.status() == 401) {
                resp.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"mms-edge admin\"");
            }
            HttpUtil.setContentLength(resp, body.readableBytes());
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

    /** Text from the network made safe for one log line: control characters become '?'. */
    static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
