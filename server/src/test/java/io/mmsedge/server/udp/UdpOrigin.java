package io.mmsedge.server.udp;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A real MMS server on loopback serving the fixtures with UDP on, counting what its UDP side reports. */
final class UdpOrigin implements AutoCloseable {

    /** What the server reported through {@link ServerMetrics}'s UDP events. */
    static final class Counts implements ServerMetrics {
        final AtomicLong sessions = new AtomicLong();
        final AtomicLong datagrams = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong asked = new AtomicLong();
        final AtomicLong served = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong tooOld = new AtomicLong();
        final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();

        @Override
        public void udpSessions(int delta) {
            sessions.addAndGet(delta);
        }

        @Override
        public void udpDatagrams(int n, long b) {
            datagrams.addAndGet(n);
            bytes.addAndGet(b);
        }

        @Override
        public void udpResends(int a, int s, int r, int t) {
            asked.addAndGet(a);
            served.addAndGet(s);
            refused.addAndGet(r);
            tooOld.addAndGet(t);
        }

        @Override
        public void udpDropped(String reason) {
            dropped.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
        }

        long dropped(String reason) {
            AtomicLong n = dropped.get(reason);
            return n == null ? 0 : n.get();
        }
    }

    final Counts counts = new Counts();
    final MmsServer server;

    UdpOrigin(ServerSettings settings, UdpSettings udp) throws InterruptedException {
        DirectoryCatalog dir = new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT);
        server = new MmsServer(settings, dir, counts, null).withUdp(udp).start(new InetSocketAddress("127.0.0.1", 0));
    }

    InetSocketAddress tcp() {
        return server.localAddress();
    }

    InetSocketAddress udp() {
        return server.udp().localAddress();
    }

    @Override
    public void close() {
        server.close();
    }
}
