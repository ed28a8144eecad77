package io.mmsedge.proxy.origin;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.proxy.route.AllowRule;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.route.OriginUrl;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.channel.EventLoopGroup;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open across a route's origins: the candidates still to try, the redirects followed so far
 * and the URLs visited (redirect loops). Its steps run one after another (each starts when the
 * previous upstream open completes), so its fields need no locking.
 */
final class Attempt {

    private static final Logger log = LoggerFactory.getLogger(OriginOpener.class);

    private final OriginOpener opener;
    private final OpenRequest request;
    private final EventLoopGroup group;
    private final CompletableFuture<OriginOutcome> result = new CompletableFuture<>();
    private final Set<String> visited = new HashSet<>();
    private List<Hop> candidates = List.of();
    private int next;
    private int redirects;
    private OpenResult.Failed lastFailure;

    Attempt(OriginOpener opener, OpenRequest request, EventLoopGroup group) {
        this.opener = opener;
        this.request = request;
        this.group = group;
    }

    CompletableFuture<OriginOutcome> start(List<Hop> hops) {
        tryCandidates(hops);
        return result;
    }

    /** Starts over on {@code hops}: the route's origins, or the one a redirect names. */
    private void tryCandidates(List<Hop> hops) {
        candidates = hops;
        next = 0;
        lastFailure = null;
        tryNext();
    }

