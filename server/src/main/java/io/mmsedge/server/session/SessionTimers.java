package io.mmsedge.server.session;

import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.play.PlayerChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two timers of an MMS server session (§3.2.2): KeepAlive, which sends a Ping when the
 * player has been silent since the last reply, and Idle, which closes a session that is neither
 * streaming nor asking for anything. Both run on the session's thread.
 */
final class SessionTimers {

    private final PlayerChannel channel;
    private final ServerSettings settings;
    private final Runnable keepAliveExpired;
    private final Runnable idleExpired;
    private final Runnable pingsUnanswered;
    private ScheduledFuture<?> keepAlive;
    private ScheduledFuture<?> idle;
    private boolean stopped;
    /** Pings sent since the player last sent anything. */
    private int unansweredPings;

    /** Pings a player may leave unanswered (one KeepAlive period each) before the session closes. */
    static final int MAX_UNANSWERED_PINGS = 3;

    /**
     * @param keepAliveExpired sends a Ping
     * @param idleExpired      closes an idle session
     * @param pingsUnanswered  closes a session whose player answered none of {@link #MAX_UNANSWERED_PINGS}
     *                         Pings: real players (FFmpeg, VLC, MPlayer, libmms, WMP) answer every one,
     *                         so such a peer is gone or hostile (issue #17: 1,000 were held for hours)
     */
    SessionTimers(PlayerChannel channel, ServerSettings settings, Runnable keepAliveExpired, Runnable idleExpired,
                  Runnable pingsUnanswered) {
        this.channel = channel;
        this.settings = settings;
        this.keepAliveExpired = keepAliveExpired;
        this.idleExpired = idleExpired;
        this.pingsUnanswered = pingsUnanswered;
    }

    /** After a reply: a Ping follows unless the player sends something first (§3.2.6.1). */
    void armKeepAlive() {
        if (keepAlive == null && !stopped) {
            keepAlive = channel.schedule(() -> {
                keepAlive = null;
                if (++unansweredPings > MAX_UNANSWERED_PINGS) {
                    pingsUnanswered.run();
                } else {
                    keepAliveExpired.run();
                }
            }, settings.keepAlive().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** A message arrived (§3.2.5.1): the player is alive. */
    void stopKeepAlive() {
        cancel(keepAlive);
        keepAlive = null;
        unansweredPings = 0;
    }


    /** Starts the idle timer unless it runs already (§3.2.6.2). */
    void startIdle() {
        if (idle == null && !stopped) {
            idle = channel.schedule(() -> {
                idle = null;
                idleExpired.run();
            }, settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Streaming: a session that plays is never idle. */
    void stopIdle() {
        cancel(idle);
        idle = null;
    }

    /** The session is over: no timer runs again. */
    void stopAll() {
        stopped = true;
        stopKeepAlive();
        stopIdle();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
