package io.mmsedge.server.mmsh;

import io.mmsedge.protocol.mmsh.LogStats;
import io.mmsedge.protocol.mmsh.MmshBadRequest;
import io.mmsedge.protocol.mmsh.MmshRequest;
import io.mmsedge.protocol.mmsh.MmshResponses;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.net.PlayerChannelHandler;
import io.mmsedge.server.net.WriteWindows;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MMSH front end of one HTTP connection ([MS-WMSP] §3.2): decoded requests in, responses
 * and framed packets out. Describe and Play requests get an {@link MmshSession}; Stop,
 * SelectStream, KeepAlive and LogStats find theirs by client-id. Non-pipelined mode: a Play
 * response's body runs until the connection closes; requests arriving on a connection that is
 * streaming act on its session without a response of their own. Pipelined mode (§3.2.5.1, a
 * Play with version11-enabled=1 on a kept-alive HTTP/1.1 connection): the Play response is
 * chunked and ends after its {@code $E}; requests on the streaming connection act at once and
 * are answered in order after it ({@link MmshPipelined}).
 */
public final class MmshHandler extends PlayerChannelHandler {

    private static final Logger log = LoggerFactory.getLogger(MmshHandler.class);
    private static final Logger accessLog = LoggerFactory.getLogger("io.mmsedge.access");

    private final ServerSettings settings;
    private final MediaCatalog catalog;
    private final ServerMetrics metrics;
    private final MmshSessions registry;
    private final IntSupplier mmsPort;
    private final String server;
    private MmshSession current;
    /** A response body is being written for {@link #current}: requests now are pipelined. */
    private boolean bodyOpen;
    /** Where response bodies go: through the codec, chunked, or streamed past it. */
    private MmshBody body;
    private final MmshPipelined pipelined = new MmshPipelined(this);
    private final java.time.Duration requestTimeout;
    private java.util.concurrent.ScheduledFuture<?> idle;
    /** A whole request has arrived on this connection. */
    private boolean servedOne;

