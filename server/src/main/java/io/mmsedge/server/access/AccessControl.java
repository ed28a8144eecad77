package io.mmsedge.server.access;

import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's player access control, in front of its catalog: IP allow and deny lists, and the
 * limits of {@link AccessRules}, for the listener and for the scope (publishing point, reverse
 * prefix) a path falls in. It decides when a player asks for content (OpenFile, MMSH Describe or
 * Play): that is when both front ends can tell the player why in its own protocol (ReportOpenFile
 * with the HRESULT WMS uses, or the HTTP status), and when the path is known. A refused player
 * gets that error, or at a limit a type 2 proxy redirect (MS-MMSP §2.2.4.9) to the scope's
 * sibling; the refusal is logged with the peer, scope, rule and reason, and counted.
 *
 * <p>The policy is one immutable {@link AccessPolicy} in one reference: {@link #replace} swaps it
 * for sessions that open after it; what was given out (players, bandwidth) is kept by scope
 * name, so the new limits count the players that are already playing.
 */
public final class AccessControl implements MediaCatalog {

    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
    /** The listener's own counters (scope names are publishing-point names or prefixes, never this). */
    private static final String LISTENER = "\0listener";

    private final MediaCatalog catalog;
    private final ServerMetrics metrics;
    private final String listenerName;
    private final AtomicReference<AccessPolicy> policy;
    private final ConcurrentHashMap<String, ScopeState> states = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Refusal, long[]> logged = new ConcurrentHashMap<>();

    /**
     * @param listenerName "server" or "edge", for the log
     */
    public AccessControl(MediaCatalog catalog, AccessPolicy policy, ServerMetrics metrics, String listenerName) {
        this.catalog = catalog;
        this.metrics = metrics;
        this.listenerName = listenerName;
        this.policy = new AtomicReference<>(policy == null ? AccessPolicy.OPEN : policy);
    }

    /** The policy new sessions are checked against. */
    public AccessPolicy policy() {
        return policy.get();
    }

    /**
     * Swaps the policy (a reload): sessions that open from now on are checked against
     * {@code next}; sessions already admitted keep playing with the limits they were given.
     * Returns the policy it replaced.
     */
    public AccessPolicy replace(AccessPolicy next) {
        return policy.getAndSet(next == null ? AccessPolicy.OPEN : next);
    }

    @Override
    public String authenPackage() {
        return catalog.authenPackage();
    }

    /** Players the listener counts now (tests, status). */
    public int players() {
        return state(LISTENER).players();
    }

    /** The bit rate of the listener's admitted players (tests, status). */
    public long bandwidthBps() {
        return state(LISTENER).bandwidthBps();
    }

    @Override
    public OpenResult open(OpenRequest request) {
        AccessPolicy p = policy.get();
        AccessPolicy.Scope scope = p.scopeFor(request.path());
        AccessRules scoped = scope == null ? AccessRules.NONE : scope.rules();
        // Every player is counted, under rules or none, so that a policy swapped in later (a reload
        // that adds a limit) counts the players already in.
        InetAddress address = request.peer().getAddress();
        Gate listener = new Gate("listener", p.listener(), state(LISTENER));
        Gate own = new Gate(scope == null ? "-" : "'" + scope.name() + "'", scoped,
                scope == null ? new ScopeState() : state(scope.name()));
        for (Gate g : new Gate[] {listener, own}) {
            if (!g.rules.admits(address)) {
                return refuse(request, g, Refusal.DENIED, g.rules.refusingRule(address));
            }
        }
        for (Gate g : new Gate[] {listener, own}) {
            if (!g.state.takeSession(address, g.rules.connectionsPerSecond())) {
                return refuse(request, g, Refusal.CONNECTION_RATE, "connectionsPerSecond "
                        + g.rules.connectionsPerSecond());
            }
        }
        if (!listener.state.reservePlayer(listener.rules.maxPlayers())) {
            return refuse(request, listener, Refusal.MAX_PLAYERS, "maxPlayers " + listener.rules.maxPlayers());
        }
        if (!own.state.reservePlayer(own.rules.maxPlayers())) {
            listener.state.releasePlayer();
            return refuse(request, own, Refusal.MAX_PLAYERS, "maxPlayers " + own.rules.maxPlayers());
        }
        OpenResult result;
        try {
            result = catalog.open(request);
        } catch (RuntimeException e) {
            listener.state.releasePlayer();
            own.state.releasePlayer();
            throw e;
        }
        return admitted(request, result, listener, own);
    }

    /** One set of rules with its counters. */
    private record Gate(String name, AccessRules rules, ScopeState state) {
    }

    private ScopeState state(String name) {
        return states.computeIfAbsent(name, n -> new ScopeState());
    }

    /** The catalog's answer to an admitted player: its bandwidth is checked once its content is known. */
    private OpenResult admitted(OpenRequest request, OpenResult result, Gate listener, Gate own) {
        if (result instanceof OpenResult.Pending pending) {
            return new OpenResult.Pending(pending.result().handle((r, err) -> {
                if (err != null) {
                    listener.state.releasePlayer();
                    own.state.releasePlayer();
                    throw err instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(err);
                }
                return admitted(request, r, listener, own);
            }));
        }
        if (!(result instanceof OpenResult.Opened opened)) {
            listener.state.releasePlayer();
            own.state.releasePlayer();
            return result;
        }
        Media media = opened.media();
        long playerBps = minLimit(listener.rules.maxPlayerBandwidthBps(), own.rules.maxPlayerBandwidthBps());
        long bitRate = Math.max(0, media.info().bitRate());
        // A throttled player can't take more than its own limit of the aggregate.
        long counted = playerBps > 0 ? Math.min(bitRate, playerBps) : bitRate;
        Gate over = null;
        if (!listener.state.reserveBandwidth(counted, listener.rules.maxBandwidthBps())) {
            over = listener;
        } else if (!own.state.reserveBandwidth(counted, own.rules.maxBandwidthBps())) {
            listener.state.releaseBandwidth(counted);
            over = own;
        }
        if (over != null) {
            media.close();
            listener.state.releasePlayer();
            own.state.releasePlayer();
            return refuse(request, over, Refusal.MAX_BANDWIDTH, "maxBandwidth " + over.rules.maxBandwidthBps()
                    + " bit/s, admitted " + over.state.bandwidthBps() + " + " + counted);
        }
        Runnable release = () -> {
            listener.state.releaseBandwidth(counted);
            own.state.releaseBandwidth(counted);
            listener.state.releasePlayer();
            own.state.releasePlayer();
        };
        return new OpenResult.Opened(new LimitedMedia(media, release, playerBps, request.eventLoop()));
    }

    private static long minLimit(long a, long b) {
        return a <= 0 ? b : b <= 0 ? a : Math.min(a, b);
    }

    private OpenResult refuse(OpenRequest request, Gate gate, Refusal why, String rule) {
        metrics.error(why.token);
        String redirect = why.redirectable() ? gate.rules.redirect() : null;
        logRefusal(request, gate, why, rule, redirect);
        if (redirect != null) {
            return new OpenResult.Redirect(OpenResult.Redirect.TYPE_PROXY, redirect, why.token);
        }
        return new OpenResult.Failed(why.hr, why.token + " (" + rule + ")");
    }

    /** Up to 5 refusals a second per reason are logged; the rest are counted into the next line. */
    private void logRefusal(OpenRequest request, Gate gate, Refusal why, String rule, String redirect) {
        long now = System.nanoTime();
        // {start of the current second, lines logged in it, refusals not logged in it}
        long[] s = logged.computeIfAbsent(why, r -> new long[] {now, 0, 0});
        long suppressed = 0;
        synchronized (s) {
            if (now - s[0] >= TimeUnit.SECONDS.toNanos(1)) {
                suppressed = s[2];
                s[0] = now;
                s[1] = 0;
                s[2] = 0;
            }
            if (++s[1] > 5) {
                s[2]++;
                return;
            }
        }
        log.warn("peer={} path={} listener={} scope={} refused: {} ({}){}{}", request.peer(), request.path(),
                listenerName, gate.name(), why.token, rule,
                redirect != null ? "; type 2 redirect to " + redirect : "",
                suppressed > 0 ? "; " + suppressed + " more " + why.token + " refusals not logged before" : "");
    }
}
