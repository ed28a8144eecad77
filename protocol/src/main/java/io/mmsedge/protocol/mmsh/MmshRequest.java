package io.mmsedge.protocol.mmsh;

import java.util.List;
import java.util.Locale;

/**
 * One MMSH request ([MS-WMSP] §2.2.2), classified by its method and Pragma tokens.
 *
 * @param kind        what the player asks for
 * @param method      the HTTP method, upper case
 * @param path        the content path: the request URI's path without the leading '/' and the query
 * @param pragmas     the parsed Pragma tokens
 * @param userAgent   User-Agent (§2.2.1.8), "-" if absent
 * @param contentType the request's Content-Type, "" if absent (POST bodies, §2.2.1.2)
 */
public record MmshRequest(Kind kind, String method, String path, Pragmas pragmas, String userAgent,
                          String contentType) {

    /** The request types of §2.2.2. */
    public enum Kind {
        /** §2.2.2.1: header only. */
        DESCRIBE,
        /** §2.2.2.5: may pipelined mode be used? (pipeline-request=1) */
        PIPELINE,
        /** §2.2.2.6: xPlayStrm=1, header then data. */
        PLAY,
        /** §2.2.2.7: skip to the next server-side playlist entry. */
        PLAY_NEXT_ENTRY,
        /** §2.2.2.8: stream-switch-entry without xPlayStrm. */
        SELECT_STREAM,
        /** §2.2.2.9: xStopStrm. */
        STOP,
        /** §2.2.2.3: keeps a paused session alive. */
        KEEP_ALIVE,
        /** §2.2.2.4: the player's log, POSTed. */
        LOG_STATS
    }

    public static MmshRequest of(String method, String uri, List<String> pragmaValues, String userAgent,
                                 String contentType) {
        String m = method.toUpperCase(Locale.ROOT);
        Pragmas p = PragmaParser.parse(pragmaValues);
        String ct = contentType == null ? "" : contentType.strip();
        return new MmshRequest(classify(m, p, ct), m, path(uri), p, userAgent == null || userAgent.isBlank() ? "-"
                : userAgent.strip(), ct);
    }

    /**
     * The conditions of §2.2.2: stop and keep-alive tokens first (they travel on requests that
     * may carry others), then the play tokens, then pipeline-request; a GET with none of them is
     * a Describe. POST bodies are typed by Content-Type (§2.2.1.2).
     */
    static Kind classify(String method, Pragmas p, String contentType) {
        String ct = contentType.toLowerCase(Locale.ROOT);
        if (method.equals("POST") && (ct.contains("x-wms-logstats") || ct.contains("x-wms-sendevent"))) {
            return Kind.LOG_STATS;
        }
        if (p.stopStrm()) {
            return Kind.STOP;
        }
        if (p.keepAliveInPause() || method.equals("OPTIONS")) {
            return Kind.KEEP_ALIVE;
        }
        if (p.playNextEntry()) {
            return Kind.PLAY_NEXT_ENTRY;
        }
        if (p.playStrm()) {
            return Kind.PLAY;
        }
        if (p.hasStreamSwitch()) {
            return Kind.SELECT_STREAM;
        }
        if (p.pipelineRequest() && !method.equals("POST")) {
            return Kind.PIPELINE;
        }
        if (method.equals("POST")) {
            // A POST with nothing we know of: a KeepAlive as far as the session goes.
            return Kind.KEEP_ALIVE;
        }
        if (method.equals("GET") || method.equals("HEAD")) {
            return Kind.DESCRIBE;
        }
        throw new MmshBadRequest("method " + method + " is not an MMSH request");
    }

    /** The path as the catalogs take it: no leading '/', no query, percent-decoded. */
    static String path(String uri) {
        String u = uri;
        if (u.regionMatches(true, 0, "http://", 0, 7) || u.regionMatches(true, 0, "mmsh://", 0, 7)) {
            // An absolute URI (a player using us as its proxy): only its path matters here.
            int slash = u.indexOf('/', 7);
            u = slash < 0 ? "/" : u.substring(slash);
        }
        int q = u.indexOf('?');
        if (q >= 0) {
            u = u.substring(0, q);
        }
        while (u.startsWith("/")) {
            u = u.substring(1);
        }
        try {
            return java.net.URLDecoder.decode(u.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MmshBadRequest("bad percent-encoding in \"" + PragmaParser.truncate(uri) + "\"");
        }
    }

    /** Play position for the play request: stream-offset wins over packet-num over stream-time. */
    public boolean hasByteOffset() {
        return pragmas.streamOffset() > 0;
    }
}
