package io.mmsedge.proxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.ProxySettings;
import io.mmsedge.proxy.ViaToken;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.route.OriginUrl;
import io.mmsedge.proxy.upstream.UpstreamSession;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Origin health with real TCP ports: one that refuses, one that accepts and never answers. */
class OriginHealthTest {

    private final List<String> states = new CopyOnWriteArrayList<>();
    private final ProxyMetrics metrics = new ProxyMetrics() {
        @Override
        public void originState(String origin, boolean up) {
            states.add(origin + (up ? " up" : " down"));
        }
    };
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closing.add(c);
        return c;
    }

    private static Hop hop(int port) {
        return Hop.direct(OriginUrl.parse("mms://127.0.0.1:" + port), "av.asf");
    }

    /** A loopback port nothing listens on: connections are refused. */
    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aFailedOriginIsDownSkippedUnlessAllAreDownAndUpWhenAProbeConnects() throws Exception {
        int port = refusedPort();
        OriginHealth health = closing(new OriginHealth(OriginHealth.tcpProber(Duration.ofSeconds(1)),
                Duration.ofMillis(50), Duration.ofMillis(200), metrics));
        Hop dead = hop(port);
        Hop other = hop(1);
        assertFalse(health.isDown(dead));
        assertEquals(List.of(dead, other), health.order(List.of(dead, other)));

        health.failed(dead, "Connection refused");
        assertTrue(health.isDown(dead));
        assertEquals(List.of(other, dead), health.order(List.of(dead, other)), "the down origin goes last");
        health.failed(other, "timed out");
        assertEquals(List.of(dead, other), health.order(List.of(dead, other)), "all down: the route's order");

        // The refused port stays down while probes keep failing, with backoff.
        await(() -> health.snapshot().stream().anyMatch(s -> s.origin().endsWith(":" + port) && s.probes() >= 2),
                "two probes of the refused port");
        OriginHealth.Status s = health.snapshot().stream().filter(x -> x.origin().endsWith(":" + port))
                .findFirst().orElseThrow();
        assertFalse(s.up());
        assertEquals(1, s.failures());
        assertTrue(s.lastError() != null && !s.lastError().isEmpty(), s.toString());

        // Something listens there again: a probe brings it back without any open paying for it.
        try (ServerSocket back = new ServerSocket()) {
            back.bind(new InetSocketAddress("127.0.0.1", port));
            await(() -> !health.isDown(dead), "a probe finding the port open");
        }
        assertTrue(states.contains("127.0.0.1:" + port + " down"), states.toString());
        assertTrue(states.contains("127.0.0.1:" + port + " up"), states.toString());
    }

    @Test
    void aSucceededOpenResetsTheFailureCountAndCloseStopsTheProbes() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        OriginHealth health = new OriginHealth(a -> {
            probes.incrementAndGet();
            return java.util.concurrent.CompletableFuture.completedFuture(false);
        }, Duration.ofMillis(20), Duration.ofMillis(20), metrics);
        Hop h = hop(refusedPort());
        health.failed(h, "refused");
        await(() -> probes.get() >= 1, "a probe");
        health.succeeded(h);
        assertFalse(health.isDown(h));
        assertEquals(0, health.snapshot().get(0).failures());
        health.failed(h, "refused again");
        health.close();
        int after = probes.get();
        Thread.sleep(200); // ten probe periods: none may run after close
        assertEquals(after, probes.get(), "no probe after close");
    }

    /**
     * Through the real MMS client: an origin that accepts TCP and never answers (a blackhole)
     * costs the first open its reply timeout; the second open goes straight to the next origin,
     * and the blackhole sees no second connection.
     */
    @Test
    void theSecondOpenSkipsABlackholedOriginWithoutPayingItsTimeout() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        closing(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        ServerSocket blackhole = closing(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(blackhole.accept()); // read nothing, write nothing
                }
            } catch (IOException closed) {
                // the test ended
            }
        }, "blackhole");
        acceptor.setDaemon(true);
        acceptor.start();
        closing(() -> accepted.forEach(OriginHealthTest::closeQuietly));
        MmsServer origin = new MmsServer(ServerSettings.defaults().withPacingSpeed(0),
                new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT), ServerMetrics.NONE, null)
                .start(new InetSocketAddress("127.0.0.1", 0));
        closing(origin::close);
        ProxySettings settings = new ProxySettings(List.of(), false, List.of(), Set.of(), true, 5, List.of(), 0,
                ViaToken.of("1.0", "cafe0002"), Duration.ofSeconds(1), null);
        // The edge's own probe (a real open), first after 3 s: long after the second open.
        OriginOpener opener = closing(new OriginOpener(settings, metrics, UpstreamSession::open,
                Duration.ofSeconds(3), Duration.ofSeconds(3)));
        List<Hop> route = List.of(hop(blackhole.getLocalPort()), hop(origin.localAddress().getPort()));
        OpenRequest request = new OpenRequest("av.asf", null, null, null, null);

        OriginOutcome first = opener.open(request, route, group).get(10, TimeUnit.SECONDS);
        closeOpened(first);
        assertEquals(1, accepted.size(), "the first open tried the blackhole");
        assertTrue(opener.health().isDown(route.get(0)));

        OriginOutcome second = opener.open(request, route, group).get(10, TimeUnit.SECONDS);
        closeOpened(second);
        assertEquals(1, accepted.size(), "the second open did not connect to the blackhole");
        assertEquals(List.of("127.0.0.1:" + blackhole.getLocalPort() + " down"), states);

        // The probe opens the content for real: the blackhole accepts it, never answers, and
        // stays down (a TCP connect alone would have taken it for a live origin).
        await(() -> opener.health().snapshot().stream().anyMatch(s -> s.probes() >= 1), "a probe of the blackhole");
        assertTrue(opener.health().isDown(route.get(0)), opener.health().snapshot().toString());
        assertEquals(2, accepted.size(), "the probe connected");
    }

    private static void closeOpened(OriginOutcome o) {
        OriginOutcome.Opened opened = assertInstanceOf(OriginOutcome.Opened.class, o);
        opened.upstream().session().close();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Test
    void theTableIsBoundedAndAnOriginThatIsUpMakesRoom() throws Exception {
        OriginHealth health = closing(new OriginHealth(a -> new java.util.concurrent.CompletableFuture<>(),
                Duration.ofSeconds(60), Duration.ofSeconds(60), metrics, 2));
        Hop a = hop(refusedPort());
        Hop b = hop(refusedPort() + 1);
        Hop c = hop(refusedPort() + 2);
        health.failed(a, "refused");
        health.failed(b, "refused");
        health.failed(c, "refused");
        assertFalse(health.isDown(c), "no room: not tracked");
        assertEquals(2, health.snapshot().size());
        health.succeeded(a); // up again: it may make room
        health.failed(c, "refused");
        assertTrue(health.isDown(c));
        assertTrue(health.isDown(b));
        assertEquals(2, health.snapshot().size());
    }
}
