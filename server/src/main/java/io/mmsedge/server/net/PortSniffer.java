package io.mmsedge.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a connection to a shared port speaks by its first bytes, installs that
 * protocol's handlers and steps aside (Netty's port-unification pattern; the bytes read so far
 * go on to the new handlers):
 * <ul>
 * <li>an HTTP request line (GET, POST, HEAD, OPTIONS … HTTP/1.x): MMSH, [MS-WMSP];</li>
 * <li>an RTSP request (… RTSP/1.0): an RTSP error at once and a close, so that Windows Media
 *     Player, which tries RTSP first for an mms:// URL, rolls over to HTTP on the same port
 *     without waiting for a timeout;</li>
 * <li>anything else: MMS/TCP where the port serves it (a TcpMessageHeader starts with a binary
 *     byte; its decoder rejects and logs garbage), else a close and a log line.</li>
 * </ul>
 * Bounded: at most {@code maxBytes} are buffered, and a connection that has not said enough
 * within {@code timeout} is closed.
 */
public final class PortSniffer extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(PortSniffer.class);
    private static final Set<String> HTTP_METHODS = Set.of("GET", "POST", "HEAD", "OPTIONS");
    private static final int MAX_METHOD = 16;

    private final Consumer<ChannelPipeline> mms;
    private final Consumer<ChannelPipeline> mmsh;
    private final String server;
    private final int maxBytes;
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    /**
     * @param mms  installs MMS/TCP, or null where the port serves HTTP only
     * @param mmsh installs MMSH
     */
    public PortSniffer(Consumer<ChannelPipeline> mms, Consumer<ChannelPipeline> mmsh, String server, int maxBytes,
                       Duration timeout) {
        this.mms = mms;
        this.mmsh = mmsh;
        this.server = server;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            if (!ctx.isRemoved() && ctx.channel().isActive()) {
                reject(ctx, "no request within " + timeout.toMillis() + " ms");
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Held back: the handlers installed once the protocol is known get it then.
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int n = Math.min(in.readableBytes(), maxBytes);
        if (n == 0) {
            return;
        }
        // The method: capital letters (and '_' for RTSP's GET_PARAMETER) up to a space.
        int i = 0;
        while (i < n && i <= MAX_METHOD && isMethodChar(in.getUnsignedByte(start + i))) {
            i++;
        }
        if (i == n && n < maxBytes && i <= MAX_METHOD) {
            return; // still a plausible method: wait for more
        }
        if (i == 0 || i > MAX_METHOD || in.getUnsignedByte(start + i) != ' ') {
            other(ctx, in, "not an HTTP or RTSP request");
            return;
        }
        int eol = in.indexOf(start, start + n, (byte) '\n');
        if (eol < 0) {
            if (in.readableBytes() >= maxBytes) {
                other(ctx, in, "no request line in the first " + maxBytes + " bytes");
            }
            return;
        }
        String line = in.toString(start, eol - start, StandardCharsets.ISO_8859_1).strip();
        String[] parts = line.split(" +");
        String method = parts[0];
        String version = parts.length >= 3 ? parts[parts.length - 1].toUpperCase(Locale.ROOT) : "";
        if (version.startsWith("RTSP/")) {
            refuseRtsp(ctx, in, line);
        } else if (version.startsWith("HTTP/1.") && HTTP_METHODS.contains(method)) {
            route(ctx, mmsh);
        } else {
            other(ctx, in, "request line \"" + truncate(line) + "\" is neither MMSH nor RTSP");
        }
    }

    private static boolean isMethodChar(int b) {
        return (b >= 'A' && b <= 'Z') || b == '_';
    }

    private void route(ChannelHandlerContext ctx, Consumer<ChannelPipeline> install) {
        install.accept(ctx.pipeline());
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }

    private void other(ChannelHandlerContext ctx, ByteBuf in, String reason) {
        if (mms != null) {
            route(ctx, mms);
        } else {
            in.skipBytes(in.readableBytes());
            reject(ctx, reason);
        }
    }

    /**
     * RTSP (RFC 2326): 501 Not Implemented with the request's CSeq echoed, then a close. Waits
     * for the request's headers (bounded) to find the CSeq.
     */
    private void refuseRtsp(ChannelHandlerContext ctx, ByteBuf in, String line) {
        String text = in.toString(in.readerIndex(), Math.min(in.readableBytes(), maxBytes),
                StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0 && text.indexOf("\n\n") < 0 && in.readableBytes() < maxBytes) {
            return; // the headers are still coming
        }
        String cseq = null;
        for (String h : text.split("\r?\n")) {
            int colon = h.indexOf(':');
            if (colon > 0 && h.substring(0, colon).strip().equalsIgnoreCase("CSeq")) {
                cseq = h.substring(colon + 1).strip().replaceAll("[^0-9]", "");
            }
        }
        in.skipBytes(in.readableBytes());
        log.info("peer={} request=\"{}\" RTSP is not served: 501, closing (the player can roll over to HTTP)",
                ctx.channel().remoteAddress(), truncate(line));
        String reply = "RTSP/1.0 501 Not Implemented\r\n" + (cseq == null || cseq.isEmpty() ? "" : "CSeq: " + cseq
                + "\r\n") + "Server: " + server + "\r\nContent-Length: 0\r\n\r\n";
        ctx.writeAndFlush(Unpooled.copiedBuffer(reply, StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        log.warn("peer={} message=first-bytes reason=\"{}\": closing connection", ctx.channel().remoteAddress(),
                reason);
        ctx.close();
    }

    /**
     * A connection reset before its first bytes chose a protocol (a port scan, a burst of
     * connects and resets, issue #17) is routine: a debug line, not a stack trace at the
     * pipeline's tail for each of them.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            org.slf4j.LoggerFactory.getLogger(PortSniffer.class).debug("peer={} reset before choosing a protocol: {}",
                    ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private static String truncate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
