package io.mmsedge.proxy.origin;

import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.server.media.OpenResult;

/** How an {@link OriginOpener#open open} across a route's origins ended. */
public sealed interface OriginOutcome {

    /** An origin opened the content at {@code hop} (after failover and redirects); the caller owns the session. */
    record Opened(Hop hop, UpstreamOpenResult.Opened upstream) implements OriginOutcome {
    }

    /**
     * The origins' answer for the player, final: a content error (file not found, access
     * denied), a challenge, a redirect passed on, or a redirect that cannot be followed.
     */
    record Answered(OpenResult result) implements OriginOutcome {
    }

    /** No origin could be reached; {@code lastFailure} is the last one's error. */
    record Unreachable(OpenResult.Failed lastFailure) implements OriginOutcome {
    }
}
