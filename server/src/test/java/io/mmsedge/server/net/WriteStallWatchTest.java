package io.mmsedge.server.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.netty.buffer.ByteBufAllocator;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteStallWatch} on the origin's own players (files, MMS and MMSH): a player that stops
 * reading is dropped after the stall limit with an RST (no socket left holding its send queue),
 * one that reads slowly is not, and a healthy player's payloads are the file's.
 */
class WriteStallWatchTest {

    private static final PlayerSockets SOCKETS = new PlayerSockets(16 * 1024, Duration.ofSeconds(1));

    private static MmsServer server() throws InterruptedException {
        return server(SOCKETS);
    }

    private static MmsServer server(PlayerSockets sockets) throws InterruptedException {
        ServerSettings d = ServerSettings.defaults();
        ServerSettings s = new ServerSettings(d.serverVersionInfo(), d.keepAlive(), d.idleTimeout(), 2.0,
                d.maxCommandSize(), 16 * 1024, d.writeMergeMillis());
        return new MmsServer(s, new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT),
                ServerMetrics.NONE, null).withPlayerSockets(sockets).start(new InetSocketAddress("127.0.0.1", 0));
    }

    /** The server-side socket's send queue towards {@code clientPort}; -1 when there is none. */
    private static long sendQueue(int serverPort, int clientPort) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("ss", "-tnH", "state", "all", "sport", "=", ":" + serverPort,
                "dport", "=", ":" + clientPort), Duration.ofSeconds(10));
        for (String line : r.stdoutText().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5) {
                return Long.parseLong(f[2]);
            }
        }
        return -1;
    }

    private static MmsTestClient playing(InetSocketAddress at, AsfFile f, int receiveBuffer) throws Exception {
        MmsTestClient c = MmsTestClient.connect(at, Duration.ofSeconds(30), receiveBuffer);
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        assertEquals(0, c.open("av.asf").hr());
        c.readHeader(2);
        c.selectStreams(f.header().streams().stream().mapToInt(AsfStream::number).toArray());
        assertEquals(0, c.startPlaying(0, 4).hr());
        return c;
    }

    @Test
    void stalledMmsAndMmshPlayersAreResetAndOthersPlayOn() throws Exception {
        try (MmsServer server = server(); LogCapture log = LogCapture.begin();
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             Socket mmsh = new Socket()) {
            InetSocketAddress at = server.localAddress();
            CompletableFuture<MmsTestClient.PlayResult> healthy = CompletableFuture.supplyAsync(() -> {
                try (MmsTestClient c = playing(at, f, 0)) {
                    return c.readUntilEnd(false, 100_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            MmsTestClient mms = playing(at, f, 4096);
            mms.next(); // playing; from here on it reads nothing
            mmsh.setReceiveBufferSize(4096);
            mmsh.connect(at);
            mmsh.getOutputStream().write(("GET /av.asf HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: NSPlayer/9.0.0.2980\r\n"
                    + "Pragma: xPlayStrm=1\r\nPragma: xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int port : new int[] {mms.localPort(), mmsh.getLocalPort()}) {
                String line = log.await(10_000, "stopped reading", ":" + port + " ");
                assertNotNull(line, "player " + port + " dropped: " + log.lines());
                long q = sendQueue(at.getPort(), port);
                for (int i = 0; i < 30 && q >= 0; i++) {
                    Thread.sleep(100);
                    q = sendQueue(at.getPort(), port);
                }
                assertEquals(-1, q, "no socket left for player " + port + " (an RST)");
            }
            mms.close();
            MmsTestClient.PlayResult r = healthy.get(60, TimeUnit.SECONDS);
            assertEquals(f.packetCount(), r.packets.size());
            for (int i = 0; i < r.packets.size(); i++) {
                assertArrayEquals(Fixtures.sentPayload(f, i), r.packets.get(i).payload(), "healthy packet " + i);
            }
        }
    }

    @Test
    void aPlayerThatReadsSlowlyIsNotDropped() throws Exception {
        // A 2 s limit against a read every 300 ms: the margin survives a busy machine's pauses
        // (with 1 s, one 1 s stall of this JVM under load dropped it), and the player is still
        // behind for three times the limit.
        try (MmsServer server = server(new PlayerSockets(16 * 1024, Duration.ofSeconds(2)));
             LogCapture log = LogCapture.begin(); AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            MmsTestClient c = playing(server.localAddress(), f, 4096);
            int port = c.localPort();
            // Half the content's rate, a read every 300 ms: it falls behind, it never stops.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            int packets = 0;
            while (System.nanoTime() < end) {
                c.next();
                packets++;
                Thread.sleep(300);
            }
            assertNull(log.await(200, "stopped reading", ":" + port + " "), "not dropped: " + log.lines());
            assertTrue(packets > 0);
            c.close();
        }
    }

    @Test
    void oneSweepPerLoopWatchesEveryPlayerAndForgetsThoseThatLeft() throws Exception {
        // A long limit: none of these players is dropped while the test looks at the sweeps.
        try (MmsServer server = server(new PlayerSockets(16 * 1024, Duration.ofSeconds(30)));
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            List<MmsTestClient> players = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                players.add(playing(server.localAddress(), f, 0));
            }
            int[] w = server.stallSweeps().watchedAndTimers();
            assertEquals(5, w[0], "every player connection is watched");
            assertTrue(w[1] >= 1 && w[1] <= 5, "one sweep timer per loop with players, not one per player: " + w[1]);
            for (MmsTestClient c : players) {
                c.close();
            }
            // A sweep forgets closed connections on its next pass and then stops its timer.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((w = server.stallSweeps().watchedAndTimers())[0] > 0 && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertEquals(0, w[0], "closed connections are no longer watched");
            assertEquals(0, w[1], "no sweep timer runs without connections");
        }
    }
}
