package io.mmsedge.server.udp;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * One UDP socket of a listener and the players whose datagrams leave by it. With epoll every
 * event loop of the server has one, bound to the same port (SO_REUSEPORT), and a player sends by
 * its own session's loop's socket: its flushes are written at once, on its own thread, instead of
 * a task per flush to a UDP thread that every UDP player shared. Otherwise there is one lane.
 */
final class UdpLane {

    private final Channel channel;
    /** Players that found the socket full, to wake when it drains (each once: see UdpPlayer.markWaiting). */
    private final Queue<UdpPlayer> waiting = new ConcurrentLinkedQueue<>();

    UdpLane(Channel channel) {
        this.channel = channel;
    }

    Channel channel() {
        return channel;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    boolean isWritable() {
        return channel.isWritable();
    }

    /**
     * From a player's thread, having found the socket full: wakes {@code p} once it drains.
     * Returns false if it drained meanwhile (the player goes on; its wake-up comes anyway, and
     * is harmless). Only the players that found it full are woken, not every player: with
     * thousands of UDP players, waking all of them at every drain was a task per player many
     * times a second.
     */
    boolean waitForRoom(UdpPlayer p) {
        if (p.markWaiting()) {
            waiting.add(p);
        }
        return !channel.isWritable(); // checked again after registering: a drain in between is not missed
    }

    /** The socket drained (on its loop). */
    void drained() {
        UdpPlayer p;
        while ((p = waiting.poll()) != null) {
            p.wake();
        }
    }

    /**
     * Writes and flushes datagrams on the channel's loop, taking them over; a closed channel
     * releases them. On that loop (a player's own lane) they are written before this returns and
     * the caller may reuse its list; only for another loop is the list copied.
     */
    void write(List<DatagramPacket> datagrams) {
        if (channel.eventLoop().inEventLoop()) {
            writeNow(datagrams);
            return;
        }
        List<DatagramPacket> copy = List.copyOf(datagrams);
        try {
            channel.eventLoop().execute(() -> writeNow(copy));
        } catch (RejectedExecutionException shuttingDown) {
            copy.forEach(DatagramPacket::release);
        }
    }

    private void writeNow(List<DatagramPacket> datagrams) {
        for (DatagramPacket d : datagrams) {
            channel.write(d, channel.voidPromise());
        }
        channel.flush();
    }
}
