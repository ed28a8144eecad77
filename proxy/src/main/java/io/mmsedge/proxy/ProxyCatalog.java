package io.mmsedge.proxy;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.serve.CacheService;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.proxy.cache.CacheBridge;
import io.mmsedge.proxy.origin.OriginFailover;
import io.mmsedge.proxy.origin.OriginOpener;
import io.mmsedge.proxy.origin.OriginOutcome;
import io.mmsedge.proxy.relay.UpstreamMedia;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.route.OriginUrl;
import io.mmsedge.proxy.route.RedirectRule;
import io.mmsedge.proxy.route.Route;
import io.mmsedge.proxy.route.Router;
import io.mmsedge.proxy.split.SplitRegistry;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.server.media.ContentPaths;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's media catalog: every OpenFile becomes an upstream MMS session (MS-MMSP §3.1) to
 * the origin chosen by the reverse rules, or — in forward mode — to the server the player named
 * in its subscriberName (§2.2.4.17). The player's session is still our one server session; only
 * its content comes from upstream.
 *
 * <p>A facade over the edge's concerns: the {@link Router} picks the origins, the
 * {@link SplitRegistry} shares broadcasts, the {@link CacheBridge} serves on-demand content
 * from the cache, and the {@link OriginOpener} connects, fails over and follows redirects.
 */
