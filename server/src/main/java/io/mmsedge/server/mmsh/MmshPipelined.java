package io.mmsedge.server.mmsh;

import io.mmsedge.protocol.mmsh.LogStats;
import io.mmsedge.protocol.mmsh.MmshRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests of pipelined mode ([MS-WMSP] §3.2.5.1) on one connection: those that arrive while a
 * chunked Play response is streaming act on its session at once (Stop, SelectStream, LogStats,
 * KeepAlive, PlayNextEntry) and are answered in order once that response has ended, as HTTP/1.1
 * pipelining requires ("the response to the POST request is not returned until the previous
 * GET request is terminated by the server", §4.5.2); those that arrive while the session waits
 * at a stream change are answered at once, and PlayNextEntry (§2.2.2.7) starts the next entry.
 * Runs on the connection's event loop.
 */
final class MmshPipelined {

    private static final Logger log = LoggerFactory.getLogger(MmshPipelined.class);

    /** Answers waiting behind a streaming response; a player pipelines a few at most. */
    static final int MAX_DEFERRED = 16;

    private final MmshHandler conn;
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();
    /** A PlayNextEntry that arrived before its stream change: it runs when the response ends. */
    private MmshRequest pendingNext;
    private MmshReplies pendingNextReplies;

    private record Deferred(FullHttpResponse response, boolean keep) {
    }

    MmshPipelined(MmshHandler conn) {
        this.conn = conn;
    }

    /** A request while {@code s}'s chunked response streams: acts now, answers later. */
    void whileStreaming(MmshSession s, MmshRequest r, FullHttpRequest req, MmshReplies replies) {
        if (deferred.size() >= MAX_DEFERRED) {
            log.warn("peer={} request=\"{} {}\" reason=\"more than {} pipelined requests waiting\": closing",
                    conn.peer(), r.method(), r.kind(), MAX_DEFERRED);
            conn.closeConnection();
            return;
        }
        long id = s.clientId();
        switch (r.kind()) {
            case STOP -> {
                defer(replies.ok(id), replies.keepAlive());
                s.stopByPlayer(); // $E, end of the response; the Stop's answer follows it
            }
            case SELECT_STREAM -> {
                s.selectStreams(r.pragmas().streamSwitchEntries());
                defer(replies.ok(id), replies.keepAlive());
            }
            case LOG_STATS -> {
                s.clientLog(LogStats.parse(req.content().toString(StandardCharsets.UTF_8)));
                defer(replies.ok(id), replies.keepAlive());
            }
            case KEEP_ALIVE -> defer(replies.ok(id), replies.keepAlive());
            case PLAY_NEXT_ENTRY -> {
                if (pendingNext != null) {
                    defer(replies.error(HttpResponseStatus.BAD_REQUEST, "PlayNextEntry already pending", true),
                            replies.keepAlive());
                } else {
                    pendingNext = r;
                    pendingNextReplies = replies;
                }
            }
            default -> {
                // §3.2.5.6: a Play for a session that is streaming SHOULD fail (a hijack attempt).
                log.info("peer={} {} {} while a pipelined response streams: 400", conn.peer(), r.method(), r.kind());
                defer(replies.error(HttpResponseStatus.BAD_REQUEST, "session is streaming", true),
                        replies.keepAlive());
            }
        }
    }

    /**
     * A request while {@code s} waits at a stream change (no response open). True if handled;
     * false when it is a new request of its own (the waiting session is then dropped).
     */
    boolean betweenEntries(MmshSession s, MmshRequest r, FullHttpRequest req, MmshReplies replies) {
        switch (r.kind()) {
            case PLAY_NEXT_ENTRY -> {
                if (!s.playNextEntry(r.pragmas(), replies)) {
                    conn.send(replies.error(HttpResponseStatus.BAD_REQUEST, "no playlist entry waiting", true),
                            replies.keepAlive());
                }
                return true;
            }
            case STOP -> {
                s.stopByPlayer();
                conn.send(replies.ok(s.clientId()), replies.keepAlive());
                return true;
            }
            case SELECT_STREAM -> {
                s.selectStreams(r.pragmas().streamSwitchEntries());
                conn.send(replies.ok(s.clientId()), replies.keepAlive());
                return true;
            }
            case LOG_STATS -> {
                s.clientLog(LogStats.parse(req.content().toString(StandardCharsets.UTF_8)));
                conn.send(replies.ok(s.clientId()), replies.keepAlive());
                return true;
            }
            case KEEP_ALIVE -> {
                conn.send(replies.ok(s.clientId()), replies.keepAlive());
                return true;
            }
            default -> {
                conn.drop(s); // the player moved on to another request
                return false;
            }
        }
    }

    /** Once the streaming response has ended: the deferred answers, then a pending PlayNextEntry. */
    void flushDeferred(MmshSession waiting) {
        while (!deferred.isEmpty()) {
            Deferred d = deferred.poll();
            conn.send(d.response(), d.keep());
            if (!d.keep()) {
                discard(); // the connection closes after this answer
                return;
            }
        }
        if (pendingNext != null) {
            MmshRequest next = pendingNext;
            MmshReplies replies = pendingNextReplies;
            pendingNext = null;
            pendingNextReplies = null;
            if (waiting == null || !waiting.playNextEntry(next.pragmas(), replies)) {
                conn.send(replies.error(HttpResponseStatus.BAD_REQUEST, "no playlist entry waiting", true),
                        replies.keepAlive());
            }
        }
    }

    private void defer(FullHttpResponse response, boolean keep) {
        deferred.add(new Deferred(response, keep));
    }

    /** Releases what was never sent (the connection closed). */
    void discard() {
        while (!deferred.isEmpty()) {
            deferred.poll().response().release();
        }
        pendingNext = null;
    }
}
