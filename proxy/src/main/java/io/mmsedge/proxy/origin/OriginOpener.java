package io.mmsedge.proxy.origin;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.ProxySettings;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.UpstreamRequest;
import io.mmsedge.proxy.upstream.UpstreamSession;
import io.mmsedge.proxy.upstream.mmsh.MmshUpstream;
import io.mmsedge.server.media.OpenRequest;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Opens upstream sessions for routes, over MMS (MS-MMSP §3.1) or MMSH (MS-WMSP §3.1) as the
 * origin URL's scheme says: resolves origin names off the event loop, tries a route's origins in order until one answers (failover), and follows the origins'
 * redirects (§2.2.4.9: type 1 to another URL, type 2 through another proxy or direct). Owns its
 * resolver threads: {@link #close()} stops them.
 */
public final class OriginOpener implements AutoCloseable {

    /** Largest Data packet accepted from an origin (PacketSize is 16 bits). */
    private static final int MAX_UPSTREAM_PACKET = 65535 - 8;

    /**
     * Opens one upstream session; {@link UpstreamSession#open} (MMS) or {@link MmshUpstream#open}
     * (MMSH) in production, a stub in tests.
     */
    @FunctionalInterface
    public interface Connector {
        CompletableFuture<UpstreamOpenResult> open(UpstreamRequest request, EventLoopGroup group);
    }

    /** Volatile: a configuration reload replaces it ({@link #reconfigure}) for the opens after it. */
    private volatile ProxySettings settings;
    private final ProxyMetrics metrics;
    private final Connector connector;
    private final OriginHealth health;
    /** The event loops probes open sessions on: the first ones an open that failed used. */
    private volatile EventLoopGroup probeGroup;
    /** For origins whose URL is http:// or mmsh:// ([MS-WMSP]). */
    private final Connector httpConnector;
    /** Few threads, daemon: name lookups for origins and forward targets. */
    private final ExecutorService resolver = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "mms-edge-resolver");
        t.setDaemon(true);
        return t;
    });

    /** Probes a down origin first after this long, then ever less often (issue #13 §2). */
    private static final Duration PROBE_INITIAL = Duration.ofSeconds(1);
    private static final Duration PROBE_MAX = Duration.ofSeconds(30);

    public OriginOpener(ProxySettings settings, ProxyMetrics metrics) {
        this(settings, metrics, UpstreamSession::open, MmshUpstream::open, PROBE_INITIAL, PROBE_MAX);
    }

    /**
     * With origin health tracking: a down origin is probed by a real open of the content whose
     * open failed there (any answer, even "file not found", means it is up again; a TCP connect
     * alone would take an origin that accepts and never answers for a live one). MMSH origins
     * open as in production.
     */
    public OriginOpener(ProxySettings settings, ProxyMetrics metrics, Connector connector, Duration probeInitial,
                        Duration probeMax) {
        this(settings, metrics, connector, MmshUpstream::open, probeInitial, probeMax);
    }

    private OriginOpener(ProxySettings settings, ProxyMetrics metrics, Connector connector, Connector httpConnector,
                         Duration probeInitial, Duration probeMax) {
        this.settings = settings;
        this.metrics = metrics;
        this.connector = connector;
        this.httpConnector = httpConnector;
        this.health = new OriginHealth(this::probe, probeInitial, probeMax, metrics);
    }

    /**
     * With a scripted MMS connector and no health tracking (every origin is always tried in
     * order); MMSH origins as in production.
     */
    public OriginOpener(ProxySettings settings, ProxyMetrics metrics, Connector connector) {
        this(settings, metrics, connector, MmshUpstream::open, OriginHealth.disabled());
    }

    /** @param httpConnector opens hops whose origin URL is http:// or mmsh:// */
    public OriginOpener(ProxySettings settings, ProxyMetrics metrics, Connector connector, Connector httpConnector) {
        this(settings, metrics, connector, httpConnector, OriginHealth.disabled());
    }

    /** @param health the origins' health; closed with this opener */
    public OriginOpener(ProxySettings settings, ProxyMetrics metrics, Connector connector, OriginHealth health) {
        this(settings, metrics, connector, MmshUpstream::open, health);
    }

    /**
     * @param httpConnector opens hops whose origin URL is http:// or mmsh://
     * @param health        the origins' health; closed with this opener
     */
    public OriginOpener(ProxySettings settings, ProxyMetrics metrics, Connector connector, Connector httpConnector,
                        OriginHealth health) {
        this.settings = settings;
        this.metrics = metrics;
        this.connector = connector;
        this.httpConnector = httpConnector;
        this.health = health;
    }

    /** Opens {@code hop}'s content on a probe's behalf and closes it again: true when the origin answered. */
    private CompletableFuture<Boolean> probe(Hop hop) {
        EventLoopGroup group = probeGroup;
        if (group == null || group.isShuttingDown()) {
            return CompletableFuture.completedFuture(false);
        }
        OpenRequest request = new OpenRequest(hop.path(), null, null, null, null);
        return openHop(request, hop, group).thenApply(r -> {
            if (r instanceof UpstreamOpenResult.Opened o) {
                o.session().close();
            }
            return !(r instanceof UpstreamOpenResult.Failed f) || Attempt.contentAnswer(f.hr());
        });
    }

    /** The origin of {@code hop} failed at the connection level: it goes down until a probe or open succeeds. */
    void failed(Hop hop, String reason, EventLoopGroup group) {
        if (group != null && probeGroup == null) {
            probeGroup = group;
        }
        health.failed(hop, reason);
    }

    /**
     * A session open at {@code hop} lost its origin mid-stream (closed, stalled, no reply): the
     * origin goes down, so the next open (a fill resuming, a split reconnecting) tries the
     * route's next origin first.
     */
    public void lost(Hop hop, String reason, EventLoopGroup group) {
        failed(hop, "lost mid-stream: " + reason, group);
    }

    /** Which origins are up (opens skip the ones that are down). */
    public OriginHealth health() {
        return health;
    }

    ProxySettings settings() {
        return settings;
    }

    /**
     * New settings (a configuration reload): timeouts, the VIA token, redirect handling and the
     * upstream proxy of the opens that start after this; the sessions already open keep theirs.
     */
    public void reconfigure(ProxySettings next) {
        this.settings = next;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /**
     * Opens {@code request} at the first of {@code candidates} that answers, in order, following
     * redirects. Connection-level failures move on to the next candidate; the origin's own
     * answers (content errors, challenges) end the attempt.
     */
    public CompletableFuture<OriginOutcome> open(OpenRequest request, List<Hop> candidates, EventLoopGroup group) {
        return new Attempt(this, request, group).start(health.order(candidates));
    }

    /** Opens one upstream session for a hop (names resolved off the event loop). */
    public CompletableFuture<UpstreamOpenResult> openHop(OpenRequest request, Hop hop, EventLoopGroup group) {
        ProxySettings settings = this.settings;
        return resolve(hop.connectTo()).thenCompose(address -> {
            String refused = ForwardTargets.refusal(hop, address);
            if (refused != null) {
                return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.E_ACCESS_DENIED,
                        refused));
            }
            UpstreamRequest up = new UpstreamRequest(address, hop.origin().hostPort(), hop.path(),
                    request.subscriber(), settings.via().value(), request.credentials(), settings.connectTimeout(),
                    MAX_UPSTREAM_PACKET, settings.firstDataTimeout(), settings.stallTimeout());
            // The origin URL's scheme picks the protocol spoken upstream: MMS/TCP or MMSH.
            return (hop.origin().http() ? httpConnector : connector).open(up, group);
        });
    }

    /**
     * Resolves an origin's name off the event loop (a DNS lookup must never block sessions);
     * literal addresses resolve at once.
     */
    private CompletableFuture<InetSocketAddress> resolve(InetSocketAddress a) {
        if (!a.isUnresolved()) {
            return CompletableFuture.completedFuture(a);
        }
        String host = a.getHostString();
        if (host.matches("[0-9.]+") || host.contains(":")) {
            return CompletableFuture.completedFuture(new InetSocketAddress(host.replace("[", "").replace("]", ""),
                    a.getPort()));
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                InetSocketAddress r = new InetSocketAddress(host, a.getPort());
                if (r.isUnresolved()) {
                    throw new CompletionException(new UnknownHostException("cannot resolve origin host " + host));
                }
                return r;
            }, resolver);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the edge is shutting down"));
        }
    }

    /** Stops the resolver threads and the health probes; opens after this fail unless their names are literal addresses. */
    @Override
    public void close() {
        resolver.shutdownNow();
        health.close();
    }
}