    MmshHandler(ServerSettings settings, MediaCatalog catalog, ServerMetrics metrics, MmshSessions registry,
                WriteWindows windows, IntSupplier mmsPort, java.time.Duration requestTimeout) {
        super(windows);
        this.settings = settings;
        this.catalog = catalog;
        this.metrics = metrics;
        this.registry = registry;
        this.mmsPort = mmsPort;
        this.requestTimeout = requestTimeout;
        this.server = MmshResponses.serverHeader(settings.serverVersionInfo());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        body = new MmshBody(ctx);
        armIdle();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            onRequest(req);
        } finally {
            req.release();
        }
    }

    private void onRequest(FullHttpRequest req) {
        cancelIdle();
        servedOne = true;
        MmshReplies replies = new MmshReplies(req.protocolVersion().equals(HttpVersion.HTTP_1_0)
                ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1, server, HttpUtil.isKeepAlive(req));
        if (req.decoderResult().isFailure()) {
            badRequest(req, replies, String.valueOf(req.decoderResult().cause().getMessage()));
            return;
        }
        MmshRequest r;
        try {
            r = MmshRequest.of(req.method().name(), req.uri(), req.headers().getAll("Pragma"),
                    req.headers().get(HttpHeaderNames.USER_AGENT), req.headers().get(HttpHeaderNames.CONTENT_TYPE));
        } catch (MmshBadRequest e) {
            badRequest(req, replies, e.getMessage());
            return;
        }
        accessLog.info("peer={} path={} event=request proto=mmsh kind={} client-id={} ua=\"{}\"", peer(), r.path(),
                r.kind(), r.pragmas().clientId(), r.userAgent());
        if (current != null && bodyOpen) {
            if (body.chunked()) {
                pipelined.whileStreaming(current, r, req, replies);
            } else {
                onWhileStreaming(r, req);
            }
            return;
        }
        if (current != null && pipelined.betweenEntries(current, r, req, replies)) {
            return;
        }
        switch (r.kind()) {
            case DESCRIBE, PLAY -> {
                if (r.path().toLowerCase(Locale.ROOT).endsWith(".asx") && !r.method().equals("POST")) {
                    send(replies.asx(r.path(), AsxLinks.urls(req.headers().get(HttpHeaderNames.HOST, ""),
                            (InetSocketAddress) ctx.channel().localAddress(), mmsPort.getAsInt(),
                            r.path().substring(0, r.path().length() - 4))),
                            replies.keepAlive());
                    return;
                }
                boolean pipelinedPlay = r.kind() == MmshRequest.Kind.PLAY && r.pragmas().version11Enabled()
                        && replies.pipelining() && r.method().equals("GET");
                current = new MmshSession(this, settings, catalog, metrics, registry, r, replies, pipelinedPlay);
                current.start(req.headers().get(HttpHeaderNames.HOST), basicCredentials(req),
                        ProxiedNames.suffix(req.uri(), req.headers().get(HttpHeaderNames.VIA)));
            }
            case STOP -> {
                MmshSession s = registry.get(r.pragmas().clientId());
                if (s != null) {
                    s.connection().execute(s::stopByPlayer);
                }
                send(replies.ok(r.pragmas().clientId()), replies.keepAlive());
            }
            case SELECT_STREAM -> {
                MmshSession s = registry.get(r.pragmas().clientId());
                if (s != null) {
                    s.connection().execute(() -> s.selectStreams(r.pragmas().streamSwitchEntries()));
                }
                send(replies.ok(r.pragmas().clientId()), replies.keepAlive());
            }
            case LOG_STATS -> {
                onLogStats(r, req.content().toString(StandardCharsets.UTF_8));
                send(replies.ok(r.pragmas().clientId()), replies.keepAlive());
            }
            case KEEP_ALIVE -> send(replies.ok(r.pragmas().clientId()), replies.keepAlive());
            case PIPELINE -> send(replies.pipeline(r.pragmas().clientId()), replies.keepAlive());
            case PLAY_NEXT_ENTRY -> {
                // §2.2.2.7: only for a session of this connection waiting at a stream change.
                log.info("peer={} path={} PlayNextEntry without a playlist waiting on this connection", peer(),
                        r.path());
                send(replies.error(HttpResponseStatus.BAD_REQUEST, "no playlist entry waiting", true),
                        replies.keepAlive());
            }
            default -> throw new IllegalStateException(r.kind().toString());
        }
    }

    /** A request on a connection whose Play response is still streaming (no response of its own). */
    private void onWhileStreaming(MmshRequest r, FullHttpRequest req) {
        switch (r.kind()) {
            case STOP -> current.stopByPlayer();
            case SELECT_STREAM -> current.selectStreams(r.pragmas().streamSwitchEntries());
            case LOG_STATS -> current.clientLog(LogStats.parse(req.content().toString(StandardCharsets.UTF_8)));
            default -> log.info("peer={} {} {} while streaming in non-pipelined mode: ignored", peer(),
                    r.method(), r.kind());
        }
    }

    /** §2.2.2.4: recorded by the player's session, or on its own if the session is gone. */
    private void onLogStats(MmshRequest r, String body) {
        io.mmsedge.protocol.mms.ClientLog clientLog = LogStats.parse(body);
        MmshSession s = registry.get(r.pragmas().clientId());
        if (s != null) {
            s.connection().execute(() -> s.clientLog(clientLog));
        } else {
            accessLog.info("peer={} path={} event=client-log {}", peer(), r.path(), clientLog.toLogString());
            io.mmsedge.server.accesslog.SessionAccess.clientLogAlone(peer(), localAddress(), r.path(), clientLog);
        }
    }

    private void badRequest(FullHttpRequest req, MmshReplies replies, String reason) {
        log.warn("peer={} request=\"{} {}\" reason=\"{}\": 400 Bad Request", peer(), req.method(),
                truncate(req.uri()), reason);
        metrics.error("mmsh_bad_request");
        send(replies.error(HttpResponseStatus.BAD_REQUEST, "bad request", false), false);
    }

    /** Basic credentials as the catalogs take them (RFC 2617, "Basic " then Base64); else null. */
    private static String basicCredentials(FullHttpRequest req) {
        String a = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return a != null && a.regionMatches(true, 0, "Basic ", 0, 6) ? a.strip() : null;
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    // ------------------------------------------------------------------ for MmshSession

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    MmshBody body() {
        return body;
    }

    /** A window's flush writes the streamed body's batch, and anything else that waits. */
    @Override
    public void flush() {
        body.flush();
    }

    /** The head of a chunked (pipelined mode) Play or PlayNextEntry response; the codec stays. */
    void respondChunked(HttpResponse head) {
        body.writeHeld();
        ctx.write(head);
        bodyOpen = true;
        body.chunked(true);
    }

    void respond(HttpResponse head) {
        body.writeHeld();
        ctx.write(head);
        bodyOpen = true;
    }

    /**
     * The head of a streamed Play response: written, and then the HTTP encoder steps out of the
     * way. The body runs to the close and no other response follows on this connection, so two
     * buffers per packet need not pass through it (the decoder stays for a Stop on this connection).
     */
    void respondStreaming(HttpResponse head) {
        ctx.write(head);
        bodyOpen = true;
        HttpServerCodec codec = ctx.pipeline().get(HttpServerCodec.class);
        if (codec != null) {
            codec.removeOutboundHandler();
            body.streamFrom(packetContext());
        }
    }

    /** Ends {@code s} with a complete response of its own (a refusal). */
    void respondAndFinish(FullHttpResponse response, MmshSession s) {
        release(s);
        send(response, HttpUtil.isKeepAlive(response));
    }

    /**
     * Ends {@code s}: a length-delimited body (Describe) ends the response and the connection
     * stays if both sides keep it; a streamed body (Play) ends with the connection.
     */
    void finish(MmshSession s, boolean lengthDelimited) {
        if (current != s) {
            return;
        }
        body.writeHeld();
        if (body.chunked() || !bodyOpen && !lengthDelimited) {
            // Pipelined mode (or a session waiting between entries): the response ends, the connection stays.
            endChunked(s, false);
            return;
        }
        release(s);
        if (lengthDelimited) {
            ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (s.keepAlive()) {
                armIdle();
            } else {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        } else {
            // Closing only once the last packet is written: a close drops what is still queued.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Ends a chunked body (if one is open) with its last chunk; the session stays when
     * {@code keepSession} (a stream change waiting for PlayNextEntry). Then the answers to the
     * requests pipelined behind it go out, in order.
     */
    void endChunked(MmshSession s, boolean keepSession) {
        body.writeHeld();
        if (bodyOpen) {
            ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        bodyOpen = false;
        body.chunked(false);
        if (!keepSession) {
            release(s);
        }
        ctx.flush();
        pipelined.flushDeferred(current);
        armIdle();
    }

    private void release(MmshSession s) {
        s.close();
        if (current == s) {
            current = null;
            bodyOpen = false;
            body.chunked(false);
        }
    }

    /** Ends {@code s} (Stop between entries, or a new request replacing it). */
    void drop(MmshSession s) {
        release(s);
    }

    /** A response on its own, in order (nothing is being streamed now). */
    void send(FullHttpResponse response, boolean keep) {
        body.writeHeld();
        if (keep && !response.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
            ctx.writeAndFlush(response);
            armIdle();
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * A connection must send its first whole request within {@code requestTimeout} (a player
     * sends it at once; a client trickling header bytes holds no connection for long), and a
     * kept-alive one its next request within the idle timeout.
     */
    private void armIdle() {
        cancelIdle();
        boolean first = !servedOne;
        long ms = first ? requestTimeout.toMillis() : settings.idleTimeout().toMillis();
        idle = ctx.executor().schedule(() -> {
            if ((current == null || !bodyOpen) && ctx.channel().isActive()) {
                if (current != null) {
                    log.info("peer={} path={} no PlayNextEntry within {} ms: closing", peer(),
                            current.play().requestedPath(), ms);
                    release(current);
                }
                if (first) {
                    log.warn("peer={} message=HTTP reason=\"no whole request within {} ms\": closing connection",
                            peer(), ms);
                    metrics.error("mmsh_request_timeout");
                } else {
                    log.debug("peer={} idle MMSH connection closed", peer());
                }
                ctx.close();
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    private void cancelIdle() {
        if (idle != null) {
            idle.cancel(false);
            idle = null;
        }
    }

    @Override
    protected void endForShutdown() {
        if (current != null) {
            current.endForShutdown();
        } else {
            ctx.close();
        }
    }

    // ------------------------------------------------------------------ connection events

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && current != null) {
            current.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Closes the connection at once (a misbehaving pipelining client). */
    void closeConnection() {
        metrics.error("mmsh_bad_request");
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdle();
        pipelined.discard();
        body.discard();
        if (current != null) {
            accessLog.info("peer={} path={} event=disconnect proto=mmsh packets={} bytes={}", peer(),
                    current.play().requestedPath(), current.play().packetsSent(), current.play().bytesSent());
            release(current);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logPipelineError(cause);
        if (current != null) {
            release(current);
        }
        ctx.close();
    }
}
