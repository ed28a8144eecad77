package io.mmsedge.server.accesslog;

import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.SubscriberName;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What one play session contributes to the access log. As Windows Media Services does, a line is
 * written when the player sends its log (MS-MMSP §2.2.4.20 LinkViewerToMacLogging, [MS-WMSP]
 * §2.2.2.4 LogStats), from what the player reported and what the server measured; and one at the
 * close of a session that played but whose player sent no log since it last
 * started playing, from the server's measurements alone; and one for each refused open. Runs on
 * the session's thread.
 */
public final class SessionAccess {

    /** Close statuses for a session without a player's log (the WMS c-status codes are HTTP's). */
    public static final int OK = 200;

    private final Supplier<InetSocketAddress> peer;
    private final LongSupplier packetsSent;
    private final LongSupplier bytesSent;
    private String protocol = "mms";
    private Supplier<String> transport = () -> "TCP";
    private Supplier<InetSocketAddress> local = () -> null;

    private Instant requestedAt;
    private String path;
    private SubscriberName player;
    private ContentInfo info;
    private boolean counted;
    private long playingSinceNanos = -1;
    private long playedNanos;
    private double rate = 1;
    private double startSeconds;
    private boolean played;
    /** A line covers everything up to now (a player's log since the last play, or a refusal's). */
    private boolean reported;
    private int status = OK;

    public SessionAccess(Supplier<InetSocketAddress> peer, LongSupplier packetsSent, LongSupplier bytesSent) {
        this.peer = peer;
        this.packetsSent = packetsSent;
        this.bytesSent = bytesSent;
    }

    /**
     * The front end names its protocol ({@code mms}, or {@code http} for MMSH), how Data packets
     * travel ({@code TCP} or {@code UDP}, asked at each line: a UDP funnel may come later) and the
     * address the player connected to (s-ip; null if unknown).
     */
    public void frontEnd(String protocol, Supplier<String> transport, Supplier<InetSocketAddress> local) {
        this.protocol = protocol;
        this.transport = transport;
        this.local = local;
    }

    /**
     * A player's log for a session already gone (an MMSH player POSTs LogStats on a connection of
     * its own, maybe after its Play connection closed): a line from what it reported, with the
     * server's c-ip, s-ip and path.
     */
    public static void clientLogAlone(InetSocketAddress peer, InetSocketAddress local, String path, ClientLog log) {
        SessionAccess a = new SessionAccess(() -> peer, () -> -1, () -> -1);
        a.frontEnd("http", () -> "TCP", () -> local);
        a.requested(path, null);
        a.clientLog(log);
    }

    // ------------------------------------------------------------------ what the session tells

    public void requested(String path, SubscriberName player) {
        this.requestedAt = Instant.now();
        this.path = path;
        this.player = player;
        this.status = OK;
    }

    public void opened(ContentInfo info) {
        this.info = info;
        if (!counted) {
            counted = true;
            AccessLog.clientOpened();
        }
    }

    /** The open was refused with {@code hr}: a line with its status (the player may ask again). */
    public void refused(int hr) {
        status = Statuses.of(hr);
        if (AccessLog.enabled()) {
            AccessLog.write(serverRecord());
        }
        status = OK;
    }

    /** Playing starts (or continues) at {@code rate} from {@code startSeconds} (NaN: where it was). */
    public void playing(double rate, double startSeconds) {
        pause();
        this.rate = rate;
        if (!played || !Double.isNaN(startSeconds)) {
            this.startSeconds = Double.isNaN(startSeconds) ? 0 : startSeconds;
        }
        played = true;
        reported = false;
        playingSinceNanos = System.nanoTime();
    }

    public void stopped() {
        pause();
    }

    /** The content failed with {@code hr} while playing: the line says so. */
    public void failed(int hr) {
        status = Statuses.of(hr);
    }

    /** The player's log: a line from what it reported and what the server measured. */
    public void clientLog(ClientLog log) {
        if (AccessLog.enabled()) {
            AccessLog.write(ClientReport.apply(serverRecord(), log));
        }
        reported = true;
    }

