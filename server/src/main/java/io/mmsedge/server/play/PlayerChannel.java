package io.mmsedge.server.play;

import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The connection a player's session runs on, as the session sees it: its thread and clock,
 * the socket's writability and flushing. The Netty handlers implement it on a channel; tests
 * can implement it directly. All calls happen on one thread.
 */
public interface PlayerChannel {

    void flush();

    /** False while the socket's outbound buffer is above its high-water mark. */
    boolean isWritable();

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);

    /** Runs {@code task} soon on this session's thread (cheaper than a zero-delay schedule). */
    default void execute(Runnable task) {
        schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    /**
     * On this session's thread: runs {@code task} there at the end of the current write window
     * ({@code server.writeMergeMillis}), together with the other sessions of this thread.
     */
    default void atWindowEnd(Runnable task) {
        execute(task);
    }

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    InetSocketAddress peer();

    /** The address the player connected to (the access log's s-ip); null if unknown. */
    default InetSocketAddress localAddress() {
        return null;
    }

    /** The event loop this session runs on (null outside Netty). */
    default EventLoop eventLoop() {
        return null;
    }

    /** True on this session's own thread, where its state may be touched directly. */
    default boolean inEventLoop() {
        EventLoop loop = eventLoop();
        return loop != null && loop.inEventLoop();
    }

    /**
     * The player has asked for content (a complete open request): it speaks the protocol, and
     * the listener's handshake deadline no longer applies (issue #17: silent, dripping and
     * Connect-then-nothing connections are closed by that deadline). Not a default method: a
     * channel that wraps another (the MMS front end's DataFunnel) must pass it on, or its players
     * are closed at the deadline while they play.
     */
    void handshakeDone();
}
