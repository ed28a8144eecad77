package io.mmsedge.proxy.split;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.proxy.upstream.Upstream;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The players' logs of one split on their way to the origin (LinkViewerToMacLogging §2.2.4.20,
 * MMSH LogStats). A WMS splitting proxy forwards its players' logs so that the origin's viewer
 * statistics count the players behind it; relayed and cached sessions do it through their own
 * upstream session, a split through its one shared session: one upstream log per player log.
 *
 * <p>Bounded, so that a flood of player logs cannot flood the origin: at most
 * {@link #QUEUE_LIMIT} wait, and at most {@link #BURST} leave per {@link #DRAIN_INTERVAL_MS};
 * a log beyond the limit is dropped, counted and reported in a (sparse) log line. While the
 * upstream reconnects they wait, within the limit; when the split ends, those left are dropped.
 * Confined to the split's event loop; {@link #offer} may be called from any thread.
 */
final class SplitLogs {

    private static final Logger log = LoggerFactory.getLogger(SplitLogs.class);

    /** Player logs waiting for the upstream at most. */
    static final int QUEUE_LIMIT = 256;
    /** Logs sent upstream per drain at most. */
    static final int BURST = 32;
    /** Time between drains while logs wait. */
    static final long DRAIN_INTERVAL_MS = 100;

    private final String key;
    private final EventLoop loop;
    private final BooleanSupplier ended;
    private final Supplier<Upstream> upstream;
    private final ArrayDeque<ClientLog> queue = new ArrayDeque<>();
    private long dropped;
    private boolean drainScheduled;

    /**
     * @param ended    true once the split has ended: nothing is sent any more
     * @param upstream the session that takes logs now, or null while there is none (reconnecting)
     */
    SplitLogs(String key, EventLoop loop, BooleanSupplier ended, Supplier<Upstream> upstream) {
        this.key = key;
        this.loop = loop;
        this.ended = ended;
        this.upstream = upstream;
    }

    /** A player's log, from its session's thread. */
    void offer(ClientLog clientLog) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> offer(clientLog));
            } catch (RejectedExecutionException e) {
                log.debug("split {}: a player's log arrived after shutdown", key);
            }
            return;
        }
        if (ended.getAsBoolean()) {
            return;
        }
        if (queue.size() >= QUEUE_LIMIT) {
            dropped++;
            if (Long.bitCount(dropped) == 1) { // the 1st, 2nd, 4th, 8th... drop: a line, not a flood of them
                log.warn("split {}: {} player log(s) not forwarded to the origin so far: more than {} waiting", key,
                        dropped, QUEUE_LIMIT);
            }
            return;
        }
        queue.add(clientLog);
        if (!drainScheduled) {
            drainScheduled = true;
            loop.execute(this::drain);
        }
    }

    /** Logs waiting (for tests and status). */
    int waiting() {
        return queue.size();
    }

    private void drain() {
        drainScheduled = false;
        if (ended.getAsBoolean()) {
            queue.clear();
            return;
        }
        Upstream u = upstream.get();
        if (u != null) {
            for (int i = 0; i < BURST && !queue.isEmpty(); i++) {
                u.sendLogging(queue.poll());
            }
        }
        if (!queue.isEmpty()) {
            drainScheduled = true;
            loop.schedule(this::drain, DRAIN_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
    }
}
