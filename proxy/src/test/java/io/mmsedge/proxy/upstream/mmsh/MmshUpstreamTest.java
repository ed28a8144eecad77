package io.mmsedge.proxy.upstream.mmsh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.mmsedge.proxy.upstream.Origin;
import io.mmsedge.proxy.upstream.RecordingListener;
import io.mmsedge.proxy.upstream.Upstream;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.UpstreamRequest;
import io.mmsedge.server.ServerSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MMSH upstream against our real origin's MMSH front end (on its MMS port, chosen by the
 * first bytes), and against scripted peers for what our origin never does: silence, garbage, a
 * play answer with no data.
 */
class MmshUpstreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
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

    private static UpstreamRequest request(InetSocketAddress to, String path, SubscriberName player, Duration timeout,
                                           Duration stall) {
        return new UpstreamRequest(to, "127.0.0.1:" + to.getPort(), path, player, VIA, null, timeout, 65535, stall,
                stall);
    }

    private static UpstreamOpenResult open(UpstreamRequest r) throws Exception {
        return MmshUpstream.open(r, group).get(30, TimeUnit.SECONDS);
    }

    private static Upstream opened(String path) throws Exception {
        UpstreamOpenResult r = open(request(origin.address(), path, null, TIMEOUT, TIMEOUT));
        return assertInstanceOf(UpstreamOpenResult.Opened.class, r, () -> "open result " + r).session();
    }

    @ParameterizedTest
    @ValueSource(strings = {"av.asf", "mbr.asf", "audio.asf"})
    void describesLikeReportOpenFileAndPlaysEveryPacket(String name) throws Exception {
        SubscriberName player = SubscriberName.parse("NSPlayer/12.0.7601.17514; {" + GUID + "}");
        try (AsfFile f = AsfFile.open(Fixtures.media(name))) {
            UpstreamOpenResult r = open(request(origin.address(), name, player, TIMEOUT, TIMEOUT));
            UpstreamOpenResult.Opened o = assertInstanceOf(UpstreamOpenResult.Opened.class, r, () -> "" + r);
            try (Upstream s = o.session()) {
                assertArrayEquals(f.header().fileHeader(), o.header());
                ReportOpenFile of = o.openFile();
                assertEquals(f.packetSize(), of.filePacketSize());
                assertEquals(f.packetCount(), of.filePacketCount());
                assertEquals(f.header().durationSeconds(), of.fileDuration(), 1e-9);
                assertTrue((of.fileAttributes() & ContentInfo.ATTR_CANSEEK) != 0, "seekable from features");
                assertEquals(0, of.fileAttributes() & ContentInfo.ATTR_BROADCAST);
                assertEquals(player.clientToken(), origin.lastRequest().subscriber().clientToken(),
                        "the player's agent goes up");
                assertEquals(GUID, origin.lastRequest().subscriber().guid(), "and its xClientGUID");
                assertEquals(List.of(VIA), origin.lastRequest().subscriber().via(), "our token in Via");

                RecordingListener l = new RecordingListener();
                s.setListener(l);
                assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
                assertEquals(0, l.endOfStream.get(30, TimeUnit.SECONDS));
                List<RecordingListener.Packet> packets = l.packets();
                assertEquals(f.packetCount(), packets.size(), "every packet");
                for (int i = 0; i < packets.size(); i++) {
                    assertEquals(i, packets.get(i).locationId());
                    assertArrayEquals(Fixtures.sentPayload(f, i), packets.get(i).payload(), "payload of packet " + i);
                }
                assertEquals(0, l.failures.get());
                assertTrue(s.isOpen(), "the session outlives its play");
            }
        }
    }

    @Test
    void aFillPlaysFromAPacketAndAStopThenPlayByTimeStartsOver() throws Exception {
        try (Upstream s = opened("av.asf"); AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            RecordingListener first = new RecordingListener();
            s.setListener(first);
            long from = f.packetCount() / 2;
            assertEquals(0, s.startPlaying(Double.MAX_VALUE, -1, (int) from, 0, 4_000_000, 60_000)
                    .get(10, TimeUnit.SECONDS));
            assertEquals(0, first.endOfStream.get(30, TimeUnit.SECONDS));
            assertEquals(from, first.packets().get(0).locationId(), "packet-num picked the first packet");
            assertEquals(f.packetCount() - from, first.packets().size());

            RecordingListener second = new RecordingListener();
            s.setListener(second);
            assertEquals(0, s.stopPlaying().get(10, TimeUnit.SECONDS));
            assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertEquals(0, second.endOfStream.get(30, TimeUnit.SECONDS));
            assertEquals(0, second.packets().get(0).locationId());
        }
    }

    @Test
    void aPlaylistsNextEntryArrivesAsEndOfStreamOneThenAStreamChangeWithItsHeader() throws Exception {
        try (Upstream s = opened("plist"); AsfFile second = AsfFile.open(Fixtures.media(Origin.PLAYLIST.get(1)))) {
            RecordingListener l = new RecordingListener();
            s.setListener(l);
            assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
            assertEquals(0, l.endOfStream.get(30, TimeUnit.SECONDS));
            List<String> kinds = l.events.stream().map(RecordingListener.Event::kind).distinct().toList();
            assertEquals(List.of("data", "eos", "change"), kinds, "entry 1, $E(1), $C, entry 2, $E(0)");
            RecordingListener.Event change = l.events.stream().filter(e -> e.kind().equals("change")).findFirst()
                    .orElseThrow();
            assertArrayEquals(second.header().fileHeader(), change.header(), "the second entry's header");
            assertArrayEquals(second.header().fileHeader(), s.header());
            assertEquals(0, l.failures.get());
        }
    }

    @Test
    void stridingAsksForTheRateAndGetsPackets() throws Exception {
        try (Upstream s = opened("av.asf")) {
            RecordingListener l = new RecordingListener();
            s.setListener(l);
            assertEquals(0, s.startStriding(2.0, -1, -1, 4.0).get(10, TimeUnit.SECONDS));
            assertTrue(l.awaitFirstPacket(10), "key frames arrive");
            assertEquals(0, s.stopPlaying().get(10, TimeUnit.SECONDS));
            assertEquals(0, l.failures.get());
        }
    }

    @Test
    void aPlayersLogGoesUpAsALogStatsPostTheOriginRecords() throws Exception {
        io.mmsedge.protocol.mms.ClientLogInfo info = new io.mmsedge.protocol.mms.ClientLogInfo("mms://edge/av.asf",
                null, "NSPlayer/9.0.0.2980", null, 0, "en-US", null, "mmsedgeLogMarker.exe", 0, 12, 0, 0, null, null,
                0, 12, 1, 0, 0, 0, 0, 0, 0, 100, 0);
        try (io.mmsedge.fixtures.LogCapture logs = io.mmsedge.fixtures.LogCapture.begin();
             Upstream s = opened("av.asf")) {
            s.sendLogging(new io.mmsedge.protocol.mms.ClientLog(info, 0, 0x0100007F, "viewer", "Linux", 0, "x86",
                    "mmsh", "TCP", 0, 0, 0, 0, 0));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (logs.lines().stream().noneMatch(l -> l.contains("event=client-log") && l.contains("mmsedgeLogMarker"))
                    && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("event=client-log")
                    && l.contains("mmsedgeLogMarker")), "the origin recorded the log: " + logs.lines());
        }
    }

    @Test
    void unknownContentIsTheOriginsFileNotFound() throws Exception {
        UpstreamOpenResult r = open(request(origin.address(), "nope.asf", null, TIMEOUT, TIMEOUT));
        assertEquals(Hresults.E_FILE_NOT_FOUND, assertInstanceOf(UpstreamOpenResult.Failed.class, r).hr());
    }

    @Test
    void nothingListeningFailsWithNoConnection() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        UpstreamOpenResult r = open(request(new InetSocketAddress("127.0.0.1", port), "a.asf", null, TIMEOUT,
                TIMEOUT));
        assertEquals(Hresults.NS_E_NOCONNECTION, assertInstanceOf(UpstreamOpenResult.Failed.class, r).hr());
    }

    @Test
    void aSilentPeerFailsWithinTheTimeoutAndAGarbledOneAsAProtocolMismatch() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            UpstreamOpenResult r = open(request((InetSocketAddress) silent.getLocalSocketAddress(), "a.asf", null,
                    Duration.ofMillis(500), TIMEOUT));
            UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r);
            assertEquals(Hresults.NS_E_CANNOTCONNECT, f.hr());
            assertTrue(f.reason().contains("Describe response"), f.reason());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        }
        try (ScriptedPeer peer = new ScriptedPeer(List.of("HTTP/1.0 200 OK\r\n\r\nnot a frame".getBytes(
                StandardCharsets.US_ASCII)))) {
            UpstreamOpenResult r = open(request(peer.address(), "a.asf", null, TIMEOUT, TIMEOUT));
            UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r);
            assertEquals(Hresults.NS_E_PROTOCOL_MISMATCH, f.hr());
        }
    }

    @Test
    void aPlayThatSendsNoDataFailsOnceAfterTheFirstDataTimeout() throws Exception {
        byte[] header;
        try (AsfFile f = AsfFile.open(Fixtures.media("audio.asf"))) {
            header = f.header().fileHeader();
        }
        byte[] describe = response("application/vnd.ms.wms-hdr.asfv1", header);
        byte[] playNoData = response("application/x-mms-framed", header);
        try (ScriptedPeer peer = new ScriptedPeer(List.of(describe, playNoData))) {
            UpstreamOpenResult r = open(request(peer.address(), "a.asf", null, TIMEOUT, Duration.ofMillis(700)));
            try (Upstream s = assertInstanceOf(UpstreamOpenResult.Opened.class, r, () -> "" + r).session()) {
                RecordingListener l = new RecordingListener();
                s.setListener(l);
                assertEquals(0, s.startPlaying(0, -1, -1, 0).get(10, TimeUnit.SECONDS));
                String reason = l.failure.get(10, TimeUnit.SECONDS);
                assertTrue(reason.contains("no Data packet within"), reason);
                Thread.sleep(300);
                assertEquals(1, l.failures.get());
                assertFalse(s.isOpen());
                assertTrue(peer.requests.get(1).contains("xPlayStrm=1"), peer.requests.get(1));
                assertTrue(peer.requests.get(1).contains("stream-switch-entry=ffff:1:0"), peer.requests.get(1));
            }
        }
    }

    /** A head with client-id and the header as $H packets; the connection stays open (no $E, no close). */
    private static byte[] response(String type, byte[] header) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("HTTP/1.0 200 OK\r\nContent-Type: " + type + "\r\nPragma: client-id=77\r\n"
                + "Pragma: features=\"seekable\"\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        ByteBuf prefix = MmshFrames.dataHeader(ByteBufAllocator.DEFAULT, MmshFrames.HEADER, 0, 0,
                MmshFrames.AF_HEADER_LAST, header.length);
        out.writeBytes(ByteBufUtil.getBytes(prefix));
        prefix.release();
        out.writeBytes(header);
        return out.toByteArray();
    }

    /** Answers the n-th connection's request with the n-th response, then holds the connection open. */
    private static final class ScriptedPeer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Thread thread;

        ScriptedPeer(List<byte[]> responses) throws IOException {
            thread = new Thread(() -> {
                try {
                    for (byte[] response : responses) {
                        Socket s = server.accept();
                        open.add(s);
                        requests.add(readHead(s.getInputStream()));
                        OutputStream o = s.getOutputStream();
                        o.write(response);
                        o.flush();
                    }
                } catch (IOException ignored) {
                    // closed by the test
                }
            }, "scripted-mmsh-peer");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                    break;
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
