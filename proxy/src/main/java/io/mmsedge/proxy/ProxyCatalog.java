package io.mmsedge.proxy;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.Fingerprint;
import io.mmsedge.cache.serve.CacheService;
import io.mmsedge.cache.serve.FillSource;
import io.mmsedge.cache.serve.Filler;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.proxy.cache.UpstreamFillSource;
import io.mmsedge.proxy.relay.UpstreamMedia;
import io.mmsedge.proxy.route.AllowRule;
import io.mmsedge.proxy.route.OriginUrl;
import io.mmsedge.proxy.route.RedirectRule;
import io.mmsedge.proxy.route.ReverseRule;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.UpstreamRequest;
import io.mmsedge.proxy.upstream.UpstreamSession;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's media catalog: every OpenFile becomes an upstream MMS session (MS-MMSP §3.1) to
 * the origin chosen by the reverse rules, or — in forward mode — to the server the player named
 * in its subscriberName (§2.2.4.17). The player's session is still our one server session; only
 * its content comes from upstream.
 */
public final class ProxyCatalog implements MediaCatalog {

    private static final Logger log = LoggerFactory.getLogger(ProxyCatalog.class);
    /** Largest Data packet accepted from an origin (PacketSize is 16 bits). */
    private static final int MAX_UPSTREAM_PACKET = 65535 - 8;

    private final ProxySettings settings;
    private final EventLoopGroup fallbackGroup;
    private final ProxyMetrics metrics;
    private final AtomicInteger upstreamSessions = new AtomicInteger();
    private volatile InetSocketAddress listenAddress;
    /** Broadcast splitting (one upstream session per broadcast URL); null = relay per player. */
    private volatile io.mmsedge.proxy.split.SplitRegistry splits;

    public void setSplits(io.mmsedge.proxy.split.SplitRegistry registry) {
        this.splits = registry;
    }

    public io.mmsedge.proxy.split.SplitRegistry splits() {
        return splits;
    }

    /** On-demand caching (MS-MSSOD §1.1: the origin serves one transfer); null = relay every session. */
    private volatile CacheService cache;

    public void setCache(CacheService service) {
        this.cache = service;
    }

    public CacheService cache() {
        return cache;
    }

    /**
     * Opens in flight per URL. A player arriving while another player's open of the same URL is
     * still running waits for it: if the content turns out to be a broadcast it joins the split,
     * so a crowd arriving at once still costs the origin one session.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<Void>> probes =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * URLs whose last open found on-demand content. The wait on {@link #probes} exists so that a
     * crowd arriving at a broadcast costs the origin one session; players of on-demand content
     * gain nothing by queueing behind each other's opens, so a URL known to be on demand skips
     * it. If it has become a broadcast since, the open finds out and the player joins the split.
     * Bounded (in forward mode players choose the URLs); an entry lasts a minute.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> onDemand =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
                    .expireAfterWrite(java.time.Duration.ofMinutes(1)).build();

    public ProxyCatalog(ProxySettings settings, EventLoopGroup fallbackGroup, ProxyMetrics metrics) {
        this.settings = settings;
        this.fallbackGroup = fallbackGroup;
        this.metrics = metrics;
    }

    /** Our own MMS listener, so that a host-param naming it is not taken for a forward request. */
    public void setListenAddress(InetSocketAddress address) {
        this.listenAddress = address;
    }

    public int upstreamSessions() {
        return upstreamSessions.get();
    }

    public ProxySettings settings() {
        return settings;
    }

    /** Origins may challenge, and Basic challenges are relayed (§2.2.4.2 AuthenPackage). */
    @Override
    public String authenPackage() {
        return "BASIC";
    }

