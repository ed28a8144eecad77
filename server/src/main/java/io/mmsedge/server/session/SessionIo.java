package io.mmsedge.server.session;

import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the session state machine may do to the outside world. The Netty adapter implements
 * it on a channel; tests can implement it directly. All calls happen on one thread.
 */
public interface SessionIo {

    /** Sends one message in its own TcpMessageHeader frame and flushes it (§3.2.5.2). */
    void send(MmsMessage message);

    /** Queues one Data packet (§2.2.2); takes ownership of {@code payload}. Not flushed. */
    void sendData(int locationId, int playIncarnation, int afFlags, ByteBuf payload);

    void flush();

    /**
     * On this session's thread: runs {@code task} there at the end of the current write window
     * ({@code server.writeMergeMillis}), together with the other sessions of this thread.
     */
    default void atWindowEnd(Runnable task) {
        execute(task);
    }

    /** False while the socket's outbound buffer is above its high-water mark. */
    boolean isWritable();

    /** Closes the connection after pending writes. */
    void close();

    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);

    /** Runs {@code task} soon on this session's thread (cheaper than a zero-delay schedule). */
    default void execute(Runnable task) {
        schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    InetSocketAddress peer();

    /** True on this session's own thread, where its state may be touched directly. */
    default boolean inEventLoop() {
        io.netty.channel.EventLoop loop = eventLoop();
        return loop != null && loop.inEventLoop();
    }

    /** The event loop this session runs on (null outside Netty). */
    default io.netty.channel.EventLoop eventLoop() {
        return null;
    }

    /** Tells the frame decoder the largest Data packet this session may receive (packet size + 8). */
    default void setMaxDataPacketSize(int bytes) {
    }
}
