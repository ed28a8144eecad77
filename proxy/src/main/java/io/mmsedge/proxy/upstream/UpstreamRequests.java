package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.SubscriberName;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * Checks an {@link UpstreamRequest} and renders the subscriberName it sends upstream. Public for
 * the MMSH adapter ({@code upstream.mmsh}), which checks requests the same way.
 */
public final class UpstreamRequests {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UpstreamRequests.class);

    /** Lower bound of the silence accepted while streaming. */
    static final Duration MIN_STREAM_IDLE = Duration.ofSeconds(60);
    /** Client token used when the caller has no player subscriberName. */
    public static final String DEFAULT_CLIENT_TOKEN = "NSPlayer/9.0.0.2980";
    /** Bounds of caller-supplied strings (each must fit one 64 KiB command). */
    static final int MAX_PATH_CHARS = 4096;
    static final int MAX_SUBSCRIBER_CHARS = 8192;
    static final int MAX_CREDENTIALS_CHARS = 4096;

    private UpstreamRequests() {
    }

    /** Why the request cannot be opened; null when it can. */
    public static String validate(UpstreamRequest r, EventLoopGroup group) {
        if (r == null) {
            return "no request";
        }
        if (group == null) {
            return "no event loop group";
        }
        if (r.connectTo() == null) {
            return "no address to connect to";
        }
        if (r.connectTo().isUnresolved()) {
            return "unresolved address " + r.connectTo().getHostString() + ":" + r.connectTo().getPort();
        }
        if (r.path() == null || r.path().length() > MAX_PATH_CHARS) {
            return "invalid path";
        }
        if (controls(r.path(), false) > 0) {
            // A CR/LF in the OpenFile path would forge a line of the origin's log (issue #17).
            return "invalid path: a control character";
        }
        Duration t = r.connectTimeout();
        if (t == null || t.isNegative() || t.isZero() || t.toMillis() > Integer.MAX_VALUE) {
            return "connectTimeout must be positive: " + t;
        }
        if (r.maxPacketSize() < 1 || r.maxPacketSize() > DataPacket.MAX_PACKET_SIZE) {
            return "maxPacketSize must be 1..65535: " + r.maxPacketSize();
        }
        return validateCredentials(r.credentials());
    }

    private static String validateCredentials(String c) {
        if (c == null) {
            return null;
        }
        if (c.length() > MAX_CREDENTIALS_CHARS) {
            return "credentials too long";
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch < 0x20 || ch > 0x7E) {
                return "credentials must be printable ASCII (RFC 2617 basic-credentials)";
            }
        }
        return null;
    }

    /** The player's subscriberName (client token and GUID kept) with HOST and VIA for the origin. */
    static String subscriberName(UpstreamRequest r) {
        SubscriberName s = r.subscriber();
        if (s == null) {
            s = SubscriberName.parse(DEFAULT_CLIENT_TOKEN + "; {" + UUID.randomUUID().toString().toUpperCase(Locale.ROOT)
                    + "}");
        }
        String origin = r.originHostPort();
        if (origin == null || origin.isBlank()) {
            origin = new SubscriberName.HostPort(r.connectTo().getHostString(), r.connectTo().getPort()).render();
        }
        s = s.withHostParam(origin);
        if (s.hostString() == null) {
            s = s.withHostString(origin);
        }
        if (r.viaToken() != null && !r.viaToken().isBlank()) {
            s = s.withViaAppended(r.viaToken());
        }
        String rendered = s.render();
        int bad = controls(rendered, true);
        if (bad == 0) {
            return rendered;
        }
        // Issue #17: the player's tokens (client token, GUID, Host, VIA) reach the origin, which
        // logs them; a CR or LF there forges lines of its log. The NULs are the separators.
        log.warn("origin={} subscriberName from the player carried {} control characters: stripped", describePeer(r),
                bad);
        StringBuilder clean = new StringBuilder(rendered.length());
        rendered.chars().filter(c -> !isControl(c, true)).forEach(c -> clean.append((char) c));
        return clean.toString();
    }

    /** How many control characters (C0 and DEL; NUL too unless {@code nulAllowed}) {@code s} holds. */
    static int controls(String s, boolean nulAllowed) {
        return (int) s.chars().filter(c -> isControl(c, nulAllowed)).count();
    }

    private static boolean isControl(int c, boolean nulAllowed) {
        return (c < 0x20 || c == 0x7F) && !(nulAllowed && c == 0);
    }

    /** The silence accepted while streaming: a server Pings an idle player after its KeepAlive period (§3.2.6.1). */
    static long streamIdleMillis(UpstreamRequest r) {
        return Math.max(r.connectTimeout().toMillis(), MIN_STREAM_IDLE.toMillis());
    }

    /** "host:port" of the peer, for logs and failure reasons. */
    public static String describePeer(UpstreamRequest r) {
        return r.connectTo().getHostString() + ":" + r.connectTo().getPort();
    }
}
