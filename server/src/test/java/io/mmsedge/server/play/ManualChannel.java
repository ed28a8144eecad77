package io.mmsedge.server.play;

import java.net.InetSocketAddress;
import java.util.PriorityQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link PlayerChannel} on a manual clock: scheduled tasks run when the test runs them, in due
 * order, and time jumps to each task's due time. Writability is the test's to set.
 */
final class ManualChannel implements PlayerChannel {

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long seq;
    boolean writable = true;
    int flushes;

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        Task t = new Task(now + Math.max(0, unit.toNanos(delay)), seq++, task);
        tasks.add(t);
        return t;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public InetSocketAddress peer() {
        return new InetSocketAddress("127.0.0.2", 4242);
    }

    /** Runs tasks in due order until none is left, or {@code limit} ran; returns how many ran. */
    int runAll(int limit) {
        int ran = 0;
        while (!tasks.isEmpty() && ran < limit) {
            Task t = tasks.poll();
            if (t.cancelled) {
                continue;
            }
            now = Math.max(now, t.due);
            t.done = true;
            t.task.run();
            ran++;
        }
        return ran;
    }

    int runAll() {
        return runAll(Integer.MAX_VALUE);
    }

    private final class Task implements ScheduledFuture<Object>, Comparable<Delayed> {
        final long due;
        final long order;
        final Runnable task;
        boolean cancelled;
        boolean done;

        Task(long due, long order, Runnable task) {
            this.due = due;
            this.order = order;
            this.task = task;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - now, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Task t = (Task) o;
            return due != t.due ? Long.compare(due, t.due) : Long.compare(order, t.order);
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            boolean was = !done && !cancelled;
            cancelled = true;
            return was;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }

    /** Opens in these tests need no handshake deadline: there is no listener. */
    @Override
    public void handshakeDone() {
        handshakes++;
    }

    /** How many times the session said its player asked for content. */
    int handshakes;
}
