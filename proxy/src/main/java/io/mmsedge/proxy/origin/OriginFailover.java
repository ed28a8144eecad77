package io.mmsedge.proxy.origin;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.server.media.OpenRequest;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * New sessions for a long-lived upstream (a split) that lost its origin (issue #13 §2): the
 * first reopen after a loss marks the origin it was on down, so the open across the route tries
 * the next origin first (and the lost one again only when every origin is down). Works on the
 * {@link io.mmsedge.proxy.upstream.Upstream} results alone, whatever protocol the origins speak.
 * Calls come one after another (the split's loop), so the fields need no locking beyond
 * visibility.
 */
public final class OriginFailover {

    private static final Logger log = LoggerFactory.getLogger(OriginFailover.class);

    private final OriginOpener opener;
    private final OpenRequest request;
    private final List<Hop> route;
    private final String what;
    private volatile Hop current;
    private volatile boolean lostMarked;

    /**
     * @param route   the route's origins, in order
     * @param current the hop the running session was opened at
     * @param what    how logs name the session's user, e.g. "split host:port/path"
     */
    public OriginFailover(OriginOpener opener, OpenRequest request, List<Hop> route, Hop current, String what) {
        this.opener = opener;
        this.request = request;
        this.route = List.copyOf(route);
        this.current = current;
        this.what = what;
    }

    /** The hop the last session was opened at. */
    public Hop current() {
        return current;
    }

    /**
     * Opens a new session at another origin after the current one was lost, failing when every
     * origin of the route is down (the lost one included): content resumed mid-stream goes to an
     * origin that is up or nowhere, never back to the one that just failed it.
     */
    public CompletableFuture<UpstreamOpenResult> reopenElsewhere(EventLoopGroup group) {
        markLost(group);
        if (route.stream().allMatch(opener.health()::isDown)) {
            return CompletableFuture.completedFuture(new UpstreamOpenResult.Failed(Hresults.NS_E_CANNOTCONNECT,
                    "no other origin is up"));
        }
        return reopen(group);
    }

    private void markLost(EventLoopGroup group) {
        if (!lostMarked) {
            lostMarked = true;
            opener.lost(current, what + " lost its upstream", group);
        }
    }

    /** Opens a new session across the route on {@code group} after the current one was lost. */
    public CompletableFuture<UpstreamOpenResult> reopen(EventLoopGroup group) {
        Hop lost = current;
        markLost(group);
        return opener.open(request, route, group).thenApply(outcome -> {
            if (outcome instanceof OriginOutcome.Opened o) {
                current = o.hop();
                lostMarked = false;
                if (!o.hop().equals(lost)) {
                    log.warn("{}: failed over from origin {} to origin {}", what, lost.origin().hostPort(),
                            o.hop().origin().hostPort());
                }
                return o.upstream();
            }
            if (outcome instanceof OriginOutcome.Unreachable u) {
                return new UpstreamOpenResult.Failed(u.lastFailure().hr(), u.lastFailure().reason());
            }
            return new UpstreamOpenResult.Failed(Hresults.NS_E_CANNOTCONNECT,
                    "the origins answered: " + ((OriginOutcome.Answered) outcome).result());
        });
    }
}
