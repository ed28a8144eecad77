package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The edge in front of real origins on loopback: reverse and forward proxying, subscriberName
 * rewriting (VIA/HOST, §2.2.4.17) as the origin sees it, chains, loops, denials and failures.
 */
class EdgeProxyTest {

    /** An origin that records the subscriberName of every OpenFile it gets. */
    static final class RecordingOrigin implements AutoCloseable {
        final List<SubscriberName> subscribers = new CopyOnWriteArrayList<>();
        final MmsServer server;

        RecordingOrigin(double pacing) throws InterruptedException {
            DirectoryCatalog dir = new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT);
            MediaCatalog recording = request -> {
                subscribers.add(request.subscriber());
                return dir.open(request);
            };
            server = new MmsServer(ServerSettings.defaults().withPacingSpeed(pacing), recording, ServerMetrics.NONE, null)
                    .start(new InetSocketAddress("127.0.0.1", 0));
        }

        int port() {
            return server.localAddress().getPort();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    static EdgeApplication edge(String edgeYaml) throws Exception {
        String yaml = "server:\n  pacingSpeed: 0\n" + edgeYaml;
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test",
                Path.of("."));
        return EdgeApplication.start(cfg, Path.of("."));
    }

    static EdgeApplication reverseEdge(int originPort, String instance) throws Exception {
        return edge("""
                edge:
                  bind: 127.0.0.1
                  port: 0
                  instanceId: %s
                  connectTimeoutSeconds: 2
                  reverse:
                    - prefix: ""
                      origins: ["mms://127.0.0.1:%d"]
                """.formatted(instance, originPort));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Plays a whole file through {@code server} with the test client, checking every packet. */
    static MmsTestClient.PlayResult playAndCheck(InetSocketAddress server, String subscriber, String file)
            throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media(file));
             MmsTestClient c = MmsTestClient.connect(server, Duration.ofSeconds(15))) {
            c.handshake(subscriber);
            ReportOpenFile of = c.open(file);
            assertEquals(0, of.hr(), "open " + file + " hr=" + Hresults.hex(of.hr()));
            assertEquals(1, of.openFileId(), "the edge gives players openFileId 1");
            assertEquals(f.packetCount(), of.filePacketCount());
            assertEquals(f.header().fileHeaderSize(), of.fileHeaderSize());
            assertArrayEquals(f.header().fileHeader(), c.readHeader(2));
            c.selectStreams(f.header().streams().stream().mapToInt(AsfStream::number).toArray());
            assertEquals(9, c.startPlaying(0, 9).playIncarnation());
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertEquals(f.packetCount(), r.packets.size());
            for (int i = 0; i < r.packets.size(); i++) {
                Received.Data d = r.packets.get(i);
                assertEquals(i, d.locationId());
                assertEquals(9, d.playIncarnation(), "the player's own incarnation, not the edge's upstream one");
                assertEquals(i & 0xFF, d.afFlags(), "the player's own AFFlags sequence");
                assertArrayEquals(Fixtures.sentPayload(f, i), d.payload(),
                        "ASF payload bytes pass unchanged, packet " + i);
            }
            assertEquals(0, r.lastEndOfStream().hr());
            return r;
        }
    }

    @Test
    void reverseProxyRelaysEveryFixtureUnchangedWithPerPlayerHeaders() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(0); EdgeApplication edge = reverseEdge(origin.port(), "a")) {
            for (String file : Fixtures.ALL) {
                playAndCheck(edge.edgeAddress(), MmsTestClient.DEFAULT_SUBSCRIBER, file);
            }
            SubscriberName seen = origin.subscribers.get(0);
            assertTrue(seen.guid() != null && MmsTestClient.DEFAULT_SUBSCRIBER.contains(seen.guid()),
                    "the player's GUID is kept: " + seen);
            assertEquals("127.0.0.1:" + origin.port(), seen.hostParam());
            assertEquals("127.0.0.1:" + origin.port(), seen.hostString());
            assertEquals(List.of(edge.proxy().settings().via().value()), seen.via());
            assertTrue(seen.via().get(0).matches("mms-edge/[^,+ ]+\\+a"), seen.via().toString());
            assertTrue(seen.clientToken().startsWith("NSPlayer/7.0.0.1956"), seen.clientToken());
        }
    }

    @Test
    void forwardProxyReachesTheNamedOriginWithHostAndVia() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(0);
             EdgeApplication edge = edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       instanceId: fwd
                       forward:
                         enabled: true
                         allow: ["127.0.0.1:*"]
                     """)) {
            String sub = MmsTestClient.DEFAULT_SUBSCRIBER + "; Host: 127.0.0.1:" + origin.port();
            playAndCheck(edge.edgeAddress(), sub, "audio.asf");
            SubscriberName seen = origin.subscribers.get(0);
            assertEquals("127.0.0.1:" + origin.port(), seen.hostString(), "HOST string inserted");
            assertEquals(1, seen.via().size());
            assertTrue(seen.via().get(0).startsWith("mms-edge/") && seen.via().get(0).endsWith("+fwd"), seen.via().toString());
        }
    }

    @Test
    void aForwardRequestOutsideTheAllowRulesIsDenied() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(0);
             EdgeApplication edge = edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       forward:
                         enabled: true
                         allow: ["media.example.com", "10.0.0.0/8"]
                     """);
             MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER + "; Host: 127.0.0.1:" + origin.port());
            ReportOpenFile of = c.open("av.asf");
            assertEquals(Hresults.E_ACCESS_DENIED, of.hr());
            assertTrue(origin.subscribers.isEmpty(), "the origin was never contacted");
        }
    }

    @Test
    void aChainOfTwoEdgesAddsBothViaTokens() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(0);
             EdgeApplication b = reverseEdge(origin.port(), "b");
             EdgeApplication a = reverseEdge(b.edgeAddress().getPort(), "a")) {
            playAndCheck(a.edgeAddress(), MmsTestClient.DEFAULT_SUBSCRIBER, "av.asf");
            SubscriberName seen = origin.subscribers.get(0);
            assertEquals(List.of(a.proxy().settings().via().value(), b.proxy().settings().via().value()), seen.via());
            String rendered = seen.render();
            assertTrue(rendered.matches("(?s).*VIA: mms-edge/[^,]+, mms-edge/[^,\\x00]+.*"), rendered);
        }
    }

    @Test
    void aLoopIsRefusedWithAnErrorHr() throws Exception {
        int port = freePort();
        try (EdgeApplication a = edge("""
                edge:
                  bind: 127.0.0.1
                  port: %d
                  instanceId: loop
                  connectTimeoutSeconds: 2
                  reverse:
                    - prefix: ""
                      origins: ["mms://127.0.0.1:%d"]
                """.formatted(port, port));
             MmsTestClient c = MmsTestClient.connect(a.edgeAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            ReportOpenFile of = c.open("av.asf");
            assertTrue(Hresults.failed(of.hr()), "loop must fail, hr=" + Hresults.hex(of.hr()));
        }
    }

    @Test
    void anUnreachableOriginGivesAnErrorWithinTheConnectTimeoutAndTheNextOriginIsTried() throws Exception {
        int dead = freePort();
        try (RecordingOrigin origin = new RecordingOrigin(0);
             EdgeApplication onlyDead = reverseEdge(dead, "d");
             EdgeApplication failover = edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       connectTimeoutSeconds: 2
                       reverse:
                         - prefix: ""
                           origins: ["mms://127.0.0.1:%d", "mms://127.0.0.1:%d"]
                     """.formatted(dead, origin.port()))) {
            try (MmsTestClient c = MmsTestClient.connect(onlyDead.edgeAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                long t0 = System.nanoTime();
                ReportOpenFile of = c.open("av.asf");
                assertTrue(Hresults.failed(of.hr()));
                assertTrue((System.nanoTime() - t0) / 1e9 < 3.0, "within the connect timeout");
            }
            playAndCheck(failover.edgeAddress(), MmsTestClient.DEFAULT_SUBSCRIBER, "audio.asf");
        }
    }

    @Test
    void theOriginsAnswerForMissingContentReachesThePlayer() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(0); EdgeApplication edge = reverseEdge(origin.port(), "m");
             MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(Hresults.E_FILE_NOT_FOUND, c.open("nope.asf").hr());
        }
    }

    @Test
    void anOriginDyingMidStreamEndsThePlayersStreamWithAnErrorHr() throws Exception {
        RecordingOrigin origin = new RecordingOrigin(1.0); // real time, so it is mid-stream when it dies
        try (EdgeApplication edge = reverseEdge(origin.port(), "x");
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(15))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open("av.asf").hr());
            c.readHeader(2);
            c.selectStreams(f.header().streams().stream().mapToInt(AsfStream::number).toArray());
            c.startPlaying(0, 4);
            assertTrue(c.nextAnsweringPings() instanceof Received.Data);
            origin.close();
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertTrue(r.packets.size() < f.packetCount());
            assertTrue(Hresults.failed(r.lastEndOfStream().hr()), "EndOfStream carries an error hr");
            assertTrue(c.closedByServer(), "then the session closes cleanly");
        } finally {
            origin.close();
        }
    }

    /** A player's LinkViewerToMacLogging after playing audio.asf (§2.2.4.20), told apart by its uniquePid. */
    static io.mmsedge.protocol.mms.message.Logging playersLog(String uniquePid) {
        io.mmsedge.protocol.mms.ClientLogInfo info = new io.mmsedge.protocol.mms.ClientLogInfo(
                "mmst://edge/audio.asf", "-", "test-agent", "-", 0L, "en-US", uniquePid, "test.exe", 0L,
                8000, 0L, 32000, "wmav2", "-", 0, 8000, 1, 0, 0, 1000L, 12, 0, 0, 100, 0);
        return new io.mmsedge.protocol.mms.message.Logging(new io.mmsedge.protocol.mms.ClientLog(info, 1, -1, "-",
                "Linux", 0L, "x86", "mms", "TCP", 0, 0, 0, 0, 0));
    }

    @Test
    void thePlayersLoggingIsForwardedToTheOriginAndLoggedAtTheEdge() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(0); EdgeApplication edge = reverseEdge(origin.port(), "log");
             io.mmsedge.fixtures.LogCapture logs = io.mmsedge.fixtures.LogCapture.begin();
             AsfFile f = AsfFile.open(Fixtures.media("audio.asf"));
             MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open("audio.asf").hr());
            c.readHeader(2);
            c.selectStreams(1);
            c.startPlaying(0, 4);
            c.readUntilEnd(false, 10_000);
            c.send(playersLog("{pid-42}"));
            int playerPort = c.localPort();
            String atEdge = logs.await(3000, "peer=/127.0.0.1:" + playerPort, "event=client-log");
            assertNotNull(atEdge, "logged at the edge: " + logs.lines());
            // Both the edge and the origin log in this JVM, and the edge's own line also carries {pid-42}:
            // wait for one from another peer (the edge's upstream connection), which arrives later.
            String atOrigin = logs.await(5000, l -> l.contains("event=client-log") && l.contains("{pid-42}")
                    && !l.contains("peer=/127.0.0.1:" + playerPort + " "));
            assertNotNull(atOrigin,
                    "the origin logged it too, from the edge's upstream connection: " + logs.lines());
        }
    }

    @Test
    void playerRedirectPoliciesSendType2AndType1() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(0);
             EdgeApplication edge = edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       reverse:
                         - prefix: ""
                           origins: ["mms://127.0.0.1:%d"]
                       forward:
                         enabled: true
                         allow: ["127.0.0.1:*", "*.intranet.example"]
                       redirects:
                         - {originPattern: "*.intranet.example", type: 2, location: ""}
                         - {pathPrefix: "moved/", type: 1, location: "mmst://127.0.0.1:%d/av.asf"}
                     """.formatted(origin.port(), origin.port()))) {
            try (MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER + "; Host: media.intranet.example:1755");
                c.send(new io.mmsedge.protocol.mms.message.OpenFile(1, 0, 0, "a.asf", new byte[0]));
                var rd = c.expect(io.mmsedge.protocol.mms.message.ReportRedirect.class);
                assertEquals(2, rd.redirectType());
                assertEquals("", rd.location(), "empty location: bypass the proxy and go direct");
                assertTrue(c.closedByServer(), "the session closes after a redirect (§3.2.5.6)");
            }
            try (MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                c.send(new io.mmsedge.protocol.mms.message.OpenFile(1, 0, 0, "moved/clip.asf", new byte[0]));
                var rd = c.expect(io.mmsedge.protocol.mms.message.ReportRedirect.class);
                assertEquals(1, rd.redirectType());
                assertEquals("mmst://127.0.0.1:" + origin.port() + "/av.asf", rd.location());
                assertTrue(c.closedByServer());
            }
            assertTrue(origin.subscribers.isEmpty());
        }
    }

    @Test
    void atTheSessionLimitPlayersAreSentToASiblingEdge() throws Exception {
        try (RecordingOrigin origin = new RecordingOrigin(1.0);
             EdgeApplication edge = edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       maxSessions: 1
                       reverse:
                         - prefix: ""
                           origins: ["mms://127.0.0.1:%d"]
                       redirects:
                         - {whenBusy: true, type: 2, location: "mms://127.0.0.1:1799"}
                     """.formatted(origin.port()));
             MmsTestClient first = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10));
             MmsTestClient second = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            first.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, first.open("av.asf").hr());
            second.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            second.send(new io.mmsedge.protocol.mms.message.OpenFile(1, 0, 0, "av.asf", new byte[0]));
            var rd = second.expect(io.mmsedge.protocol.mms.message.ReportRedirect.class);
            assertEquals(2, rd.redirectType());
            assertEquals("mms://127.0.0.1:1799", rd.location());
            assertNotNull(edge.proxy());
            assertEquals(1, edge.proxy().upstreamSessions());
        }
    }
}
