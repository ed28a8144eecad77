package io.mmsedge.proxy.upstream;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The bound on each wait for a server reply: one timer at a time, re-armed per step. Confined
 * to the session's event loop; a generation count makes a timer that already fired but was
 * cancelled meanwhile a no-op.
 * Public so that the MMSH adapter ({@code upstream.mmsh}) shares it with {@link UpstreamSession}.
 */
public final class ReplyTimer {

    private final EventLoop loop;
    private final long timeoutNanos;
    private final Consumer<String> onExpiry;
    private ScheduledFuture<?> pending;
    private long generation;

    /** @param onExpiry called on the loop with what was awaited, when nothing re-armed or cancelled in time */
    public ReplyTimer(EventLoop loop, long timeoutNanos, Consumer<String> onExpiry) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.onExpiry = onExpiry;
    }

    public void arm(String waitingFor) {
        cancel();
        long g = ++generation;
        pending = loop.schedule(() -> {
            if (g == generation) {
                onExpiry.accept(waitingFor);
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    public void cancel() {
        generation++;
        ScheduledFuture<?> t = pending;
        pending = null;
        if (t != null) {
            t.cancel(false);
        }
    }
}