    /** The session ends: a line if it played and no player's log covers it. */
    public void closed() {
        pause();
        if (!reported && path != null && played && AccessLog.enabled()) {
            AccessLog.write(serverRecord());
        }
        reported = true;
        if (counted) {
            counted = false;
            AccessLog.clientClosed();
        }
    }

    private void pause() {
        if (playingSinceNanos >= 0) {
            playedNanos += System.nanoTime() - playingSinceNanos;
            playingSinceNanos = -1;
        }
    }

    // ------------------------------------------------------------------ the record

    /** Every field from what the server knows; {@link ClientReport} overlays the player's. */
    AccessRecord serverRecord() {
        long playingNanos = playedNanos + (playingSinceNanos >= 0 ? System.nanoTime() - playingSinceNanos : 0);
        long seconds = Math.round(playingNanos / 1e9);
        Instant at = requestedAt == null ? Instant.now() : requestedAt;
        String when = at.toString(); // ISO-8601 UTC: 2026-12-07T05:55:14.123Z
        AccessRecord r = new AccessRecord()
                .set(AccessField.C_IP, ip(peer.get()))
                .set(AccessField.DATE, when.substring(0, 10))
                .set(AccessField.TIME, when.substring(11, 19))
                .set(AccessField.CS_URI_STEM, stem(path))
                .set(AccessField.C_STARTTIME, played ? Math.round(startSeconds) : -1)
                .set(AccessField.X_DURATION, played ? seconds : -1)
                .set(AccessField.C_RATE, played ? rate(rate) : null)
                .set(AccessField.C_STATUS, status)
                .set(AccessField.PROTOCOL, protocol)
                .set(AccessField.TRANSPORT, transport.get())
                .set(AccessField.SC_BYTES, bytesSent.getAsLong())
                .set(AccessField.S_PKTS_SENT, packetsSent.getAsLong())
                .set(AccessField.S_IP, ip(local.get()))
                .set(AccessField.S_TOTALCLIENTS, AccessLog.clients())
                .set(AccessField.S_CPU_UTIL, AccessLog.cpuPercent())
                .set(AccessField.CS_URL, url())
                .set(AccessField.CS_MEDIA_NAME, path);
        if (info != null) {
            boolean live = info.broadcast();
            r.set(AccessField.FILELENGTH, live ? 0 : Math.round(info.durationSeconds()))
                    .set(AccessField.FILESIZE, live ? 0 : fileSize(info))
                    .set(AccessField.AVGBANDWIDTH, seconds > 0 ? bytesSent.getAsLong() * 8 / seconds : -1);
        }
        if (player != null) {
            r.set(AccessField.C_PLAYERID, player.guid() == null ? null : "{" + player.guid() + "}")
                    .set(AccessField.C_PLAYERVERSION, player.version())
                    .set(AccessField.CS_USER_AGENT, player.clientToken())
                    .set(AccessField.S_PROXIED, player.viaProxy() ? 1 : 0);
        }
        return r;
    }

    /** cs-url: what the player asked for, as far as the server knows it: scheme://s-ip:port/path. */
    private String url() {
        InetSocketAddress at = local.get();
        if (path == null || at == null) {
            return null;
        }
        String host = at.getAddress().getHostAddress();
        return protocol + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + at.getPort()
                + stem(path);
    }

    /** The file's size as its header's File Properties give it (ASF §3.2), else header plus packets. */
    private static long fileSize(ContentInfo info) {
        try {
            long declared = AsfHeader.parse(info.fileHeader()).fileSize();
            if (declared > 0) {
                return declared;
            }
        } catch (RuntimeException e) {
            // a header the parser doesn't take: fall back to what is known
        }
        return info.fileHeaderSize() + info.packetCount() * info.packetSize();
    }

    private static String stem(String path) {
        return path == null ? null : path.startsWith("/") ? path : "/" + path;
    }

    static String ip(InetSocketAddress a) {
        return a == null || a.getAddress() == null ? null : a.getAddress().getHostAddress();
    }

    /** c-rate as WMS writes it: 1, 0.5, -5. */
    static String rate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