public final class ProxyCatalog implements MediaCatalog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyCatalog.class);

    /**
     * The rules and origins: settings and the router built from them, swapped as one by a
     * configuration reload ({@link #reconfigure}). An open reads it once, so each player is routed
     * wholly by the old or wholly by the new rules; sessions already open keep their route.
     */
    private volatile Routing routing;
    private final EventLoopGroup fallbackGroup;
    private final ProxyMetrics metrics;
    private final AtomicInteger upstreamSessions = new AtomicInteger();
    private final OriginOpener opener;
    /** Broadcast splitting (one upstream session per broadcast URL); null = relay per player. */
    private final SplitRegistry splits;
    /** On-demand caching (MS-MSSOD §1.1: the origin serves one transfer); null = relay every session. */
    private final CacheBridge cache;

    /**
     * @param fallbackGroup event loops for opens that come without a player's loop (prestuff)
     * @param splits        broadcast splitting, or null to relay every player on its own session
     * @param cache         on-demand caching, or null to relay every session
     * @param listenAddress this edge's own MMS listener once it is bound (null before): a
     *                      host-param naming it is not taken for a forward request. A supplier,
     *                      because the listener is started with this catalog
     */
    public ProxyCatalog(ProxySettings settings, EventLoopGroup fallbackGroup, ProxyMetrics metrics,
                        SplitRegistry splits, CacheService cache, Supplier<InetSocketAddress> listenAddress) {
        this(settings, fallbackGroup, metrics, splits, cache, new Router(settings, listenAddress),
                new OriginOpener(settings, metrics));
    }

    /** With the routing and origin opening given (tests stub the upstream connector). */
    public ProxyCatalog(ProxySettings settings, EventLoopGroup fallbackGroup, ProxyMetrics metrics,
                        SplitRegistry splits, CacheService cache, Router router, OriginOpener opener) {
        this.routing = new Routing(settings, router);
        this.fallbackGroup = fallbackGroup;
        this.metrics = metrics;
        this.splits = splits;
        this.opener = opener;
        this.cache = cache == null ? null : new CacheBridge(cache, opener, metrics, upstreamSessions);
    }

    public int upstreamSessions() {
        return upstreamSessions.get();
    }

    public ProxySettings settings() {
        return routing.settings();
    }

    /** The edge's settings with the router made of them; one immutable pair. */
    private record Routing(ProxySettings settings, Router router) {
    }

    /**
     * Applies new rules, origins, redirect policies, session limit and timeouts to the players
     * that open from now on (a configuration reload). Players already playing keep their route,
     * their upstream session and its failover candidates; splits and cache items are keyed by
     * origin URL, so a player routed elsewhere gets a split or item of its new origin.
     */
    public void reconfigure(ProxySettings next) {
        opener.reconfigure(next);
        routing = new Routing(next, routing.router().withSettings(next));
    }

    /** Which origins are up: opens skip the ones that are down (issue #13 §2). */
    public io.mmsedge.proxy.origin.OriginHealth originHealth() {
        return opener.health();
    }

    public SplitRegistry splits() {
        return splits;
    }

    public CacheService cache() {
        return cache == null ? null : cache.service();
    }

    /** Origins may challenge, and Basic challenges are relayed (§2.2.4.2 AuthenPackage). */
    @Override
    public String authenPackage() {
        return "BASIC";
    }

    @Override
    public OpenResult open(OpenRequest request) {
        Routing routing = this.routing;
        ProxySettings settings = routing.settings();
        Router router = routing.router();
        Route route = router.route(request.path(), request.subscriber());
        if (route instanceof Route.Denied d) {
            log.warn("peer={} path={} denied: {}", request.peer(), request.path(), d.reason());
            metrics.denied(d.token());
            return new OpenResult.Failed(d.hr(), d.reason());
        }
        Route.Upstream up = (Route.Upstream) route;
        boolean busy = settings.maxSessions() > 0 && upstreamSessions.get() >= settings.maxSessions();
        RedirectRule rule = router.playerRedirect(request.path(), up.forwardHost(), busy);
        if (rule != null) {
            metrics.redirectToPlayer(rule.type());
            log.info("peer={} path={} redirecting player: type {} to '{}'{}", request.peer(), request.path(),
                    rule.type(), rule.location(), rule.whenBusy() ? " (at session limit)" : "");
            return new OpenResult.Redirect(rule.type(), rule.location(),
                    rule.whenBusy() ? "session limit reached" : "redirect policy");
        }
        if (busy) {
            metrics.denied("busy");
            return new OpenResult.Failed(Hresults.NS_E_SERVER_UNAVAILABLE,
                    "at the session limit of " + settings.maxSessions());
        }
        Hop first = up.candidates().get(0);
        EventLoopGroup group = request.eventLoop() != null ? request.eventLoop() : fallbackGroup;
        OpenResult trusted = cache == null ? null : cache.trusted(request, up.candidates(), group);
        if (trusted != null) {
            return trusted;
        }
        OpenResult overlapped = cache == null ? null : cache.overlapped(request, up.candidates(), group);
        if (overlapped != null) {
            return overlapped;
        }
        SplitRegistry.Admission admission = splits == null ? null
                : splits.admit(first.key(), first.displayName(), request.eventLoop());
        if (admission instanceof SplitRegistry.Admission.Joined j) {
            log.info("peer={} path={} joined split {}", request.peer(), request.path(), first.key());
            return new OpenResult.Opened(j.media());
        }
        if (admission instanceof SplitRegistry.Admission.Wait w) {
            // Another player is opening this URL right now: wait, then try again (joining
            // its split if it was a broadcast, opening our own session if it was not).
            return new OpenResult.Pending(w.inFlight().handle((v, e) -> (Void) null).thenCompose(v -> {
                OpenResult r = open(request);
                return r instanceof OpenResult.Pending p ? p.result().toCompletableFuture()
                        : CompletableFuture.completedFuture(r);
            }));
        }
        CompletableFuture<OpenResult> result = opener.open(request, up.candidates(), group)
                .thenApply(outcome -> onOutcome(request, up, outcome, group));
        if (admission instanceof SplitRegistry.Admission.Open o) {
            result.whenComplete((r, e) -> o.done().run());
        }
        return new OpenResult.Pending(result);
    }

    /** What a player gets once the origins answered. */
    private OpenResult onOutcome(OpenRequest request, Route.Upstream up, OriginOutcome outcome,
                                 EventLoopGroup group) {
        Hop first = up.candidates().get(0);
        if (outcome instanceof OriginOutcome.Answered a) {
            return a.result();
        }
        if (outcome instanceof OriginOutcome.Unreachable u) {
            OpenResult stale = cache == null ? null : cache.stale(request, first, u.lastFailure());
            return stale != null ? stale : u.lastFailure();
        }
        OriginOutcome.Opened opened = (OriginOutcome.Opened) outcome;
        Hop hop = opened.hop();
        UpstreamOpenResult.Opened o = opened.upstream();
        boolean broadcast = (o.openFile().fileAttributes() & ContentInfo.ATTR_BROADCAST) != 0;
        if (splits != null) {
            splits.remember(first.key(), broadcast);
        }
        if (broadcast && splits != null && splits.enabled()) {
            // A broadcast: split it — one upstream session shared by every player (§1.1 MS-MSSOD).
            // It reconnects across the route: the next origin that is up first (§2 failover).
            OriginFailover failover = new OriginFailover(opener, request, up.candidates(), hop, "split " + hop.key());
            return splits.joinOrStart(hop.key(), hop.displayName(), o.session(), request.eventLoop(),
                    failover::reopen);
        }
        if (cache != null) {
            OpenResult cached = cache.serve(request, hop, up.candidates(), o, CacheBridge.key(first),
                    up.cacheProtected(), group);
            if (cached != null) {
                return cached;
            }
        }
        return relay(request, hop, o, new OriginFailover(opener, request, up.candidates(), hop,
                "relay of " + hop.key() + " for " + request.peer()));
    }

    /** One upstream session for this player alone. */
    private OpenResult relay(OpenRequest request, Hop hop, UpstreamOpenResult.Opened o, OriginFailover failover) {
        upstreamSessions.incrementAndGet();
        metrics.upstreamOpened();
        log.info("peer={} path={} upstream open to {} (via {}){}", request.peer(), request.path(),
                hop.origin().hostPort(), hop.connectTo(), hop.path().equals(request.path()) ? ""
                        : " as " + hop.path());
        try {
            return new OpenResult.Opened(new UpstreamMedia(hop.displayName(), o.session(), o.openFile(), o.header(),
                    metrics, upstreamSessions::decrementAndGet, failover));
        } catch (RuntimeException e) {
            o.session().close();
            upstreamSessions.decrementAndGet();
            return new OpenResult.Failed(Hresults.E_FAIL, "bad upstream header: " + e.getMessage());
        }
    }

    /**
     * The outcome of a prestuff request.
     *
     * @param url     the cache key (origin URL)
     * @param item    the item being filled (null on error)
     * @param started true when a fill started; false when the item was complete or already filling
     * @param error   why nothing could be prestuffed, or null
     */
    public record Prestuff(String url, CacheItem item, boolean started, String error) {
    }

    /**
     * Fills the cache for content ahead of demand (prestuffing): {@code target} is a path as a
     * player would ask the edge for it (routed by the reverse rules), or, in forward mode, an
     * mms:// URL allowed by the allow rules. Completes once the fill started, not when it ends:
     * follow the item's coverage for progress.
     */
    public CompletableFuture<Prestuff> prestuff(String target) {
        if (cache == null) {
            return done(new Prestuff(target, null, false, "caching is disabled"));
        }
        Routing routing = this.routing;
        Router router = routing.router();
        Route route;
        OpenRequest request;
        if (target.regionMatches(true, 0, "mms", 0, 3) && target.contains("://")) {
            OriginUrl u;
            try {
                u = OriginUrl.parse(target);
            } catch (IllegalArgumentException e) {
                return done(new Prestuff(target, null, false, e.getMessage()));
            }
            if (!routing.settings().forward()) {
                return done(new Prestuff(target, null, false,
                        "a URL needs forward mode; give the path players use at this edge instead"));
            }
            request = new OpenRequest(u.path(), null, null, null, null);
            route = router.forward(u.host(), u.port(), u.path());
        } else {
            request = new OpenRequest(ContentPaths.normalize(target), null, null, null, null);
            route = router.route(request.path(), null);
        }
        if (route instanceof Route.Denied d) {
            return done(new Prestuff(target, null, false, d.reason()));
        }
        List<Hop> candidates = ((Route.Upstream) route).candidates();
        Hop hop = candidates.get(0);
        String key = CacheBridge.key(hop);
        EventLoop loop = fallbackGroup.next();
        String origin = "origin " + hop.origin().hostPort();
        return opener.openHop(request, hop, loop).handle((r, err) -> {
            if (err != null) {
                return new Prestuff(key, null, false, origin + ": " + err.getMessage());
            }
            if (r instanceof UpstreamOpenResult.AuthenticationRequired) {
                // A prestuff open carries no credentials; protected content is cached only as
                // each player's own open authorizes it.
                return new Prestuff(key, null, false, "protected content is not prestuffed");
            }
            if (r instanceof UpstreamOpenResult.Failed f) {
                return new Prestuff(key, null, false, origin + ": " + f.reason()
                        + (f.reason().contains("hr=") ? "" : " (hr=" + Hresults.hex(f.hr()) + ")"));
            }
            if (r instanceof UpstreamOpenResult.Redirected rd) {
                return new Prestuff(key, null, false, origin + " redirects (type " + rd.type() + " to '"
                        + rd.location() + "'): prestuff the content where it is");
            }
            if (!(r instanceof UpstreamOpenResult.Opened o)) {
                return new Prestuff(key, null, false, origin + " answered " + r);
            }
            CacheItem item = cache.itemFor(key, o, false);
            if (item == null) {
                o.session().close();
                return new Prestuff(key, null, false, !CacheBridge.cacheable(o)
                        ? "not cacheable: a broadcast, a playlist or content without a packet count"
                        : "larger than the disk cache");
            }
            boolean started = cache.prestuff(item, request, hop, candidates, o, loop);
            log.info("prestuff of {}: {}", key, started ? "fill started" : item.complete() ? "already complete"
                    : "already filling");
            return new Prestuff(key, item, started, null);
        });
    }

    private static CompletableFuture<Prestuff> done(Prestuff p) {
        return CompletableFuture.completedFuture(p);
    }

    /** Stops the origin opener's resolver threads (shutdown); splits are closed by their registry. */
    @Override
    public void close() {
        opener.close();
    }
}
