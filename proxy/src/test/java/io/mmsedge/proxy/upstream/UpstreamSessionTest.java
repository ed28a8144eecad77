package io.mmsedge.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.ScriptedMmsServer;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfStreamType;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.protocol.mms.message.SecurityChallenge;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The upstream client (MS-MMSP §3.1) against real servers on loopback: our origin for the
 * protocol as it should be, a scripted codec-built peer for redirects and malformed replies,
 * and plain sockets for dead peers.
 */
class UpstreamSessionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String GUID = "3300AD50-2C39-46C0-AE0A-60A1B9F20D02";
    private static final String VIA = "mms-edge/test";

    private static EventLoopGroup group;
    private static Origin origin;

    @BeforeAll
    static void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        origin = Origin.fast();
    }

    @AfterAll
    static void stop() {
        origin.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    static List<String> fixtures() {
        return Fixtures.ALL;
    }

    private static UpstreamRequest request(InetSocketAddress to, String hostPort, String path, SubscriberName player,
                                           String credentials, Duration timeout) {
        return new UpstreamRequest(to, hostPort, path, player, VIA, credentials, timeout, 65535);
    }

    private static UpstreamRequest request(Origin o, String path) {
        return request(o.address(), o.hostPort(), path, null, null, TIMEOUT);
    }

    private static UpstreamOpenResult open(UpstreamRequest r) throws Exception {
        return UpstreamSession.open(r, group).get(30, TimeUnit.SECONDS);
    }

    private static Upstream opened(UpstreamRequest r) throws Exception {
        UpstreamOpenResult result = open(r);
        return assertInstanceOf(UpstreamOpenResult.Opened.class, result, () -> "open result " + result).session();
    }

    /** The ASF packet as our origin sends it: padding stripped (§2.2.2). */
    private static void assertWholeFile(AsfFile f, List<RecordingListener.Packet> packets, int incarnation)
            throws IOException {
        assertEquals(f.packetCount(), packets.size(), "every packet delivered");
        for (int i = 0; i < packets.size(); i++) {
            RecordingListener.Packet p = packets.get(i);
            assertEquals(i, p.locationId(), "LocationId is the packet number");
            assertEquals(incarnation, p.playIncarnation());
            assertArrayEquals(Fixtures.sentPayload(f, i), p.payload(), "payload of packet " + i);
        }
    }

    // ------------------------------------------------------------------ open and play

    @ParameterizedTest
    @MethodSource("fixtures")
    void opensEachFixtureAndPlaysEveryPacket(String name) throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media(name))) {
            UpstreamOpenResult result = open(request(origin, name));
            UpstreamOpenResult.Opened o = assertInstanceOf(UpstreamOpenResult.Opened.class, result, () -> "" + result);
            try (Upstream s = o.session()) {
                assertArrayEquals(f.header().fileHeader(), o.header(), "header = the file's ASF file header");
                assertArrayEquals(o.header(), s.header());
                ReportOpenFile of = o.openFile();
                assertEquals(of, s.openFile());
                assertEquals(0, of.hr());
                assertEquals(1, of.openFileId());
                assertEquals(f.packetSize(), of.filePacketSize());
                assertEquals(f.packetCount(), of.filePacketCount());
                assertEquals(f.header().fileHeaderSize(), of.fileHeaderSize());
                assertEquals(f.header().durationSeconds(), of.fileDuration(), 1e-9);
                assertTrue(s.isOpen());

                RecordingListener l = new RecordingListener();
                s.setListener(l);
                assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
                assertEquals(0, l.endOfStream.get(30, TimeUnit.SECONDS), "onEndOfStream(0)");
                // §3.1.1: the first play request uses PlayIncarnation 9.
                assertWholeFile(f, l.packets(), 9);
                assertEquals("eos", l.events.get(l.events.size() - 1).kind());
                assertEquals(0, l.failures.get());
                assertNotEquals(Thread.currentThread(), l.callbackThread, "callbacks on the event loop");
                // Nothing is playing any more: stop completes at once, a new play works.
                assertEquals(0, s.stopPlaying().get(10, TimeUnit.SECONDS));
            }
            assertEquals(name, origin.lastRequest().path());
        }
    }

    @Test
    void seekStopsThenPlaysFromTheKeyFrameAtFiveSeconds() throws Exception {
        try (Origin paced = new Origin(ServerSettings.defaults().withPacingSpeed(1), null);
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             Upstream s = opened(request(paced, "av.asf"))) {
            RecordingListener first = new RecordingListener();
            s.setListener(first);
            assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertTrue(first.awaitFirstPacket(10));
            // §3.1.4.2: a play request needs READY.
            assertEquals(Hresults.E_UNEXPECTED, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertEquals(0, s.stopPlaying().get(10, TimeUnit.SECONDS), "EndOfStream answers StopPlaying");
            int before = first.packets().size();
            assertTrue(before < f.packetCount(), "stopped mid-stream");
            assertTrue(first.packets().stream().allMatch(p -> p.playIncarnation() == 9));
            assertFalse(first.endOfStream.isDone(), "the stop's EndOfStream is not a listener event");

            RecordingListener second = new RecordingListener();
            s.setListener(second);
            assertEquals(0, s.startPlaying(5.0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertTrue(second.awaitFirstPacket(10));
            assertEquals(before, first.packets().size(), "nothing more reached the old listener");
            RecordingListener.Packet p = second.packets().get(0);
            assertEquals(f.packetForTime(5000), p.locationId(), "starts at the packet for 5 s");
            assertEquals(10, p.playIncarnation(), "a fresh PlayIncarnation per play request");
            // The origin starts each stream at its next key frame (payloads before it are filtered).
            int video = f.header().streams().stream().filter(st -> st.type() == AsfStreamType.VIDEO)
                    .findFirst().orElseThrow().number();
            ByteBuf b = Unpooled.wrappedBuffer(p.payload());
            try {
                assertTrue(AsfPacket.parse(b, f.packetSize()).payloads().stream()
                        .anyMatch(pl -> pl.streamNumber() == video && pl.isKeyFrameStart()), "a video key frame");
            } finally {
                b.release();
            }
            assertEquals(0, s.stopPlaying().get(10, TimeUnit.SECONDS));
            assertEquals(0, second.failures.get());
        }
    }

    @Test
    void playlistDeliversEndOfStreamOneStreamChangeAndTheSecondEntry() throws Exception {
        try (AsfFile a = AsfFile.open(Fixtures.media(Origin.PLAYLIST.get(0)));
             AsfFile b = AsfFile.open(Fixtures.media(Origin.PLAYLIST.get(1)));
             Upstream s = opened(request(origin, "plist"))) {
            assertArrayEquals(a.header().fileHeader(), s.header());
            RecordingListener l = new RecordingListener();
            s.setListener(l);
            assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertEquals(0, l.endOfStream.get(30, TimeUnit.SECONDS));

            List<RecordingListener.Event> events = l.events;
            int eos1 = indexOf(events, "eos", 0);
            assertEquals(1, events.get(eos1).hr(), "hr 1: a StreamChange follows");
            RecordingListener.Event change = events.get(eos1 + 1);
            assertEquals("change", change.kind());
            assertArrayEquals(b.header().fileHeader(), change.header(), "the second entry's header");
            assertEquals(b.packetSize(), change.change().cbPacketSize());
            assertEquals(b.header().fileHeaderSize(), change.change().cbHeaderSize());
            assertArrayEquals(b.header().fileHeader(), s.header(), "header() follows the StreamChange");

            assertWholeFile(a, packets(events.subList(0, eos1)), 9);
            int eos0 = indexOf(events, "eos", eos1 + 1);
            assertEquals(events.size() - 1, eos0, "onEndOfStream(0) is the last event");
            // §3.2.4.2: the new entry's packets carry 0xFF.
            assertWholeFile(b, packets(events.subList(eos1 + 2, eos0)), 0xFF);
            assertEquals(0, l.failures.get());

            // READY again: a new play request replays the current (second) entry, fresh incarnation.
            RecordingListener again = new RecordingListener();
            s.setListener(again);
            assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertEquals(0, again.endOfStream.get(30, TimeUnit.SECONDS));
            assertWholeFile(b, again.packets(), 10);
        }
    }

    private static int indexOf(List<RecordingListener.Event> events, String kind, int from) {
        for (int i = from; i < events.size(); i++) {
            if (events.get(i).kind().equals(kind)) {
                return i;
            }
        }
        throw new AssertionError("no " + kind + " event after " + from + " in " + events.size() + " events");
    }

    private static List<RecordingListener.Packet> packets(List<RecordingListener.Event> events) {
        return events.stream().map(e -> {
            assertEquals("data", e.kind());
            return e.packet();
        }).toList();
    }

    @Test
    void stridingAndPingsWhileReady() throws Exception {
        // KeepAlive 100 ms: the origin Pings the idle client, which must answer (§3.1.5.13).
        try (Origin pinging = new Origin(ServerSettings.defaults().withPacingSpeed(0)
                .withKeepAlive(Duration.ofMillis(100)), null);
             Upstream s = opened(request(pinging, "indexed.asf"))) {
            Thread.sleep(600);
            assertTrue(s.isOpen(), "Pings answered, session alive");
            assertEquals(Hresults.E_INVALID_ARG, s.startStriding(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            RecordingListener l = new RecordingListener();
            s.setListener(l);
            assertEquals(0, s.startStriding(0, -1, -1, 2.0).get(10, TimeUnit.SECONDS));
            assertEquals(0, l.endOfStream.get(30, TimeUnit.SECONDS));
            assertFalse(l.packets().isEmpty());
            assertTrue(l.packets().stream().allMatch(p -> p.playIncarnation() == 9));
            assertEquals(0, l.failures.get());
        }
    }

    // ------------------------------------------------------------------ subscriberName

    @Test
    void subscriberNameKeepsThePlayersGuidAndAddsHostAndVia() throws Exception {
        SubscriberName player = SubscriberName.parse("NSPlayer/7.0.0.1956; {" + GUID + "}; Host: edge");
        String hp = origin.hostPort();
        try (Upstream s = opened(request(origin.address(), hp, "audio.asf", player, null, TIMEOUT))) {
            String sent = s.subscriberNameSent();
            assertTrue(sent.startsWith("NSPlayer/7.0.0.1956; {" + GUID + "}"), sent);
            assertTrue(sent.contains("; Host: " + hp), sent);
            assertFalse(sent.contains("Host: edge"), sent);
            assertTrue(sent.contains("\0HOST: " + hp), sent);
            assertTrue(sent.contains("\0VIA: " + VIA), sent);
        }
        SubscriberName atOrigin = origin.lastRequest().subscriber();
        assertEquals("NSPlayer/7.0.0.1956", atOrigin.clientToken());
        assertEquals(GUID, atOrigin.guid());
        assertEquals(hp, atOrigin.hostParam());
        assertEquals(hp, atOrigin.hostString());
        assertEquals(List.of(VIA), atOrigin.via());
    }

    @Test
    void existingViaIsExtendedAndExistingHostStringKept() throws Exception {
        SubscriberName player = SubscriberName.parse("NSPlayer/9.0.0.2980; {" + GUID + "}; Host: edge:1755"
                + "\0HOST: edge:1755\0VIA: other/1");
        try (Upstream s = opened(request(origin.address(), origin.hostPort(), "audio.asf", player, null, TIMEOUT))) {
            assertTrue(s.subscriberNameSent().contains("\0VIA: other/1, " + VIA), s.subscriberNameSent());
        }
        SubscriberName atOrigin = origin.lastRequest().subscriber();
        assertEquals(List.of("other/1", VIA), atOrigin.via());
        assertTrue(atOrigin.viaContains(VIA));
        assertEquals(origin.hostPort(), atOrigin.hostParam());
        assertEquals("edge:1755", atOrigin.hostString(), "a HOST string already present is kept");
    }

    @Test
    void withoutAPlayerNameADefaultTokenWithAFreshGuidIsSent() throws Exception {
        try (Upstream s = opened(request(origin, "audio.asf"))) {
            assertTrue(s.subscriberNameSent().startsWith("NSPlayer/9.0"), s.subscriberNameSent());
        }
        SubscriberName atOrigin = origin.lastRequest().subscriber();
        assertEquals("NSPlayer", atOrigin.product());
        assertNotNull(atOrigin.guid());
        assertEquals(36, atOrigin.guid().length());
        assertEquals(origin.hostPort(), atOrigin.hostString());
    }

    // ------------------------------------------------------------------ failures

    @Test
    void nothingListeningFailsWithinTheConnectTimeout() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        long t0 = System.nanoTime();
        UpstreamOpenResult r = open(request(new InetSocketAddress("127.0.0.1", port), null, "av.asf", null, null,
                Duration.ofSeconds(2)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r);
        assertEquals(Hresults.NS_E_NOCONNECTION, f.hr(), f.reason());
        assertTrue(ms < 2500, "failed after " + ms + " ms");
    }

    @Test
    void unknownPathFailsWithTheOriginsHr() throws Exception {
        UpstreamOpenResult r = open(request(origin, "no-such-file.asf"));
        UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r);
        assertEquals(Hresults.E_FILE_NOT_FOUND, f.hr(), f.reason());
    }

    @Test
    void invalidRequestsFailWithoutConnecting() throws Exception {
        UpstreamOpenResult r = open(new UpstreamRequest(origin.address(), null, "av.asf", null, null, null,
                TIMEOUT, 0));
        assertEquals(Hresults.E_INVALID_ARG, assertInstanceOf(UpstreamOpenResult.Failed.class, r).hr());
        r = open(new UpstreamRequest(origin.address(), null, "av.asf", null, null, "user\0", TIMEOUT, 65535));
        assertEquals(Hresults.E_INVALID_ARG, assertInstanceOf(UpstreamOpenResult.Failed.class, r).hr());
        r = open(new UpstreamRequest(InetSocketAddress.createUnresolved("nowhere.invalid", 1755), null, "av.asf",
                null, null, null, TIMEOUT, 65535));
        assertInstanceOf(UpstreamOpenResult.Failed.class, r);
    }

    @Test
    void aPeerThatNeverAnswersFailsWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread reader = new Thread(() -> {
                try (Socket s = silent.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[4096];
                    while (in.read(buf) >= 0) {
                        // read and stay silent
                    }
                } catch (IOException ignored) {
                    // closed by the test
                }
            }, "silent-peer");
            reader.setDaemon(true);
            reader.start();
            long t0 = System.nanoTime();
            UpstreamOpenResult r = open(request(new InetSocketAddress("127.0.0.1", silent.getLocalPort()), null,
                    "av.asf", null, null, Duration.ofMillis(700)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r);
            assertEquals(Hresults.NS_E_CANNOTCONNECT, f.hr());
            assertTrue(f.reason().contains("ReportConnectedEX"), f.reason());
            assertTrue(ms >= 600 && ms < 3000, "failed after " + ms + " ms");
        }
    }

    @Test
    void originKilledMidStreamReportsOneFailure() throws Exception {
        Origin paced = new Origin(ServerSettings.defaults().withPacingSpeed(1), null);
        try (Upstream s = opened(request(paced, "av.asf"))) {
            RecordingListener l = new RecordingListener();
            s.setListener(l);
            assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertTrue(l.awaitFirstPacket(10));
            paced.close();
            String reason = l.failure.get(10, TimeUnit.SECONDS);
            assertTrue(reason.startsWith(Hresults.hex(Hresults.NS_E_NOCONNECTION)), reason);
            Thread.sleep(300);
            assertEquals(1, l.failures.get(), "onFailure exactly once");
            assertEquals("failure", l.events.get(l.events.size() - 1).kind(), "no events after onFailure");
            assertFalse(s.isOpen());
            assertEquals(Hresults.NS_E_NOCONNECTION, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertEquals(Hresults.NS_E_NOCONNECTION, s.stopPlaying().get(10, TimeUnit.SECONDS));
        } finally {
            paced.close();
        }
    }

    @Test
    void closeSendsCloseFileAndIsIdempotent() throws Exception {
        Upstream s = opened(request(origin, "av.asf"));
        RecordingListener l = new RecordingListener();
        s.setListener(l);
        s.close();
        s.close();
        assertFalse(s.isOpen());
        Thread.sleep(200);
        assertEquals(0, l.failures.get(), "closing is not a failure");
        assertEquals(Hresults.NS_E_NOCONNECTION, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
    }

    // ------------------------------------------------------------------ scripted peer: redirects, malformed replies

    @ParameterizedTest
    @CsvSource(value = {"2,''", "1,mmst://other.example:1755/x.asf"}, quoteCharacter = '\'')
    void redirectBeforeReportOpenFileIsReturnedNotFollowed(int type, String location) throws Exception {
        try (ScriptedMmsServer peer = new ScriptedMmsServer((m, ch) -> {
            if (m instanceof OpenFile) {
                ch.writeAndFlush(new ReportRedirect(0, type, location));
            }
        })) {
            UpstreamOpenResult r = open(request(peer.address(), "origin.example:1755", "x.asf", null, null, TIMEOUT));
            UpstreamOpenResult.Redirected red = assertInstanceOf(UpstreamOpenResult.Redirected.class, r, () -> "" + r);
            assertEquals(type, red.type());
            assertEquals(location, red.location());
            // §2.2.4.18 funnelName names the real local socket of the connection.
            InetSocketAddress client = peer.clientAddress;
            ConnectFunnel cf = peer.first(ConnectFunnel.class);
            assertEquals("\\\\127.0.0.1\\TCP\\" + client.getPort(), cf.funnelName());
            assertEquals(2, cf.funnelMode());
            assertEquals(0x00989680, cf.maxBitRate());
            OpenFile of = peer.first(OpenFile.class);
            assertEquals("x.asf", of.fileName());
            assertEquals(1, of.playIncarnation(), "§3.1.1 Incarnation starts at 1");
            assertEquals(0, of.tokenData().length);
        }
    }

    @Test
    void reportOpenFileWithAnOversizedPacketSizeIsAProtocolError() throws Exception {
        try (ScriptedMmsServer peer = new ScriptedMmsServer((m, ch) -> {
            if (m instanceof OpenFile o) {
                ch.writeAndFlush(new ReportOpenFile(0, o.playIncarnation(), 1, 0, 0, 0, 1.0, 1, 70_000, 1, 1000, 5000));
            }
        })) {
            UpstreamOpenResult r = open(request(peer.address(), null, "x.asf", null, null, TIMEOUT));
            UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r, () -> "" + r);
            assertEquals(Hresults.NS_E_PROTOCOL_MISMATCH, f.hr());
            assertTrue(f.reason().contains("filePacketSize"), f.reason());
        }
    }

    @Test
    void headerLongerThanAnnouncedIsAProtocolError() throws Exception {
        try (ScriptedMmsServer peer = new ScriptedMmsServer((m, ch) -> {
            if (m instanceof OpenFile o) {
                ch.writeAndFlush(new ReportOpenFile(0, o.playIncarnation(), 1, 0, 0, 0, 1.0, 1, 1000, 1, 1000, 100));
            } else if (m instanceof io.mmsedge.protocol.mms.message.ReadBlock rb) {
                ch.write(new io.mmsedge.protocol.mms.message.ReportReadBlock(0, rb.playIncarnation(), 0));
                ch.writeAndFlush(new DataPacket(0, rb.playIncarnation() & 0xFF, DataPacket.AF_HEADER_LAST,
                        ch.alloc().buffer(200).writeZero(200)));
            }
        })) {
            UpstreamOpenResult r = open(request(peer.address(), null, "x.asf", null, null, TIMEOUT));
            UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r, () -> "" + r);
            assertEquals(Hresults.NS_E_PROTOCOL_MISMATCH, f.hr());
            assertTrue(f.reason().contains("header"), f.reason());
        }
    }

    /**
     * A scripted server reporting {@code version} that opens audio.asf and accepts a play; returns
     * the StartPlaying our client sent when asked to accelerate (§2.2.4.25).
     */
    private static io.mmsedge.protocol.mms.message.StartPlaying acceleratedStartPlaying(String version)
            throws Exception {
        byte[] header;
        long packets;
        int packetSize;
        try (AsfFile f = AsfFile.open(Fixtures.media("audio.asf"))) {
            header = f.header().fileHeader();
            packets = f.packetCount();
            packetSize = f.packetSize();
        }
        try (ScriptedMmsServer peer = new ScriptedMmsServer(version, (m, ch) -> {
            if (m instanceof OpenFile o) {
                ch.writeAndFlush(new ReportOpenFile(0, o.playIncarnation(), 1, 0, 0, io.mmsedge.protocol.content.ContentInfo.ATTR_CANSEEK, 8.0,
                        1, packetSize, packets, 32000, header.length));
            } else if (m instanceof io.mmsedge.protocol.mms.message.ReadBlock rb) {
                ch.write(new io.mmsedge.protocol.mms.message.ReportReadBlock(0, rb.playIncarnation(), 0));
                ch.writeAndFlush(new DataPacket(0, rb.playIncarnation() & 0xFF, DataPacket.AF_HEADER_LAST,
                        Unpooled.wrappedBuffer(header)));
            } else if (m instanceof io.mmsedge.protocol.mms.message.StreamSwitch) {
                ch.writeAndFlush(new io.mmsedge.protocol.mms.message.ReportStreamSwitch(0));
            } else if (m instanceof io.mmsedge.protocol.mms.message.StartPlaying sp) {
                ch.writeAndFlush(new io.mmsedge.protocol.mms.message.ReportStartedPlaying(0, sp.playIncarnation(), 1, 0));
            }
        })) {
            Upstream s = opened(request(peer.address(), null, "audio.asf", null, null, TIMEOUT));
            try {
                assertEquals(0, s.startPlaying(0, -1, -1, 0, 128_000, 68_000).get(10, TimeUnit.SECONDS));
                return peer.first(io.mmsedge.protocol.mms.message.StartPlaying.class);
            } finally {
                s.close();
            }
        }
    }

    @Test
    void aVersion9ServerIsAskedToAccelerateAndAnOlderOneIsNot() throws Exception {
        var v9 = acceleratedStartPlaying("9.1.1.3862");
        assertEquals(128_000, v9.dwAccelBandwidth());
        assertEquals(68_000, v9.dwAccelDuration());
        // §3.1.4.2.1 and endnote <31>: the fields exist from version 9 on; WMS 4.1 never gets them.
        var v4 = acceleratedStartPlaying("4.1.0.3928");
        assertEquals(-1, v4.dwAccelBandwidth());
        assertEquals(-1, v4.dwAccelDuration());
    }

    @Test
    void ntlmChallengeIsReportedAsAuthenticationRequired() throws Exception {
        try (ScriptedMmsServer peer = new ScriptedMmsServer((m, ch) -> {
            if (m instanceof OpenFile o) {
                ch.writeAndFlush(new SecurityChallenge(o.playIncarnation(), 7, new byte[] {0, 0, 1, 2, 3, 4}));
            }
        })) {
            UpstreamOpenResult r = open(request(peer.address(), null, "x.asf", null, "dXNlcjpwdw==", TIMEOUT));
            UpstreamOpenResult.AuthenticationRequired a =
                    assertInstanceOf(UpstreamOpenResult.AuthenticationRequired.class, r, () -> "" + r);
            assertTrue(a.ntlm());
            assertEquals("", a.realm());
        }
    }

    // ------------------------------------------------------------------ authentication against our origin

    @Test
    void basicAuthentication() throws Exception {
        String good = "dXNlcjpwYXNzd29yZA==";
        try (Origin guarded = new Origin(ServerSettings.defaults().withPacingSpeed(0), inner -> request ->
                good.equals(request.credentials()) ? inner.open(request) : new OpenResult.AuthenticationRequired("test"))) {
            UpstreamOpenResult none = open(request(guarded.address(), guarded.hostPort(), "audio.asf", null, null, TIMEOUT));
            assertEquals(new UpstreamOpenResult.AuthenticationRequired("test", false), none);
            assertNull(guarded.lastRequest().credentials());

            UpstreamOpenResult wrong = open(request(guarded.address(), guarded.hostPort(), "audio.asf", null, "bm9wZQ==",
                    TIMEOUT));
            assertEquals(new UpstreamOpenResult.AuthenticationRequired("test", false), wrong);
            // OpenFile tokenData, then one SecurityResponse after the challenge, then give up.
            List<OpenRequest> attempts = guarded.requests.subList(1, guarded.requests.size());
            assertEquals(2, attempts.size());
            assertTrue(attempts.stream().allMatch(a -> "bm9wZQ==".equals(a.credentials())));

            try (Upstream s = opened(request(guarded.address(), guarded.hostPort(), "audio.asf", null, good,
                    TIMEOUT))) {
                assertEquals(good, guarded.lastRequest().credentials());
                RecordingListener l = new RecordingListener();
                s.setListener(l);
                assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
                assertEquals(0, l.endOfStream.get(30, TimeUnit.SECONDS));
                assertNotEquals(0, l.packets().size());
            }
        }
    }

    @Test
    void realmIsParsedFromTheUtf16Token() {
        assertEquals("test", io.mmsedge.protocol.mms.client.ClientMessages.realm("realm=\"test\"\0".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals("", io.mmsedge.protocol.mms.client.ClientMessages.realm("nothing".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals("a b", io.mmsedge.protocol.mms.client.ClientMessages.realm("Realm=\"a b".getBytes(StandardCharsets.UTF_16LE)));
    }
}