    @Override
    public OpenResult open(OpenRequest request) {
        SubscriberName sub = request.subscriber();
        if (sub != null && sub.viaContains(settings.via().value())) {
            log.warn("peer={} path={} proxy loop refused: this edge ({}) is already in VIA [{}]", request.peer(),
                    request.path(), settings.via(), String.join(", ", sub.via()));
            metrics.denied("loop");
            return new OpenResult.Failed(Hresults.NS_E_PROTOCOL_MISMATCH,
                    "proxy loop: " + settings.via() + " already in VIA " + sub.via());
        }
        Target target = route(request);
        if (target instanceof Target.Denied d) {
            log.warn("peer={} path={} denied: {}", request.peer(), request.path(), d.reason());
            metrics.denied(d.token());
            return new OpenResult.Failed(Hresults.E_ACCESS_DENIED, d.reason());
        }
        Target.Upstream up = (Target.Upstream) target;
        boolean busy = settings.maxSessions() > 0 && upstreamSessions.get() >= settings.maxSessions();
        for (RedirectRule rule : settings.playerRedirects()) {
            if (rule.matches(request.path(), up.forwardHost(), busy)) {
                metrics.redirectToPlayer(rule.type());
                log.info("peer={} path={} redirecting player: type {} to '{}'{}", request.peer(), request.path(),
                        rule.type(), rule.location(), rule.whenBusy() ? " (at session limit)" : "");
                return new OpenResult.Redirect(rule.type(), rule.location(),
                        rule.whenBusy() ? "session limit reached" : "redirect policy");
            }
        }
        if (busy) {
            metrics.denied("busy");
            return new OpenResult.Failed(Hresults.NS_E_SERVER_UNAVAILABLE,
                    "at the session limit of " + settings.maxSessions());
        }
        OpenContext cc = up.candidates().isEmpty() ? null
                : new OpenContext(splitKey(up.candidates().get(0)), up.cacheProtected());
        CacheService cs = cache;
        CacheItem cached = cs == null || cc == null ? null : cs.store().lookup(cc.cacheKey());
        if (cached != null && cs.trusted(cached)) {
            // Confirmed by the origin within the trust window: no freshness check this time.
            Hop first = up.candidates().get(0);
            EventLoopGroup group = request.eventLoop() != null ? request.eventLoop() : fallbackGroup;
            log.info("peer={} path={} served from the cache without a freshness check (trusted for {} s)",
                    request.peer(), request.path(), cs.policy().trustMillis() / 1000);
            return new OpenResult.Opened(cs.media(cached, displayName(first), null, filler(request, first, cached,
                    group)));
        }
        io.mmsedge.proxy.split.SplitRegistry reg = splits;
        if (reg != null && reg.enabled() && cc != null && onDemand.getIfPresent(cc.key()) == null) {
            // A running split of this URL: join it without contacting the origin at all.
            Hop first = up.candidates().get(0);
            String key = cc.key();
            var joined = reg.tryJoin(key, displayName(first), request.eventLoop());
            if (joined != null) {
                log.info("peer={} path={} joined split {}", request.peer(), request.path(), key);
                return new OpenResult.Opened(joined);
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> inFlight = probes.putIfAbsent(key, mine);
            if (inFlight != null) {
                // Another player is opening this URL right now: wait, then try again (joining
                // its split if it was a broadcast, opening our own session if it was not).
                CompletableFuture<OpenResult> again = inFlight.handle((v, e) -> (Void) null).thenCompose(v -> {
                    OpenResult r = open(request);
                    return r instanceof OpenResult.Pending p ? p.result().toCompletableFuture()
                            : CompletableFuture.completedFuture(r);
                });
                return new OpenResult.Pending(again);
            }
            EventLoopGroup group = request.eventLoop() != null ? request.eventLoop() : fallbackGroup;
            CompletableFuture<OpenResult> result = new CompletableFuture<>();
            result.whenComplete((r, e) -> {
                probes.remove(key, mine);
                mine.complete(null);
            });
            attempt(request, up.candidates(), 0, 0, new HashSet<>(), group, result, null, cc);
            return new OpenResult.Pending(result);
        }
        EventLoopGroup group = request.eventLoop() != null ? request.eventLoop() : fallbackGroup;
        CompletableFuture<OpenResult> result = new CompletableFuture<>();
        attempt(request, up.candidates(), 0, 0, new HashSet<>(), group, result, null, cc);
        return new OpenResult.Pending(result);
    }

    /** Where a request goes. */
    private sealed interface Target {
        record Upstream(List<Hop> candidates, String forwardHost, boolean cacheProtected) implements Target {
        }

        record Denied(String reason, String token) implements Target {
        }
    }

    /** One upstream attempt: connect to {@code connectTo}, asking for {@code origin}'s {@code path}. */
    private record Hop(InetSocketAddress connectTo, OriginUrl origin, String path) {
        static Hop direct(OriginUrl origin, String path) {
            return new Hop(InetSocketAddress.createUnresolved(origin.host(), origin.port()), origin, path);
        }

        static Hop through(OriginUrl proxy, OriginUrl origin, String path) {
            return new Hop(InetSocketAddress.createUnresolved(proxy.host(), proxy.port()), origin, path);
        }
    }

    /** The first hop to an origin: through the configured upstream proxy, if any. */
    private Hop firstHop(OriginUrl origin, String path) {
        return settings.upstreamProxy() == null ? Hop.direct(origin, path)
                : Hop.through(settings.upstreamProxy(), origin, path);
    }

    private Target route(OpenRequest request) {
        SubscriberName sub = request.subscriber();
        String path = request.path();
        if (settings.forward() && sub != null) {
            String named = sub.hostString() != null ? sub.hostString() : sub.hostParam();
            if (named != null && !named.isBlank()) {
                SubscriberName.HostPort hp = SubscriberName.parseHostInfo(named, OriginUrl.DEFAULT_PORT);
                if (hp != null && !isSelf(hp, sub.hostString() != null || named.contains(":"))) {
                    return forward(hp, path);
                }
            }
        }
        for (ReverseRule rule : settings.reverse()) {
            if (rule.matches(path)) {
                List<Hop> hops = new ArrayList<>();
                for (OriginUrl o : rule.origins()) {
                    hops.add(firstHop(o, o.resolve(rule.strip(path))));
                }
                return new Target.Upstream(hops, null, rule.cacheProtected());
            }
        }
        return new Target.Denied("no reverse rule serves '" + path + "'"
                + (settings.forward() ? " and the player named no other server" : ""), "no_route");
    }

    private Target forward(SubscriberName.HostPort hp, String path) {
        String host = hp.host().toLowerCase(Locale.ROOT);
        for (AllowRule rule : settings.allow()) {
            if (rule.allows(host, hp.port())) {
                OriginUrl origin = new OriginUrl("mmst", hp.host(), hp.port(), "");
                return new Target.Upstream(List.of(firstHop(origin, path)), hp.host(), false);
            }
        }
        return new Target.Denied("forward request to " + hp.host() + ":" + hp.port()
                + " is not allowed by any allow rule (not an open relay)", "forward_not_allowed");
    }

    /**
     * True when a host-param names this edge. Players put the URL's host there, without its
     * port (notes/clients.md), so a reverse-proxied request names us; a port is only trusted
     * when the player gave one explicitly.
     */
    private boolean isSelf(SubscriberName.HostPort hp, boolean explicitPort) {
        String host = hp.host().toLowerCase(Locale.ROOT);
        InetSocketAddress us = listenAddress;
        boolean ourName = settings.localNames().contains(host) || host.equals("localhost");
        if (us != null) {
            String ourHost = us.getAddress() != null ? us.getAddress().getHostAddress() : us.getHostString();
            ourName |= host.equals(ourHost) || (us.getAddress() != null && us.getAddress().isAnyLocalAddress());
            ourName |= host.equals("127.0.0.1") && us.getAddress() != null && us.getAddress().isLoopbackAddress();
            if (ourName && explicitPort) {
                return hp.port() == us.getPort();
            }
        }
        return ourName;
    }

    private void attempt(OpenRequest request, List<Hop> candidates, int index, int hops, Set<String> visited,
                         EventLoopGroup group, CompletableFuture<OpenResult> result, OpenResult lastFailure,
                         OpenContext cc) {
        if (index >= candidates.size()) {
            CacheService cs = cache;
            CacheItem stale = cs == null || cc == null || lastFailure == null ? null : cs.stale(cc.cacheKey());
            if (stale != null) {
                // The origin can't be reached: a complete, unprotected copy beats an error.
                String why = lastFailure instanceof OpenResult.Failed f ? f.reason() : String.valueOf(lastFailure);
                log.warn("peer={} path={} origin unreachable ({}): serving the cached copy of {} without a freshness "
                        + "check", request.peer(), request.path(), why, cc.cacheKey());
                cs.metrics().servedStale();
                result.complete(new OpenResult.Opened(cs.media(stale, displayName(candidates.get(0)), null,
                        () -> CompletableFuture.failedFuture(new IllegalStateException("origin unreachable")))));
                return;
            }
            result.complete(lastFailure != null ? lastFailure
                    : new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, "no origin could be reached"));
            return;
        }
        Hop hop = candidates.get(index);
        visited.add(hop.origin().hostPort() + "/" + hop.path());
        openHop(request, hop, group).whenComplete((r, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                r = new UpstreamOpenResult.Failed(Hresults.NS_E_NOCONNECTION, cause.getMessage() != null
                        ? cause.getMessage() : cause.toString());
            }
            io.mmsedge.proxy.split.SplitRegistry reg = splits;
            boolean broadcast = r instanceof UpstreamOpenResult.Opened o
                    && (o.openFile().fileAttributes() & ContentInfo.ATTR_BROADCAST) != 0;
            if (cc != null && r instanceof UpstreamOpenResult.Opened) {
                if (broadcast) {
                    onDemand.invalidate(cc.key());
                } else {
                    onDemand.put(cc.key(), Boolean.TRUE);
                }
            }
            if (r instanceof UpstreamOpenResult.Opened o && reg != null && reg.enabled() && broadcast) {
                // A broadcast: split it — one upstream session shared by every player (§1.1 MS-MSSOD).
                result.complete(reg.joinOrStart(splitKey(hop), displayName(hop), o.session(), request.eventLoop(),
                        loop -> openHop(request, hop, loop)));
                return;
            }
            if (r instanceof UpstreamOpenResult.Opened o && cc != null && cache != null) {
                OpenResult cached = openCached(request, hop, o, cc, group);
                if (cached != null) {
                    result.complete(cached);
                    return;
                }
            }
            if (r instanceof UpstreamOpenResult.Opened o) {
                upstreamSessions.incrementAndGet();
                metrics.upstreamOpened();
                log.info("peer={} path={} upstream open to {} (via {}){}", request.peer(), request.path(),
                        hop.origin().hostPort(), hop.connectTo(), hop.path().equals(request.path()) ? ""
                                : " as " + hop.path());
                try {
                    result.complete(new OpenResult.Opened(new UpstreamMedia(displayName(hop), o.session(),
                            o.openFile(), o.header(), metrics, () -> upstreamSessions.decrementAndGet())));
                } catch (RuntimeException e) {
                    o.session().close();
                    upstreamSessions.decrementAndGet();
                    result.complete(new OpenResult.Failed(Hresults.E_FAIL, "bad upstream header: " + e.getMessage()));
                }
            } else if (r instanceof UpstreamOpenResult.Failed f) {
                log.warn("peer={} path={} origin {} failed: hr={} {}", request.peer(), request.path(),
                        hop.origin().hostPort(), Hresults.hex(f.hr()), f.reason());
                metrics.upstreamFailed();
                // Content errors (file not found, access denied) are the origin's answer: pass them on.
                // Connection-level failures move on to the next origin.
                boolean contentAnswer = f.hr() == Hresults.E_FILE_NOT_FOUND || f.hr() == Hresults.E_ACCESS_DENIED
                        || f.hr() == Hresults.E_PATH_NOT_FOUND;
                OpenResult failure = new OpenResult.Failed(f.hr(), "origin " + hop.origin().hostPort() + ": " + f.reason());
                if (contentAnswer) {
                    result.complete(failure);
                } else {
                    attempt(request, candidates, index + 1, hops, visited, group, result, failure, cc);
                }
            } else if (r instanceof UpstreamOpenResult.Redirected rd) {
                onUpstreamRedirect(request, hop, rd, candidates, index, hops, visited, group, result, cc);
            } else if (r instanceof UpstreamOpenResult.AuthenticationRequired a) {
                if (a.ntlm()) {
                    result.complete(new OpenResult.Failed(Hresults.E_ACCESS_DENIED,
                            "origin wants NTLM, which this edge does not relay"));
                } else {
                    result.complete(new OpenResult.AuthenticationRequired(a.realm()));
                }
            }
        });
    }

    private void onUpstreamRedirect(OpenRequest request, Hop hop, UpstreamOpenResult.Redirected rd, List<Hop> candidates,
                                    int index, int hops, Set<String> visited, EventLoopGroup group,
                                    CompletableFuture<OpenResult> result, OpenContext cc) {
        metrics.redirectFromUpstream(rd.type());
        if (hops >= settings.maxRedirectHops()) {
            result.complete(new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT,
                    "too many redirects (" + hops + ") starting at " + hop.origin()));
            return;
        }
        if (rd.type() == 2) {
            // §2.2.4.9: use a different proxy; an empty location means go direct to the origin.
            Hop next;
            if (rd.location().isEmpty()) {
                next = Hop.direct(hop.origin(), hop.path());
                log.info("peer={} path={} upstream asks to bypass proxies: connecting directly to {}", request.peer(),
                        request.path(), hop.origin().hostPort());
            } else {
                OriginUrl proxy;
                try {
                    proxy = OriginUrl.parse(rd.location());
                } catch (IllegalArgumentException e) {
                    result.complete(new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, "bad proxy redirect: " + e.getMessage()));
                    return;
                }
                next = new Hop(InetSocketAddress.createUnresolved(proxy.host(), proxy.port()), hop.origin(), hop.path());
                log.info("peer={} path={} upstream asks to use proxy {}: reconnecting through it to {}", request.peer(),
                        request.path(), proxy.hostPort(), hop.origin().hostPort());
            }
            if (next.connectTo().equals(hop.connectTo())) {
                result.complete(new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT,
                        "proxy redirect loops back to " + hop.connectTo()));
                return;
            }
            attempt(request, List.of(next), 0, hops + 1, visited, group, result, null, cc);
            return;
        }
        if (!settings.followRedirects()) {
            log.info("peer={} path={} passing upstream redirect to the player: {}", request.peer(), request.path(),
                    rd.location());
            result.complete(new OpenResult.Redirect(OpenResult.Redirect.TYPE_URL, rd.location(), "upstream redirect"));
            return;
        }
        OriginUrl target;
        try {
            target = OriginUrl.parse(rd.location());
        } catch (IllegalArgumentException e) {
            result.complete(new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, "bad redirect: " + e.getMessage()));
            return;
        }
        String key = target.hostPort() + "/" + target.path();
        if (!visited.add(key)) {
            result.complete(new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, "redirect loop at " + target));
            return;
        }
        log.info("peer={} path={} following upstream redirect to {}", request.peer(), request.path(), target);
        attempt(request, List.of(firstHop(target, target.path())), 0, hops + 1, visited, group, result, null, cc);
    }

    /**
     * Resolves an origin's name off the event loop (a DNS lookup must never block sessions);
     * literal addresses resolve at once.
     */
    private static CompletableFuture<InetSocketAddress> resolve(InetSocketAddress a) {
        if (!a.isUnresolved()) {
            return CompletableFuture.completedFuture(a);
        }
        String host = a.getHostString();
        if (host.matches("[0-9.]+") || host.contains(":")) {
            return CompletableFuture.completedFuture(new InetSocketAddress(host.replace("[", "").replace("]", ""),
                    a.getPort()));
        }
        return CompletableFuture.supplyAsync(() -> {
            InetSocketAddress r = new InetSocketAddress(host, a.getPort());
            if (r.isUnresolved()) {
                throw new java.util.concurrent.CompletionException(
                        new java.net.UnknownHostException("cannot resolve origin host " + host));
            }
            return r;
        }, RESOLVER);
    }

    /** Few threads, daemon: name lookups for origins and forward targets. */
    private static final java.util.concurrent.Executor RESOLVER = java.util.concurrent.Executors.newFixedThreadPool(2,
            r -> {
                Thread t = new Thread(r, "mms-edge-resolver");
                t.setDaemon(true);
                return t;
            });

    /** Opens one upstream session for a hop (names resolved off the event loop). */
    private CompletableFuture<UpstreamOpenResult> openHop(OpenRequest request, Hop hop, EventLoopGroup group) {
        return resolve(hop.connectTo()).thenCompose(address -> {
            UpstreamRequest up = new UpstreamRequest(address, hop.origin().hostPort(), hop.path(),
                    request.subscriber(), settings.via().value(), request.credentials(), settings.connectTimeout(),
                    MAX_UPSTREAM_PACKET);
            return UpstreamSession.open(up, group);
        });
    }

    // ------------------------------------------------------------------ caching

    /**
     * What an open carries through failover and redirects.
     *
     * @param key            the first candidate's URL (host:port/path): open queue, on-demand memory
     * @param cacheProtected whether its rule caches content the origin protects
     */
    private record OpenContext(String key, boolean cacheProtected) {
        /** The cache key: the first candidate's URL, so failover to a second origin still hits. */
        String cacheKey() {
            return "mms://" + key;
        }
    }

    /**
     * After the freshness check (the upstream open: Connect, Funnel, OpenFile, ReadBlock), serve
     * on-demand content from the cache: the stored item if its fingerprint still matches,
     * otherwise a new one filled write-through. The open session feeds the first fill, or is
     * closed at once on a complete hit. Null: not cacheable, relay as before.
     */
    private OpenResult openCached(OpenRequest request, Hop hop, UpstreamOpenResult.Opened o, OpenContext cc,
                                  EventLoopGroup group) {
        CacheService cs = cache;
        // Protected when the origin challenged this session, or when the player's credentials
        // went up with the OpenFile (the edge challenged the player on the origin's behalf first).
        boolean protectedContent = o.session().challenged() || request.credentials() != null;
        if (protectedContent && !cc.cacheProtected()) {
            return null; // protected content is cached only where a rule says so
        }
        CacheItem item = cacheItemFor(cc.cacheKey(), o, protectedContent);
        if (item == null) {
            return null;
        }
        log.info("peer={} path={} cache {} for {} ({} of {} packets stored)", request.peer(), request.path(),
                item.complete() ? "hit" : item.coveredPackets() > 0 ? "partial hit" : "miss", cc.cacheKey(),
                item.coveredPackets(), item.packetCount());
        return new OpenResult.Opened(cs.media(item, displayName(hop), fillSource(o),
                filler(request, hop, item, group)));
    }

    /**
     * After a freshness open: the item holding what the origin now serves (see
     * {@link CacheService#itemFor}), or null when the content is not cacheable.
     */
    private CacheItem cacheItemFor(String key, UpstreamOpenResult.Opened o, boolean protectedContent) {
        ContentInfo info = cacheableContent(o);
        return info == null ? null
                : cache.itemFor(key, info, Fingerprint.of(o.header(), info.packetCount()), protectedContent);
    }

    /**
     * The entry an open describes, if it may be cached: on-demand (not BROADCAST: broadcasts are
     * split), a single entry (playlists are relayed) with a known packet count. Else null.
     */
    private static ContentInfo cacheableContent(UpstreamOpenResult.Opened o) {
        ReportOpenFile of = o.openFile();
        int attributes = of.fileAttributes();
        long packets = of.filePacketCount();
        if ((attributes & (ContentInfo.ATTR_BROADCAST | ContentInfo.ATTR_PLAYLIST)) != 0 || packets <= 0
                || (attributes & ContentInfo.ATTR_CANSEEK) == 0) {
            return null;
        }
        try {
            return ContentInfo.fromHeader(o.header(), of.filePacketSize(), packets,
                    Integer.toUnsignedLong(of.fileBitRate()), of.fileDuration(), attributes);
        } catch (RuntimeException e) {
            return null; // the relay reports the bad header
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
        CacheService cs = cache;
        if (cs == null) {
            return CompletableFuture.completedFuture(new Prestuff(target, null, false, "caching is disabled"));
        }
        Target t;
        OpenRequest request;
        if (target.regionMatches(true, 0, "mms", 0, 3) && target.contains("://")) {
            OriginUrl u;
            try {
                u = OriginUrl.parse(target);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(new Prestuff(target, null, false, e.getMessage()));
            }
            if (!settings.forward()) {
                return CompletableFuture.completedFuture(new Prestuff(target, null, false,
                        "a URL needs forward mode; give the path players use at this edge instead"));
            }
            request = new OpenRequest(u.path(), null, null, null, null);
            t = forward(new SubscriberName.HostPort(u.host(), u.port()), u.path());
        } else {
            request = new OpenRequest(io.mmsedge.server.media.ContentPaths.normalize(target), null, null, null, null);
            t = route(request);
        }
        if (t instanceof Target.Denied d) {
            return CompletableFuture.completedFuture(new Prestuff(target, null, false, d.reason()));
        }
        Target.Upstream up = (Target.Upstream) t;
        Hop hop = up.candidates().get(0);
        String key = new OpenContext(splitKey(hop), false).cacheKey();
        io.netty.channel.EventLoop loop = fallbackGroup.next();
        return openHop(request, hop, loop).handle((r, err) -> {
            if (err != null) {
                return new Prestuff(key, null, false, "origin " + hop.origin().hostPort() + ": " + err.getMessage());
            }
            if (r instanceof UpstreamOpenResult.AuthenticationRequired) {
                // A prestuff open carries no credentials; protected content is cached only as
                // each player's own open authorizes it.
                return new Prestuff(key, null, false, "protected content is not prestuffed");
            }
            if (r instanceof UpstreamOpenResult.Failed f) {
                return new Prestuff(key, null, false, "origin " + hop.origin().hostPort() + ": " + f.reason()
                        + (f.reason().contains("hr=") ? "" : " (hr=" + Hresults.hex(f.hr()) + ")"));
            }
            if (r instanceof UpstreamOpenResult.Redirected rd) {
                return new Prestuff(key, null, false, "origin " + hop.origin().hostPort() + " redirects (type "
                        + rd.type() + " to '" + rd.location() + "'): prestuff the content where it is");
            }
            if (!(r instanceof UpstreamOpenResult.Opened o)) {
                return new Prestuff(key, null, false, "origin " + hop.origin().hostPort() + " answered " + r);
            }
            CacheItem item = cacheItemFor(key, o, false);
            if (item == null) {
                o.session().close();
                return new Prestuff(key, null, false, cacheableContent(o) == null
                        ? "not cacheable: a broadcast, a playlist or content without a packet count"
                        : "larger than the disk cache");
            }
            boolean started = cs.prestuff(item, fillSource(o), filler(request, hop, item, loop));
            log.info("prestuff of {}: {}", key, started ? "fill started" : item.complete() ? "already complete"
                    : "already filling");
            return new Prestuff(key, item, started, null);
        });
    }

    /**
     * A fill session over an open upstream session. Nobody watches a fill, only the players behind
     * it, who are paced by their own sessions: the origin is asked to send it {@code fillSpeed}
     * times faster than the content's bit rate (dwAccelBandwidth for the whole content), so the
     * cache is ahead of its viewers and a prestuff takes a fraction of the content's duration.
     */
    private UpstreamFillSource fillSource(UpstreamOpenResult.Opened o) {
        upstreamSessions.incrementAndGet();
        metrics.upstreamOpened();
        double speed = cache.policy().fillSpeed();
        long bitRate = Integer.toUnsignedLong(o.openFile().fileBitRate());
        long accelBitRate = speed > 1 && bitRate > 0 ? (long) Math.min(bitRate * speed, 0xFFFF_FFFFL) : 0;
        // Some slack over the duration: send times run up to a preroll past it.
        double durationMs = o.openFile().fileDuration() * 1000;
        long accelMs = durationMs > 0 && durationMs < 0xFFFF_FFFFL - 60_000 ? (long) durationMs + 60_000 : 0xFFFF_FFFFL;
        return new UpstreamFillSource(o.session(), metrics, () -> {
            upstreamSessions.decrementAndGet();
            metrics.upstreamClosed();
        }, accelBitRate, accelMs);
    }

    /**
     * Opens further fill sessions for {@code item} with the player's own subscriberName and
     * credentials, refusing any whose content no longer matches the item's fingerprint.
     */
    private Filler filler(OpenRequest request, Hop hop, CacheItem item, EventLoopGroup group) {
        return () -> openHop(request, hop, group).thenApply(r -> {
            if (r instanceof UpstreamOpenResult.Opened o) {
                Fingerprint now = Fingerprint.of(o.header(), o.openFile().filePacketCount());
                if (!now.equals(item.fingerprint())) {
                    o.session().close();
                    throw new IllegalStateException("the content of " + item.url() + " changed at the origin");
                }
                return (FillSource) fillSource(o);
            }
            throw new IllegalStateException("origin refused the fill session: " + r);
        });
    }

    private static String splitKey(Hop hop) {
        return hop.origin().hostPort() + "/" + hop.path();
    }

    private static String displayName(Hop hop) {
        return "upstream:" + hop.origin().hostPort();
    }
}
