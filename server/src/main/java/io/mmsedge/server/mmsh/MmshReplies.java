package io.mmsedge.server.mmsh;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mmsh.MmshResponses;
import io.mmsedge.server.media.OpenResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The HTTP responses of the MMSH front end ([MS-WMSP] §2.2.2), headers from {@link MmshResponses}. */
final class MmshReplies {

    private final HttpVersion version;
    private final String server;
    private final boolean keepAlive;

    /**
     * @param keepAlive the connection stays open after a response with a length (HTTP/1.1
     *                  without "Connection: close"); streamed Play responses always close it
     */
    MmshReplies(HttpVersion version, String server, boolean keepAlive) {
        this.version = version;
        this.server = server;
        this.keepAlive = keepAlive;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    /** The connection can carry pipelined mode (§3.2.5.1): HTTP/1.1, kept alive. */
    boolean pipelining() {
        return keepAlive && version.equals(HttpVersion.HTTP_1_1);
    }

    /**
     * The head of a Describe ({@code length} = the framed header's size) or Play response
     * ({@code length} -1: the body runs until the connection closes, §2.2.2.6 non-pipelined).
     */
    HttpResponse content(long clientId, ContentInfo info, boolean play, int length) {
        HttpResponse r = new DefaultHttpResponse(version, HttpResponseStatus.OK);
        add(r.headers(), MmshResponses.contentHeaders(server, clientId, info, play));
        if (length >= 0) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        connection(r.headers(), length >= 0 && keepAlive);
        return r;
    }

    /**
     * The bytes the HTTP encoder writes for {@code head}: status line, header lines, blank line
     * (what a $P packet's Reason counts, [MS-WMSP] §2.2.3.7).
     */
    static int headBytes(HttpResponse head) {
        int n = head.protocolVersion().text().length() + 1 + head.status().codeAsText().length() + 1
                + head.status().reasonPhrase().length() + 2;
        for (Map.Entry<String, String> e : head.headers()) {
            n += e.getKey().length() + 2 + e.getValue().length() + 2;
        }
        return n + 2;
    }

    /** An empty 200 (KeepAlive, Stop, SelectStream, LogStats). */
    FullHttpResponse ok(long clientId) {
        FullHttpResponse r = new DefaultFullHttpResponse(version, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        add(r.headers(), MmshResponses.plainHeaders(server, clientId));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        connection(r.headers(), keepAlive);
        return r;
    }

    /**
     * The head of a Play or PlayNextEntry response in pipelined mode (§2.2.2.6, §2.2.2.7):
     * HTTP/1.1 and chunked, so that the response ends after its {@code $E} and the connection
     * carries the player's next requests.
     */
    HttpResponse chunkedPlay(long clientId, ContentInfo info) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        add(r.headers(), MmshResponses.contentHeaders(server, clientId, info, true));
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        return r;
    }

    /**
     * The answer to a Pipeline request (§2.2.2.5): HTTP/1.1 and chunked, as the spec asks of
     * it, empty; pipelined mode is offered when the connection is HTTP/1.1 and kept alive.
     */
    FullHttpResponse pipeline(long clientId) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        add(r.headers(), MmshResponses.pipelineHeaders(server, clientId, pipelining()));
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        connection(r.headers(), keepAlive);
        return r;
    }

    /** An error with a one-line text body; closes the connection unless {@code keep}. */
    FullHttpResponse error(HttpResponseStatus status, String text, boolean keep) {
        ByteBuf body = Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(version, status, body);
        r.headers().set(HttpHeaderNames.SERVER, server);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        connection(r.headers(), keep && keepAlive);
        return r;
    }

    /**
     * The answer to an open that did not succeed: 401 with the realm for Basic authentication,
     * 302 for a redirect, and for a failure the status its HRESULT means.
     */
    FullHttpResponse refusal(OpenResult result) {
        if (result instanceof OpenResult.AuthenticationRequired a) {
            FullHttpResponse r = error(HttpResponseStatus.UNAUTHORIZED, "authorization required", true);
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + a.realm().replace("\"", "") + "\"");
            return r;
        }
        if (result instanceof OpenResult.Redirect rd) {
            if (rd.location() == null || rd.location().isEmpty()) {
                // A "connect directly" proxy redirect has no place to send an HTTP player.
                return error(HttpResponseStatus.SERVICE_UNAVAILABLE, "redirected: " + rd.reason(), false);
            }
            FullHttpResponse r = error(HttpResponseStatus.FOUND, "moved", false);
            r.headers().set(HttpHeaderNames.LOCATION, rd.location());
            return r;
        }
        OpenResult.Failed f = (OpenResult.Failed) result;
        return error(status(f.hr()), "open failed: " + Hresults.hex(f.hr()), true);
    }

    static HttpResponseStatus status(int hr) {
        return switch (hr) {
            case Hresults.E_FILE_NOT_FOUND, Hresults.E_PATH_NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case Hresults.E_ACCESS_DENIED -> HttpResponseStatus.FORBIDDEN;
            // WMS answers an HTTP player at a limit with 503 (Server Too Busy).
            case Hresults.NS_E_SERVER_UNAVAILABLE, Hresults.NS_E_TOO_MANY_SESS, Hresults.NS_E_MAX_CLIENTS,
                    Hresults.NS_E_MAX_BITRATE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case Hresults.NS_E_CANNOTCONNECT, Hresults.NS_E_NOCONNECTION -> HttpResponseStatus.BAD_GATEWAY;
            default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }

    /** An ASX metafile (video/x-ms-asf) offering the content over MMSH, then MMS/TCP. */
    FullHttpResponse asx(String title, List<String> urls) {
        ByteBuf body = Unpooled.copiedBuffer(MmshResponses.asx(title, urls), StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(version, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.SERVER, server);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, MmshResponses.CONTENT_TYPE_ASX);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        connection(r.headers(), keepAlive);
        return r;
    }

    private static void add(HttpHeaders h, List<Map.Entry<String, String>> entries) {
        for (Map.Entry<String, String> e : entries) {
            h.add(e.getKey(), e.getValue());
        }
    }

    private void connection(HttpHeaders h, boolean keep) {
        if (!keep) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version.equals(HttpVersion.HTTP_1_0)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
