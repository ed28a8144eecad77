package io.mmsedge.server.net;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Write windows for the sessions of one server ({@code server.writeMergeMillis}): a session
 * with already-paced packets waiting asks to be run at the end of its event loop's current
 * window, and one task per window and loop runs every session that asked. Each player then
 * costs one pump and one write system call per window instead of one per packet; one timer per
 * loop, not one per player (a timer per player wakes the loop as often as the packets did).
 */
public final class WriteWindows {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WriteWindows.class);

    private final long periodNanos;
    private final Map<EventLoop, Window> windows = new ConcurrentHashMap<>();

    public WriteWindows(int periodMillis) {
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, periodMillis));
    }

    /** The window of {@code loop}; a channel's loop never changes, so a handler looks it up once. */
    public Window of(EventLoop loop) {
        return windows.computeIfAbsent(loop, l -> new Window(l, periodNanos));
    }

    /** One loop's window. Confined to that loop. */
    public static final class Window implements Runnable {
        private final EventLoop loop;
        private final long periodNanos;
        private ArrayList<Runnable> due = new ArrayList<>();
        private ArrayList<Runnable> spare = new ArrayList<>();
        private boolean scheduled;

        private Window(EventLoop loop, long periodNanos) {
            this.loop = loop;
            this.periodNanos = periodNanos;
        }

        /** On the loop: runs {@code task} when the current window ends (the caller asks once per window). */
        public void atEnd(Runnable task) {
            due.add(task);
            if (!scheduled) {
                scheduled = true;
                loop.schedule(this, periodNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void run() {
            scheduled = false;
            ArrayList<Runnable> now = due;
            due = spare;
            for (Runnable r : now) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    // One session's failure must not hold back the others of this window.
                    LOG.error("write window: a session's task failed", e);
                }
            }
            now.clear();
            spare = now;
        }
    }
}