    private void tryNext() {
        if (next >= candidates.size()) {
            result.complete(lastFailure != null ? new OriginOutcome.Unreachable(lastFailure)
                    : answer(new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, "no origin could be reached")));
            return;
        }
        Hop hop = candidates.get(next++);
        visited.add(hop.key());
        opener.openHop(request, hop, group).whenComplete((r, err) -> {
            try {
                onResult(hop, err != null ? failure(err) : r);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
    }

    private static UpstreamOpenResult failure(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        return new UpstreamOpenResult.Failed(Hresults.NS_E_NOCONNECTION,
                cause.getMessage() != null ? cause.getMessage() : cause.toString());
    }

    private void onResult(Hop hop, UpstreamOpenResult r) {
        if (!(r instanceof UpstreamOpenResult.Failed)) {
            opener.health().succeeded(hop); // it answered: up, whatever the answer
        }
        if (r instanceof UpstreamOpenResult.Opened o) {
            result.complete(new OriginOutcome.Opened(hop, o));
        } else if (r instanceof UpstreamOpenResult.Failed f) {
            log.warn("peer={} path={} origin {} failed: hr={} {}", request.peer(), request.path(),
                    hop.origin().hostPort(), Hresults.hex(f.hr()), f.reason());
            opener.metrics().upstreamFailed();
            // Content errors (file not found, access denied) are the origin's answer: pass them on.
            // Connection-level failures move on to the next origin.
            boolean contentAnswer = contentAnswer(f.hr());
            OpenResult.Failed failure = new OpenResult.Failed(f.hr(), "origin " + hop.origin().hostPort() + ": "
                    + f.reason());
            if (contentAnswer) {
                opener.health().succeeded(hop);
                result.complete(answer(failure));
            } else {
                opener.failed(hop, f.reason(), group);
                lastFailure = failure;
                tryNext();
            }
        } else if (r instanceof UpstreamOpenResult.Redirected rd) {
            onRedirect(hop, rd);
        } else if (r instanceof UpstreamOpenResult.AuthenticationRequired a) {
            result.complete(answer(a.ntlm()
                    ? new OpenResult.Failed(Hresults.E_ACCESS_DENIED, "origin wants NTLM, which this edge does not relay")
                    : new OpenResult.AuthenticationRequired(a.realm())));
        }
    }

    /** A failure hr that is the origin's answer about the content, not a connection-level failure. */
    static boolean contentAnswer(int hr) {
        return hr == Hresults.E_FILE_NOT_FOUND || hr == Hresults.E_ACCESS_DENIED || hr == Hresults.E_PATH_NOT_FOUND;
    }

    private void onRedirect(Hop hop, UpstreamOpenResult.Redirected rd) {
        opener.metrics().redirectFromUpstream(rd.type());
        if (redirects >= opener.settings().maxRedirectHops()) {
            fail("too many redirects (" + redirects + ") starting at " + hop.origin());
            return;
        }
        if (rd.type() == OpenResult.Redirect.TYPE_PROXY) {
            onProxyRedirect(hop, rd.location());
            return;
        }
        if (!opener.settings().followRedirects()) {
            log.info("peer={} path={} passing upstream redirect to the player: {}", request.peer(), request.path(),
                    rd.location());
            result.complete(answer(new OpenResult.Redirect(OpenResult.Redirect.TYPE_URL, rd.location(),
                    "upstream redirect")));
            return;
        }
        OriginUrl target;
        try {
            target = OriginUrl.parse(rd.location());
        } catch (IllegalArgumentException e) {
            fail("bad redirect: " + e.getMessage());
            return;
        }
        if (hop.playerNamed() && !forwardAllowed(hop, target, "redirects to")) {
            return;
        }
        Hop nextHop = Hop.first(opener.settings().upstreamProxy(), target, target.path());
        if (hop.playerNamed()) {
            nextHop = nextHop.namedByPlayer();
        }
        if (!visited.add(nextHop.key())) {
            fail("redirect loop at " + target);
            return;
        }
        log.info("peer={} path={} following upstream redirect to {}", request.peer(), request.path(), target);
        redirects++;
        tryCandidates(List.of(nextHop));
    }

    /** §2.2.4.9 type 2: use a different proxy; an empty location means go direct to the origin. */
    private void onProxyRedirect(Hop hop, String location) {
        Hop nextHop;
        if (location.isEmpty()) {
            nextHop = Hop.direct(hop.origin(), hop.path());
            log.info("peer={} path={} upstream asks to bypass proxies: connecting directly to {}", request.peer(),
                    request.path(), hop.origin().hostPort());
        } else {
            OriginUrl proxy;
            try {
                proxy = OriginUrl.parse(location);
            } catch (IllegalArgumentException e) {
                fail("bad proxy redirect: " + e.getMessage());
                return;
            }
            if (hop.playerNamed() && !forwardAllowed(hop, proxy, "names as its proxy")) {
                return;
            }
            nextHop = Hop.through(proxy, hop.origin(), hop.path());
            log.info("peer={} path={} upstream asks to use proxy {}: reconnecting through it to {}", request.peer(),
                    request.path(), proxy.hostPort(), hop.origin().hostPort());
        }
        if (nextHop.connectTo().equals(hop.connectTo())) {
            fail("proxy redirect loops back to " + hop.connectTo());
            return;
        }
        if (hop.playerNamed()) {
            nextHop = nextHop.namedByPlayer();
        }
        redirects++;
        tryCandidates(List.of(nextHop));
    }

    /**
     * Whether an origin a player named (forward mode) may send the edge on to {@code target}: only
     * where the allow rules would have let the player go itself. Otherwise any allowed origin could
     * turn the edge into an open relay (issue #17: the forward proxy is never an open relay).
     */
    private boolean forwardAllowed(Hop hop, OriginUrl target, String what) {
        if (AllowRule.anyAllows(opener.settings().allow(), target.host(), target.port(), target.http())) {
            return true;
        }
        log.warn("peer={} path={} forward origin {} {} {}, which no allow rule allows: refused", request.peer(),
                request.path(), hop.origin().hostPort(), what, target.hostPort());
        result.complete(answer(new OpenResult.Failed(Hresults.E_ACCESS_DENIED, "origin " + hop.origin().hostPort()
                + " " + what + " " + target.hostPort() + ", which no allow rule allows")));
        return false;
    }

    private void fail(String reason) {
        result.complete(answer(new OpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, reason)));
    }

    private static OriginOutcome answer(OpenResult r) {
        return new OriginOutcome.Answered(r);
    }
}
