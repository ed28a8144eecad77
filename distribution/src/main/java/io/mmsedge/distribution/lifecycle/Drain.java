package io.mmsedge.distribution.lifecycle;

import io.mmsedge.server.net.MmsServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful drain (SIGTERM, {@code POST /admin/drain}): the listeners stop accepting and the
 * instance reports not-ready at once; the open sessions get until the deadline to finish by
 * themselves; then the rest are ended so that their players stop cleanly
 * ({@link MmsServer#endSessions}). It runs once, on a thread of its own.
 */
public final class Drain {

    private static final Logger log = LoggerFactory.getLogger(Drain.class);
    /** How often the drain looks whether every session has finished. */
    private static final long POLL_MILLIS = 100;
    /** How long ended sessions get to close before their connections are closed anyway. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final List<MmsServer> servers;
    private final Duration deadline;
    /** A sibling edge for the broadcast players ({@code server.drainRedirect}), or null. */
    private final String redirect;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<Integer> done = new CompletableFuture<>();

    /** {@code servers} in the order their sessions are ended: an edge before the origin it reads. */
    public Drain(List<MmsServer> servers, Duration deadline) {
        this(servers, deadline, null);
    }

    /** A drain that first sends broadcast players to the sibling {@code redirect} (null = none). */
    public Drain(List<MmsServer> servers, Duration deadline, String redirect) {
        this.servers = List.copyOf(servers);
        this.deadline = deadline;
        this.redirect = redirect;
    }

    /** True once a drain has started: the instance takes no new players (readiness fails). */
    public boolean draining() {
        return started.get();
    }

    /** Completes, with the number of sessions ended at the deadline, once a drain is over. */
    public CompletableFuture<Integer> finished() {
        return done;
    }

    public Duration deadline() {
        return deadline;
    }

    /**
     * Starts the drain (once; later calls return the same future), saying {@code why} in the log.
     * The future completes with the number of sessions ended at the deadline once none is left.
     */
    public CompletableFuture<Integer> start(String why) {
        if (started.compareAndSet(false, true)) {
            Thread t = new Thread(() -> run(why), "mms-edge-drain");
            t.setDaemon(true);
            t.start();
        }
        return done;
    }

    /** Open player (and upstream) connections of every listener. */
    public int sessions() {
        return servers.stream().mapToInt(MmsServer::connectionCount).sum();
    }

    private void run(String why) {
        try {
            log.info("draining ({}): no new players; {} open sessions have {} s to finish", why, sessions(),
                    deadline.toSeconds());
            servers.forEach(MmsServer::stopAccepting);
            if (redirect != null) {
                int asked = servers.stream().mapToInt(s -> s.redirectBroadcasts(redirect)).sum();
                log.info("draining: broadcast players of {} sessions sent to {} (type 2 redirect)", asked, redirect);
            }
            long end = System.nanoTime() + deadline.toNanos();
            while (sessions() > 0 && System.nanoTime() < end) {
                Thread.sleep(POLL_MILLIS);
            }
            int ended = 0;
            for (MmsServer s : servers) {
                ended += s.endSessions(LINGER);
            }
            log.info("drained: {} sessions ended at the deadline", ended);
            done.complete(ended);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.completeExceptionally(e);
        } catch (RuntimeException e) {
            log.error("drain failed", e);
            done.completeExceptionally(e);
        }
    }
}
