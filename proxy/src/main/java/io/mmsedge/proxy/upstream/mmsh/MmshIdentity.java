package io.mmsedge.proxy.upstream.mmsh;

import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mmsh.client.MmshClientConfig;
import io.mmsedge.protocol.mmsh.client.MmshClientPlay;
import io.mmsedge.protocol.mmsh.client.MmshDescriptions;
import io.mmsedge.proxy.upstream.UpstreamRequest;
import io.mmsedge.proxy.upstream.UpstreamRequests;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * How the edge names itself and the content to an MMSH origin, as a Windows Media proxy does:
 * the player's own User-Agent (an "NSPlayer/..." agent, which WMS requires to answer in MMSH,
 * [MS-WMSP] §2.2.1.8) and xClientGUID, the origin in the Host header, and the proxies on the way
 * in a Via header (RFC 7230 §5.7.1) where this edge adds its instance token as the comment of
 * its own entry ({@code 1.0 mms-edge (mms-edge/0.1.0+1a2b3c4d)}), so that an mms-edge further
 * on finds it again and detects a loop, exactly as with the MMS VIA string (§2.2.4.17).
 */
final class MmshIdentity {

    private MmshIdentity() {
    }

    static MmshClientConfig config(UpstreamRequest r) {
        SubscriberName s = r.subscriber();
        String ua = s == null || s.clientToken().isBlank() ? null : s.clientToken();
        if (ua == null || !(ua.regionMatches(true, 0, "NSPlayer", 0, 8) || ua.regionMatches(true, 0, "NSServer", 0, 8))
                || !ascii(ua)) {
            ua = UpstreamRequests.DEFAULT_CLIENT_TOKEN;
        }
        String guid = s != null && s.guid() != null && s.guid().matches("[0-9A-Fa-f-]{36}") ? s.guid()
                : UUID.randomUUID().toString();
        String host = r.originHostPort() == null || r.originHostPort().isBlank()
                ? new SubscriberName.HostPort(r.connectTo().getHostString(), r.connectTo().getPort()).render()
                : r.originHostPort();
        String path = "/" + encodePath(r.path());
        // Through an HTTP proxy (another edge in forward mode): the absolute URI names the origin.
        String target = throughProxy(r, host) ? "http://" + host + path : path;
        String credentials = r.credentials();
        String authorization = credentials == null ? null
                : credentials.regionMatches(true, 0, "Basic ", 0, 6) ? credentials : "Basic " + credentials;
        return new MmshClientConfig(target, host, ua, "{" + guid.toUpperCase(Locale.ROOT) + "}",
                via(s == null ? List.of() : s.via(), r.viaToken()), authorization,
                Math.min(0xFFFF, r.maxPacketSize() + io.mmsedge.protocol.mmsh.MmshFrames.DATA_HEADER_SIZE));
    }

    /** The Via header: the proxies the player came through, then this edge (null when there is nothing to say). */
    static String via(List<String> before, String ours) {
        List<String> entries = new ArrayList<>();
        for (String t : before) {
            if (ascii(t) && t.indexOf('(') < 0 && t.indexOf(')') < 0 && !t.isBlank()) {
                entries.add(entry(t.strip()));
            }
        }
        if (ours != null && !ours.isBlank()) {
            entries.add(entry(ours));
        }
        return entries.isEmpty() ? null : String.join(", ", entries);
    }

    private static String entry(String token) {
        int slash = token.indexOf('/');
        String pseudonym = (slash > 0 ? token.substring(0, slash) : token).replaceAll("[^A-Za-z0-9.-]", "-");
        return "1.0 " + pseudonym + " (" + token + ")";
    }

    /**
     * Where a play starts: a byte offset (MMS asfOffset counts the header, MMSH stream-offset the
     * data only), else a packet when the position is DBL_MAX (§2.2.4.25), else a time.
     */
    static MmshClientPlay play(byte[] header, double position, int asfOffset, int locationId, double rate,
                               long accelBitRate, long accelMs) {
        List<Integer> streams = MmshDescriptions.streams(header);
        long accelBw = accelBitRate > 0 && accelMs > 0 ? accelBitRate : 0;
        long accelDuration = accelBw > 0 ? accelMs : 0;
        if (asfOffset != -1) {
            long offset = Math.max(0, Integer.toUnsignedLong(asfOffset) - header.length);
            return new MmshClientPlay(0, -1, offset, rate, accelBw, accelDuration, streams);
        }
        if (position >= Double.MAX_VALUE / 2 && locationId != -1) {
            return new MmshClientPlay(0, Integer.toUnsignedLong(locationId), -1, rate, accelBw, accelDuration,
                    streams);
        }
        long ms = position >= Double.MAX_VALUE / 2 || position < 0 ? 0 : (long) (position * 1000);
        return new MmshClientPlay(ms, -1, -1, rate, accelBw, accelDuration, streams);
    }

    /** A redirect's Location made absolute against the request's URL (relative ones are allowed, RFC 7231 §7.1.2). */
    static String resolve(MmshClientConfig c, String location) {
        try {
            String base = c.requestTarget().startsWith("/") ? "http://" + c.host() + c.requestTarget() : c.requestTarget();
            return URI.create(base).resolve(location.strip()).toString();
        } catch (IllegalArgumentException e) {
            return location; // the redirect follower reports it as a bad URL
        }
    }

    private static boolean throughProxy(UpstreamRequest r, String originHostPort) {
        SubscriberName.HostPort o = SubscriberName.parseHostInfo(originHostPort, r.connectTo().getPort());
        return o == null || o.port() != r.connectTo().getPort()
                || !o.host().equalsIgnoreCase(r.connectTo().getHostString().replace("[", "").replace("]", ""));
    }

    /** Percent-encodes what may not stand in a path (RFC 3986 §3.3); an existing %XX escape stays. */
    static String encodePath(String path) {
        StringBuilder sb = new StringBuilder(path.length() + 8);
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            int c = b[i] & 0xFF;
            boolean escape = c == '%' && i + 2 < b.length && hex(b[i + 1]) && hex(b[i + 2]);
            if (escape || (c > 0x20 && c < 0x7F && "\"#<>?\\^`{|}%".indexOf(c) < 0)) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }

    private static boolean hex(byte c) {
        return Character.digit(c, 16) >= 0;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20 || s.charAt(i) > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
