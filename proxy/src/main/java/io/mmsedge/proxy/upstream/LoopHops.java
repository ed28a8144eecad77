package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.Hresults;
import io.netty.channel.EventLoop;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an upstream session's public methods reach its event loop: at once when already on it,
 * else by {@code execute}; an exception escaping the task fails the session rather than being
 * lost on the loop. Shared by {@link UpstreamSession} and the MMSH adapter.
 */
public final class LoopHops {

    private static final Logger log = LoggerFactory.getLogger(LoopHops.class);

    private LoopHops() {
    }

    /** Runs {@code r} at once on the loop, or hops onto it. */
    public static void onLoop(EventLoop loop, String peer, Runnable r, BiConsumer<Integer, String> fail) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            execute(loop, peer, r, fail);
        }
    }

    /** Queues {@code r} on the loop; false when the loop no longer takes tasks (shut down). */
    public static boolean execute(EventLoop loop, String peer, Runnable r, BiConsumer<Integer, String> fail) {
        try {
            loop.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.error("upstream {}: internal error", peer, e);
                    fail.accept(Hresults.E_FAIL, "internal error: " + e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
