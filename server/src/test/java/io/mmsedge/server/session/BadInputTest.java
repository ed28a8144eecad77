package io.mmsedge.server.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.server.ServerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets a log line naming the peer, the message and the reason, and a closed
 * connection within a second; a healthy session running at the same time is unaffected.
 */
class BadInputTest {

    private static final long CLOSE_WITHIN_MS = 1000;

    @Test
    void malformedInputIsLoggedAndClosedWhileAHealthySessionPlaysOn() throws Exception {
        try (TestOrigin origin = new TestOrigin(ServerSettings.defaults().withPacingSpeed(3));
             LogCapture logs = LogCapture.begin();
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            CompletableFuture<MmsTestClient.PlayResult> healthy = CompletableFuture.supplyAsync(() -> {
                try (MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(30))) {
                    c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                    c.open("av.asf");
                    c.readHeader(2);
                    c.selectStreams(f.header().streams().stream().mapToInt(AsfStream::number).toArray());
                    c.startPlaying(0, 4);
                    return c.readUntilEnd(false, 100_000);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            byte[] garbage = new byte[256];
            new Random(42).nextBytes(garbage);
            garbage[4] = 0; // never looks like a command's sessionId
            garbage[6] = (byte) 0xFF; // a Data "PacketSize" of 0xFFxx, far beyond the bound
            garbage[7] = (byte) 0xFF;
            assertClosedAndLogged(origin, logs, garbage, "message=Data");

            byte[] oversized = frameHeader(0x7FFFFFF0);
            assertClosedAndLogged(origin, logs, oversized, "reason=");

            // A GET, POST, HEAD or OPTIONS is served as MMSH on the MMS port (issue #12, MmshPlayTest);
            // any other HTTP method still reaches the MMS decoder, which refuses it.
            byte[] http = "PUT /av.asf HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            assertClosedAndLogged(origin, logs, http, "message=HTTP");

            byte[] badSeal = frameHeader(48);
            badSeal[12] = 'X';
            assertClosedAndLogged(origin, logs, concat(badSeal, new byte[48 - 16]), "reason=");

            // Out of state: StartPlaying straight after Connect.
            try (MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(5))) {
                c.send(new Connect(0xF0F0F0EF, 0x0004000B, 0x0003001C, MmsTestClient.DEFAULT_SUBSCRIBER));
                c.expect(ReportConnectedEx.class);
                int port = c.localPort();
                long t0 = System.nanoTime();
                c.send(new StartPlaying(1, 0, 0, -1, -1, 0, 4, -1, -1, -1));
                c.setReadTimeout(Duration.ofMillis(CLOSE_WITHIN_MS));
                assertTrue(c.closedByServer(), "out-of-state message closes the connection");
                assertTrue((System.nanoTime() - t0) / 1_000_000 <= CLOSE_WITHIN_MS + 200);
                assertNotNull(logs.await(1000, "peer=/127.0.0.1:" + port, "message=StartPlaying", "reason="),
                        "log line for out-of-state StartPlaying; got " + logs.lines());
            }

            MmsTestClient.PlayResult r = healthy.get(60, TimeUnit.SECONDS);
            assertEquals(f.packetCount(), r.packets.size(), "the healthy session got every packet");
            for (int i = 0; i < r.packets.size(); i++) {
                Received.Data d = r.packets.get(i);
                assertEquals(i, d.locationId());
                assertArrayEquals(Fixtures.sentPayload(f, i), d.payload(), "healthy packet " + i + " unchanged");
            }
            assertEquals(0, r.lastEndOfStream().hr());
        }
    }

    @Test
    void everyPrefixOfARealSessionAndRandomJunkIsHandledWithoutHanging() throws Exception {
        // Feeds truncated and bit-flipped versions of a real player's bytes; every connection
        // must end (closed by the server or still answering) without the server wedging.
        byte[] capture = java.nio.file.Files.readAllBytes(Fixtures.sharedDir().resolve("captures/ffmpeg-to-server.bin"));
        Random rnd = new Random(7);
        try (TestOrigin origin = TestOrigin.fast()) {
            for (int i = 0; i < 40; i++) {
                byte[] b = java.util.Arrays.copyOf(capture, 1 + rnd.nextInt(capture.length));
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    int pos = rnd.nextInt(b.length);
                    b[pos] ^= (byte) (1 << rnd.nextInt(8));
                }
                try (Socket s = new Socket()) {
                    s.connect(origin.address(), 2000);
                    s.getOutputStream().write(b);
                    s.shutdownOutput();
                    s.setSoTimeout(3000);
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[65536];
                    try {
                        while (in.read(buf) >= 0) {
                            // drain until the server closes (it must, at EOF or on error)
                        }
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("server neither answered to the end nor closed, case " + i);
                    } catch (IOException reset) {
                        // a reset is a close
                    }
                }
            }
            // Still healthy afterwards.
            try (MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(5))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                assertEquals(0, c.open("av.asf").hr());
            }
        }
    }

    private static void assertClosedAndLogged(TestOrigin origin, LogCapture logs, byte[] bytes, String fragment)
            throws Exception {
        try (Socket s = new Socket()) {
            s.connect(origin.address(), 2000);
            int port = s.getLocalPort();
            long t0 = System.nanoTime();
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            s.setSoTimeout((int) CLOSE_WITHIN_MS + 200);
            boolean closed;
            try {
                closed = drainUntilClosed(s.getInputStream());
            } catch (SocketTimeoutException e) {
                closed = false;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(closed, "connection closed for " + fragment);
            assertTrue(ms <= CLOSE_WITHIN_MS + 200, "closed within a second, took " + ms + " ms");
            String line = logs.await(1000, "peer=/127.0.0.1:" + port, fragment);
            assertNotNull(line, "a log line naming peer " + port + " and " + fragment + "; got " + logs.lines());
            assertTrue(line.contains("message=") && line.contains("reason="), line);
        }
    }

    private static boolean drainUntilClosed(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // replies before the close are fine
            }
        } catch (java.net.SocketException reset) {
            return true;
        }
        return true;
    }

    /** A TcpMessageHeader start with the given messageLength (§2.2.3). */
    private static byte[] frameHeader(int messageLength) {
        byte[] h = new byte[16];
        h[0] = 1;
        putLe32(h, 4, 0xB00BFACE);
        putLe32(h, 8, messageLength);
        putLe32(h, 12, 0x20534D4D);
        return h;
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
