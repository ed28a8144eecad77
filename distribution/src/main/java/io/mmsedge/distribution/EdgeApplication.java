package io.mmsedge.distribution;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mmsedge.distribution.cache.EdgeCache;
import io.mmsedge.distribution.config.AccessSettings;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.distribution.lifecycle.Drain;
import io.mmsedge.distribution.lifecycle.Listen;
import io.mmsedge.distribution.points.PublishingPoints;
import io.mmsedge.distribution.status.AdminAccess;
import io.mmsedge.distribution.status.MicrometerProxyMetrics;
import io.mmsedge.distribution.status.MicrometerServerMetrics;
import io.mmsedge.distribution.status.StatusServer;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.proxy.ProxyCatalog;
import io.mmsedge.proxy.ProxySettings;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.access.AccessControl;
import io.mmsedge.server.net.MmsServer;
import io.mmsedge.server.net.Transports;
import io.mmsedge.server.session.SessionState;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running mms-edge: the MMS listener, its publishing points, and the status endpoint. */
public final class EdgeApplication implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EdgeApplication.class);
    public static final String VERSION = versionOf();

    private final EventLoopGroup group;
    private final PrometheusMeterRegistry registry;
    private final MicrometerServerMetrics metrics;
    /** The origin listener (publishing points), or null when this instance is only an edge. */
    private final MmsServer mms;
    /** The edge listener (proxy), or null when not configured. */
    private final MmsServer edge;
    private final ProxyCatalog proxy;
    private final StatusServer status;
    private final Instant started = Instant.now();
    private final PublishingPoints points;
    /** The edge's on-demand cache, or null when caching is off. */
    private final EdgeCache cache;
    private final Drain drain;
    /** The listeners' player access control (null without that listener); see {@link #originAccess()}. */
    private volatile AccessControl originAccess;
    private volatile AccessControl edgeAccess;
    private final io.mmsedge.distribution.reload.Reload reload;
    /** What runs once a drain has ended every session: the command line exits there. */
    private volatile Runnable onDrained = () -> { };

    private EdgeApplication(EventLoopGroup group, PrometheusMeterRegistry registry, MicrometerServerMetrics metrics,
                            MmsServer mms, MmsServer edge, ProxyCatalog proxy, StatusServer status,
                            PublishingPoints points, EdgeCache cache, Drain drain,
                            io.mmsedge.distribution.reload.Reload reload) {
        this.cache = cache;
        this.reload = reload;
        this.drain = drain;
        drain.finished().whenComplete((n, e) -> onDrained.run());
        this.group = group;
        this.registry = registry;
        this.metrics = metrics;
        this.mms = mms;
        this.edge = edge;
        this.proxy = proxy;
        this.status = status;
        this.points = points;
    }

    /** Starts everything a configuration describes. Ports of 0 pick free ports (tests). */
    public static EdgeApplication start(EdgeConfig cfg, Path baseDir) throws ConfigException, InterruptedException {
        ServerSettings settings = ConfigLoader.serverSettings(cfg);
        io.mmsedge.distribution.logging.AccessLogSetup.apply(cfg.accessLog(), baseDir == null ? Path.of("") : baseDir,
                VERSION);
        PublishingPoints points = PublishingPoints.from(cfg, baseDir, ByteBufAllocator.DEFAULT);
        EventLoopGroup group = Transports.newGroup(0);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        MicrometerServerMetrics metrics = new MicrometerServerMetrics(registry);
        MmsServer mms = null;
        MmsServer edge = null;
        ProxyCatalog proxy = null;
        StatusServer status = null;
        EdgeCache cache = null;
        AccessControl originAccess = null;
        AccessControl edgeAccess = null;
        // The catalog is the edge listener's, so it learns the listener's address once bound (and moved).
        var edgeAddress = new java.util.concurrent.atomic.AtomicReference<InetSocketAddress>();
        try {
            if (!cfg.publishingPoints().isEmpty()) {
                String bind = cfg.server().bind() != null ? cfg.server().bind() : "127.0.0.1";
                int port = cfg.server().port() != null ? cfg.server().port() : MmsConstants.DEFAULT_PORT;
                points.startBroadcasts(group, settings, metrics);
                originAccess = new AccessControl(points, AccessSettings.origin(cfg), metrics, "server");
                MmsServer origin = new MmsServer(settings, originAccess, metrics, group)
                        .withLimits(ConfigLoader.connectionLimits(cfg))
                        .withPlayerSockets(ConfigLoader.playerSockets(cfg))
                        .withUdp(ConfigLoader.udpSettings(cfg.server().udp()));
                mms = Listen.on("origin MMS", "server.port", new InetSocketAddress(bind, port), origin::start);
                if (cfg.server().http() != null) {
                    Listen.on("origin HTTP", "server.http", new InetSocketAddress(bind, cfg.server().http()),
                            origin::startHttp);
                }
            }
            if (cfg.edge() != null) {
                ProxySettings ps = ConfigLoader.proxySettings(cfg.edge(), VERSION);
                MicrometerProxyMetrics proxyMetrics = new MicrometerProxyMetrics(registry);
                ConfigLoader.CacheSection cacheCfg = ConfigLoader.cacheSettings(cfg.edge(), baseDir);
                if (cacheCfg != null) {
                    try {
                        cache = EdgeCache.open(cacheCfg, registry);
                    } catch (java.io.IOException ex) {
                        throw new ConfigException("key 'edge.cache.dir': cannot use " + cacheCfg.dir() + ": "
                                + ex.getMessage(), ex);
                    }
                }
                proxy = new ProxyCatalog(ps, group, proxyMetrics,
                        new io.mmsedge.proxy.split.SplitRegistry(ConfigLoader.splitSettings(cfg.edge()),
                                ConfigLoader.splitBroadcastSettings(cfg.edge()), metrics, proxyMetrics),
                        cache == null ? null : cache.service(), edgeAddress::get);
                String bind = cfg.edge().bind() != null ? cfg.edge().bind() : "127.0.0.1";
                edgeAccess = new AccessControl(proxy, AccessSettings.edge(cfg.edge()), metrics, "edge");
                ServerSettings edgeSettings = cfg.edge().idleTimeoutSeconds() == null ? settings
                        : settings.withIdleTimeout(Duration.ofSeconds(cfg.edge().idleTimeoutSeconds()));
                MmsServer edgeServer = new MmsServer(edgeSettings, edgeAccess, metrics, group)
                        .withLimits(ConfigLoader.connectionLimits(cfg))
                        .withPlayerSockets(ConfigLoader.playerSockets(cfg))
                        .withUdp(ConfigLoader.udpSettings(cfg.edge().udp()));
                edge = Listen.on("edge MMS", "edge.port", new InetSocketAddress(bind, cfg.edge().port()),
                        edgeServer::start);
                edgeAddress.set(edge.localAddress());
                if (cfg.edge().http() != null) {
                    Listen.on("edge HTTP", "edge.http", new InetSocketAddress(bind, cfg.edge().http()),
                            edgeServer::startHttp);
                }
                log.info("edge on {}: reverse rules {}, forward {}, VIA token {}", edge.localAddress(),
                        ps.reverse().stream().map(r -> "'" + r.prefix() + "' -> " + r.origins()).toList(),
                        ps.forward() ? "allowed for " + ps.allow() : "off", ps.via());
            }
            EdgeApplication[] self = new EdgeApplication[1];
            // The edge's sessions end before the origin's: the edge reads from it.
            Drain drain = new Drain(java.util.stream.Stream.of(edge, mms).filter(java.util.Objects::nonNull).toList(),
                    cfg.server().drainDeadline(), cfg.server().drainRedirect());
            if (cfg.status() != null) {
                status = startStatus(cfg.status(), group, registry, () -> self[0].statusJson(), drain);
                status.route("/admin/drain", (method, q) -> self[0].drainRoute(method));
                if (cache != null) {
                    new io.mmsedge.distribution.cache.CacheAdmin(proxy, cfg.status().maxPrestuffs() != null
                            ? cfg.status().maxPrestuffs() : DEFAULT_MAX_PRESTUFFS).register(status);
                }
            }
            var reload = new io.mmsedge.distribution.reload.Reload(cfg, new io.mmsedge.distribution.reload.Reload.Running(
                    baseDir, group, settings, metrics, points, mms, edge, proxy, edgeAddress,
                    cache == null ? null : cache.service().store(), VERSION, originAccess, edgeAccess),
                    drain::draining);
            if (status != null) {
                reload.register(status);
            }
            self[0] = new EdgeApplication(group, registry, metrics, mms, edge, proxy, status, points, cache, drain,
                    reload);
            self[0].originAccess = originAccess;
            self[0].edgeAccess = edgeAccess;
            if (mms != null) {
                log.info("mms-edge {} serving publishing points {}", VERSION,
                        points.names().stream().map(n -> n.isEmpty() ? "/ (default)" : n).toList());
            }
            return self[0];
        } catch (InterruptedException | ConfigException | RuntimeException e) {
            if (mms != null) {
                mms.stop(Duration.ZERO);
            }
            if (edge != null) {
                edge.stop(Duration.ZERO);
            }
            if (proxy != null) {
                proxy.close();
            }
            points.close();
            if (status != null) {
                status.close();
            }
            if (cache != null) {
                cache.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Prestuff jobs running at once when {@code status.maxPrestuffs} is absent. */
    static final int DEFAULT_MAX_PRESTUFFS = 4;

    /**
     * The status listener on its own address (loopback unless {@code status.bind} says otherwise),
     * its protected routes open to the admin token of the environment or the configuration.
     */
    private static StatusServer startStatus(EdgeConfig.StatusSection s, EventLoopGroup group,
                                            PrometheusMeterRegistry registry, java.util.function.Supplier<String> json,
                                            Drain drain) throws ConfigException, InterruptedException {
        String token = AdminAccess.chooseToken(s.adminToken(), System.getenv());
        AdminAccess access;
        try {
            access = AdminAccess.withToken(token);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("environment " + AdminAccess.TOKEN_ENV + ": " + e.getMessage(), e);
        }
        if (!access.tokenConfigured()) {
            log.info("no admin token (status.adminToken or {}): the admin endpoints refuse every request",
                    AdminAccess.TOKEN_ENV);
        }
        String bind = s.bind() != null ? s.bind() : "127.0.0.1";
        int maxBody = s.maxRequestBytes() != null ? s.maxRequestBytes() : StatusServer.DEFAULT_MAX_REQUEST_BYTES;
        return Listen.on("status", "status.port", new InetSocketAddress(bind, s.port()),
                new StatusServer(group, registry::scrape, json, () -> !drain.draining(), access, maxBody)::start);
    }

    /** {@code POST /admin/drain}: starts the drain, answers at once (202) with what it will do. */
    private StatusServer.Response drainRoute(String method) {
        if (!method.equals("POST")) {
            return new StatusServer.Response(405, "text/plain; charset=utf-8", "POST /admin/drain\n");
        }
        boolean already = drain.draining();
        drain("POST /admin/drain");
        return new StatusServer.Response(202, "application/json; charset=utf-8", new ObjectMapper().createObjectNode()
                .put("draining", true).put("alreadyDraining", already).put("deadlineSeconds", drain.deadline().toSeconds())
                .put("sessions", drain.sessions()).toPrettyString());
    }

    /**
     * Starts a graceful drain ({@link Drain}), once; {@link #onDrained} runs when it has ended
     * every session. The future gives how many sessions were ended at the deadline.
     */
    public java.util.concurrent.CompletableFuture<Integer> drain(String why) {
        return drain.start(why);
    }

    /** What to do once a drain is over (the command line exits); tests leave it empty. */
    public void onDrained(Runnable action) {
        this.onDrained = action;
    }

    /**
     * Where {@link #reload} reads the configuration: the file of {@code --config}. Without one
     * (the embedded default, a command line's options) a reload says there is nothing to reload.
     */
    public void reloadFrom(io.mmsedge.distribution.reload.ConfigSource source) {
        reload.source(source);
    }

    /** Reads, validates and applies the configuration again (SIGHUP, {@code POST /admin/reload}). */
    public io.mmsedge.distribution.reload.ReloadOutcome reload(String why) {
        return reload.reload(why);
    }

    /** How long a drain lets sessions finish ({@code server.drainSeconds}). */
    public Duration drainDeadline() {
        return drain.deadline();
    }

    /** True while draining: no new players, readiness fails. */
    public boolean draining() {
        return drain.draining();
    }

    /** The origin listener's address (publishing points), or null when there is none. */
    public InetSocketAddress mmsAddress() {
        return mms == null ? null : mms.localAddress();
    }

    /** The edge listener's address, or null when there is no edge. */
    public InetSocketAddress edgeAddress() {
        return edge == null ? null : edge.localAddress();
    }

    /** The origin listener's MMSH-only HTTP port ({@code server.http}), or null. */
    public InetSocketAddress mmsHttpAddress() {
        return mms == null ? null : mms.httpAddress();
    }

    /** The edge listener's MMSH-only HTTP port ({@code edge.http}), or null. */
    public InetSocketAddress edgeHttpAddress() {
        return edge == null ? null : edge.httpAddress();
    }

    /**
     * The origin listener's player access control, or null when there is no origin listener. A
     * reload swaps its policy for new sessions with {@code originAccess().replace(
     * AccessSettings.origin(newConfig))}.
     */
    public AccessControl originAccess() {
        return originAccess;
    }

    /** The edge listener's access control, or null; {@code edgeAccess().replace(AccessSettings.edge(...))}. */
    public AccessControl edgeAccess() {
        return edgeAccess;
    }

    /** The edge's catalog, or null when there is no edge. */
    public ProxyCatalog proxy() {
        return proxy;
    }

    /** The status endpoint's address, or null when disabled. */
    public InetSocketAddress statusAddress() {
        return status == null ? null : status.localAddress();
    }

    public MicrometerServerMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public StatusServer statusServer() {
        return status;
    }

    private static void putAddress(ObjectNode node, String key, InetSocketAddress address) {
        if (address != null) {
            node.put(key, address.getHostString() + ":" + address.getPort());
        }
    }

    String statusJson() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("product", "mms-edge");
        root.put("version", VERSION);
        root.put("startedAt", started.toString());
        root.put("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds());
        root.put("draining", drain.draining());
        if (mms != null) {
            root.put("mmsAddress", mmsAddress().getHostString() + ":" + mmsAddress().getPort());
            putAddress(root, "mmsHttpAddress", mmsHttpAddress());
        }
        if (edge != null) {
            root.put("edgeAddress", edgeAddress().getHostString() + ":" + edgeAddress().getPort());
            putAddress(root, "edgeHttpAddress", edgeHttpAddress());
            root.put("upstreamSessions", proxy.upstreamSessions());
            root.put("viaToken", proxy.settings().via().value());
            var originsNode = root.putArray("origins");
            for (var o : proxy.originHealth().snapshot()) {
                ObjectNode n = originsNode.addObject().put("origin", o.origin()).put("up", o.up())
                        .put("failures", o.failures()).put("probes", o.probes());
                if (o.lastError() != null) {
                    n.put("lastError", o.lastError());
                }
                if (!o.up()) {
                    n.put("downSince", Instant.ofEpochMilli(o.downSince()).toString());
                }
            }
            if (proxy.splits() != null) {
                var splitsNode = root.putArray("splits");
                for (var sp : proxy.splits().splits()) {
                    splitsNode.addObject().put("url", sp.key()).put("players", sp.broadcast().subscriberCount())
                            .put("packets", sp.broadcast().publishedPackets()).put("reconnects", sp.reconnects());
                }
            }
        }
        if (cache != null) {
            var store = cache.service().store();
            root.putObject("cache").put("dir", cache.dir().toString()).put("items", store.itemCount())
                    .put("diskBytes", store.diskBytes()).put("diskQuotaBytes", store.settings().diskQuotaBytes())
                    .put("memoryBytes", store.memoryBytes());
        }
        root.put("connections", (mms == null ? 0 : mms.connectionCount()) + (edge == null ? 0 : edge.connectionCount()));
        ObjectNode states = root.putObject("sessionsByState");
        for (SessionState s : SessionState.values()) {
            if (s != SessionState.CLOSED) {
                states.put(s.name(), metrics.sessions(s));
            }
        }
        ObjectNode pps = root.putObject("publishingPoints");
        for (String name : points.names()) {
            String display = name.isEmpty() ? "/" : name;
            pps.put(display, metrics.activeByPublishingPoint().getOrDefault(display, 0));
        }
        return root.toPrettyString();
    }

    @Override
    public void close() {
        log.info("shutting down");
        if (status != null) {
            status.close();
        }
        if (edge != null) {
            // The players first, told the end so that they stop (MmsServer#endSessions), then
            // their splits' upstreams.
            edge.stopAccepting();
            edge.endSessions(Duration.ofSeconds(2));
            edge.stop(Duration.ofSeconds(2));
            if (proxy.splits() != null) {
                proxy.splits().closeAll();
            }
            proxy.close();
        }
        if (mms != null) {
            mms.stopAccepting();
            mms.endSessions(Duration.ofSeconds(2));
            mms.stop(Duration.ofSeconds(2));
        }
        points.close();
        if (cache != null) {
            cache.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        registry.close();
    }

    /** The event loops every listener of this instance runs on (benchmarks attribute CPU by thread). */
    public EventLoopGroup eventLoops() {
        return group;
    }

    /** The edge's cache, or null when caching is off. */
    public io.mmsedge.cache.serve.CacheService cache() {
        return cache == null ? null : cache.service();
    }

    private static String versionOf() {
        String v = EdgeApplication.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
