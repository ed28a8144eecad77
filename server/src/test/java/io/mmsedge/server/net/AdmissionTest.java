package io.mmsedge.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connection bounds and handshake deadlines on a real server (issue #17, finding 2): silent,
 * dripping and Connect-then-nothing connections are closed at the handshake deadline; over the
 * total, per-address or handshake bound a connection is reset at once with a log line, while
 * admitted players keep playing; a player that answers no Ping is closed. "Other IPs" are
 * client sockets bound to 127.0.0.2 and up.
 */
class AdmissionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static MmsServer server(ConnectionLimits limits, ServerSettings settings) throws InterruptedException {
        return new MmsServer(settings, new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT),
                ServerMetrics.NONE, null).withLimits(limits).start(new InetSocketAddress("127.0.0.1", 0));
    }

    private static int[] avStreams() throws IOException {
        try (io.mmsedge.protocol.asf.AsfFile f = io.mmsedge.protocol.asf.AsfFile.open(Fixtures.media("av.asf"))) {
            return f.header().streams().stream().mapToInt(io.mmsedge.protocol.asf.AsfStream::number).toArray();
        }
    }

    private static ConnectionLimits limits() {
        return new ConnectionLimits(100, 0, 100, Duration.ofSeconds(30));
    }

    /** True when the server closes or resets {@code s} within {@code within}. */
    private static boolean closedWithin(Socket s, Duration within) throws IOException {
        s.setSoTimeout((int) within.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // discard what the server says before closing
            }
            return true;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }

    private static void awaitCount(MmsServer srv, int expected) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (srv.boundedConnections() != expected && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(expected, srv.boundedConnections(), "connections counted against the bounds");
    }

    private static Socket rawFrom(String local, InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
        s.connect(server, 5000);
        return s;
    }

    /**
     * True when a connection from {@code local} is reset: at once, or within {@link #WAIT}. With
     * the epoll transport the server's reset can come before the client's connect() returns,
     * which Java reports from connect() itself.
     */
    private static boolean refused(String local, InetSocketAddress server, List<AutoCloseable> open)
            throws IOException {
        Socket s;
        try {
            s = rawFrom(local, server);
        } catch (SocketException e) {
            if (e instanceof java.net.ConnectException || !String.valueOf(e.getMessage()).contains("reset")) {
                throw e; // refused or unreachable: not the listener's reset
            }
            return true;
        }
        open.add(s);
        return closedWithin(s, WAIT);
    }

    @Test
    void silentDrippingAndConnectOnlyPeersAreClosedAtTheHandshakeDeadline() throws Exception {
        try (MmsServer srv = server(limits().withHandshakeTimeout(Duration.ofSeconds(3)),
                ServerSettings.defaults().withPacingSpeed(0));
             LogCapture logs = LogCapture.begin();
             Socket silent = rawFrom("127.0.0.2", srv.localAddress());
             Socket dripping = rawFrom("127.0.0.3", srv.localAddress());
             MmsTestClient connectOnly = MmsTestClient.connect(srv.localAddress(), WAIT);
             MmsTestClient player = MmsTestClient.connect(srv.localAddress(), WAIT)) {
            connectOnly.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            player.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            player.open("av.asf");
            Thread drip = new Thread(() -> {
                try {
                    for (byte b : new byte[] {1, 0, 0, 0, (byte) 0xCE, (byte) 0xFA, 0x0B, (byte) 0xB0, 0x20}) {
                        dripping.getOutputStream().write(b);
                        Thread.sleep(150);
                    }
                } catch (IOException | InterruptedException ignored) {
                    // closed by the server: what the test waits for
                }
            });
            drip.start();
            assertTrue(closedWithin(silent, WAIT), "a silent connection is closed");
            assertTrue(closedWithin(dripping, WAIT), "a dripping connection is closed");
            connectOnly.setReadTimeout(WAIT);
            assertTrue(connectOnly.closedByServer(), "Connect and then nothing is closed");
            drip.join(5000);
            assertNotNull(logs.await(5000, "asked for no content within"));
            // The player that opened content before the deadline plays on after it.
            Thread.sleep(3500);
            player.readHeader(1);
            player.selectStreams(avStreams());
            player.startPlaying(0, 2);
            MmsTestClient.PlayResult r = player.readUntilEnd(false, 100_000);
            assertFalse(r.packets.isEmpty(), "the admitted player streams after the deadline passed");
            assertEquals(1, r.endOfStreams.size(), "and reaches the end");
        }
    }

    @Test
    void perAddressAndTotalBoundsResetNewConnectionsAndKeepAdmittedPlayersPlaying() throws Exception {
        try (MmsServer srv = server(new ConnectionLimits(4, 2, 100, Duration.ofSeconds(30)),
                ServerSettings.defaults().withPacingSpeed(0));
             LogCapture logs = LogCapture.begin()) {
            List<AutoCloseable> open = new ArrayList<>();
            try {
                InetAddress two = InetAddress.getByName("127.0.0.2");
                MmsTestClient a = MmsTestClient.connectFrom(srv.localAddress(), two, WAIT);
                MmsTestClient b = MmsTestClient.connectFrom(srv.localAddress(), two, WAIT);
                open.add(a);
                open.add(b);
                a.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                b.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                assertTrue(refused("127.0.0.2", srv.localAddress(), open), "a third connection from 127.0.0.2 is reset");
                assertNotNull(logs.await(5000, "refused: address_connection_limit"));
                // The refused connection's slot frees once the server has closed it, a moment
                // after the client sees the reset: wait for that, or the next count races it.
                awaitCount(srv, 2);

                MmsTestClient c = MmsTestClient.connectFrom(srv.localAddress(), InetAddress.getByName("127.0.0.3"),
                        WAIT);
                open.add(c);
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                c.open("av.asf");
                Socket fourth = rawFrom("127.0.0.4", srv.localAddress());
                open.add(fourth);
                // Each accepted connection is admitted on its own event loop: without this wait the
                // fifth's admission could run before the fourth's.
                awaitCount(srv, 4);
                assertTrue(refused("127.0.0.5", srv.localAddress(), open), "over the total bound a connection is reset");
                assertNotNull(logs.await(5000, "refused: connection_limit"));

                // At the cap, an admitted player gets its content to the end.
                c.readHeader(1);
                c.selectStreams(avStreams());
                c.startPlaying(0, 2);
                MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
                assertFalse(r.packets.isEmpty());
                assertEquals(1, r.endOfStreams.size());
            } finally {
                for (AutoCloseable x : open) {
                    x.close();
                }
            }
        }
    }

    @Test
    void aPlayerThatAnswersNoPingIsClosed() throws Exception {
        try (MmsServer srv = server(limits(), ServerSettings.defaults().withKeepAlive(Duration.ofMillis(300)));
             LogCapture logs = LogCapture.begin();
             MmsTestClient c = MmsTestClient.connect(srv.localAddress(), WAIT)) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.open("av.asf");
            int pings = 0;
            try {
                while (true) {
                    Received r = c.next(); // never answers
                    if (r instanceof Received.Command cmd && cmd.message() instanceof Ping) {
                        pings++;
                    }
                }
            } catch (IOException closed) {
                // the server closed the session
            }
            assertEquals(3, pings, "three Pings, then the close");
            assertNotNull(logs.await(5000, "answered none of 3 Pings"));
        }
    }
}
