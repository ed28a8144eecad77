package io.mmsedge.server.net;

import io.mmsedge.server.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who gets a connection on a listener, and for how long before it proves to be a player
 * ({@link ConnectionLimits}). Runs when a connection is accepted, before any protocol handler:
 * over a bound, the connection is reset at once (SO_LINGER 0, so that neither side keeps
 * kernel buffers) and the refusal is logged and counted. An admitted connection must get
 * through its handshake (its content's header sent, {@link #handshakeDone}) within the
 * timeout, or it is closed: a peer that connects and then sends nothing, drips bytes, or
 * never answers cannot hold a connection for the hour of the idle timeout.
 *
 * <p>Refusals under a flood are logged at most once a second per reason, with a count.
 */
final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);
    private static final AttributeKey<Admission.Pending> PENDING = AttributeKey.valueOf("mmsedge.handshake");

    /** Swapped whole by a configuration reload ({@link #limits(ConnectionLimits)}); read once per decision. */
    private volatile ConnectionLimits limits;
    private final ServerMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger handshaking = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final RefusalLog refusals = new RefusalLog();

    Admission(ConnectionLimits limits, ServerMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    /**
     * New bounds for the connections accepted from now on (a configuration reload). The open
     * connections stay: a lower bound refuses newcomers until enough of them have closed.
     */
    void limits(ConnectionLimits next) {
        this.limits = next;
    }

    /** A connection in its handshake: its deadline, and whether it still counts as handshaking. */
    private final class Pending {
        private final ScheduledFuture<?> deadline;
        private boolean done;

        Pending(ScheduledFuture<?> deadline) {
            this.deadline = deadline;
        }

        /** Leaves the handshake count once (on the channel's loop). */
        void finish() {
            if (!done) {
                done = true;
                deadline.cancel(false);
                handshaking.decrementAndGet();
            }
        }
    }

    /** Admits {@code ch} or resets it. Called in the channel's initializer, on its event loop. */
    boolean admit(Channel ch) {
        InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
        InetAddress address = peer.getAddress();
        ConnectionLimits limits = this.limits;
        String refused = null;
        AtomicInteger mine = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        int fromAddress = mine.incrementAndGet();
        int total = open.incrementAndGet();
        int pending = handshaking.incrementAndGet();
        if (total > limits.maxConnections()) {
            refused = "connection_limit";
        } else if (limits.maxPerAddress() > 0 && fromAddress > limits.maxPerAddress()) {
            refused = "address_connection_limit";
        } else if (pending > limits.maxHandshakes()) {
            refused = "handshake_limit";
        }
        ch.closeFuture().addListener(f -> released(address, mine));
        if (refused != null) {
            handshaking.decrementAndGet();
            metrics.error(refused);
            refusals.note(refused, peer, ch.localAddress(), total, fromAddress, pending);
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return false;
        }
        ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> handshakeExpired(ch),
                limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Pending p = new Pending(deadline);
        ch.attr(PENDING).set(p);
        ch.closeFuture().addListener(f -> p.finish());
        return true;
    }

    /** The connection's content header is out: it is a player, no longer a handshake. */
    static void handshakeDone(Channel ch) {
        Pending p = ch.attr(PENDING).getAndSet(null);
        if (p != null) {
            p.finish();
        }
    }

    private void handshakeExpired(Channel ch) {
        if (ch.attr(PENDING).get() != null && ch.isActive()) {
            metrics.error("handshake_timeout");
            log.info("peer={} listener={} asked for no content within {} of connecting: closing",
                    ch.remoteAddress(), ch.localAddress(), limits.handshakeTimeout());
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }

    private void released(InetAddress address, AtomicInteger mine) {
        open.decrementAndGet();
        if (mine.decrementAndGet() == 0) {
            perAddress.remove(address, mine);
        }
    }

    int openConnections() {
        return open.get();
    }

    int handshaking() {
        return handshaking.get();
    }

    /** Logs refusals at most once a second per reason, with how many were refused since. */
    private final class RefusalLog {
        private final ConcurrentHashMap<String, long[]> last = new ConcurrentHashMap<>();

        void note(String reason, InetSocketAddress peer, Object listener, int total, int fromAddress, int pending) {
            long now = System.nanoTime();
            long[] s = last.computeIfAbsent(reason, r -> new long[] {now - TimeUnit.SECONDS.toNanos(2), 0});
            long suppressed;
            synchronized (s) {
                s[1]++;
                if (now - s[0] < TimeUnit.SECONDS.toNanos(1)) {
                    return;
                }
                s[0] = now;
                suppressed = s[1];
                s[1] = 0;
            }
            log.warn("peer={} listener={} refused: {} (open={}/{}, from this address={}{}, handshaking={}/{}); "
                    + "{} refused in the last second", peer, listener, reason, total - 1, limits.maxConnections(),
                    fromAddress - 1, limits.maxPerAddress() > 0 ? "/" + limits.maxPerAddress() : "", pending - 1,
                    limits.maxHandshakes(), suppressed);
        }
    }
}
