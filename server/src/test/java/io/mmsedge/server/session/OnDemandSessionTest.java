package io.mmsedge.server.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.asf.AsfStreamType;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportDisconnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportStartStriding;
import io.mmsedge.protocol.mms.message.ReportStartedPlaying;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StopPlaying;
import io.mmsedge.server.ServerSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server role (MS-MMSP §3.2) driven by the project's test client over real TCP, with every
 * reply checked against the ASF file itself.
 */
class OnDemandSessionTest {

    private static TestOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.fast();
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    static List<String> fixtures() {
        return Fixtures.ALL;
    }

    private static MmsTestClient client() throws IOException {
        MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(10));
        ReportConnectedEx cx = c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        assertEquals(0, cx.hr());
        return c;
    }

    private static int[] streamNumbers(AsfFile f, AsfStreamType type) {
        return f.header().streams().stream().filter(s -> type == null || s.type() == type)
                .mapToInt(AsfStream::number).toArray();
    }

    /** The bytes the server should send for packet n: the file's packet without its padding (§2.2.2). */
    private static List<AsfPayload> payloads(byte[] packet, int packetSize) {
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        try {
            return AsfPacket.parse(b, packetSize).payloads();
        } finally {
            b.release();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void reportOpenFileAndHeaderDescribeTheFileExactly(String name) throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media(name)); MmsTestClient c = client()) {
            ReportOpenFile of = c.open(name);
            assertEquals(0, of.hr());
            assertEquals(1, of.openFileId(), "players expect openFileId 1");
            assertEquals(f.packetSize(), of.filePacketSize());
            assertEquals(f.packetCount(), of.filePacketCount());
            assertEquals(f.header().fileHeaderSize(), of.fileHeaderSize(), "VLC reads exactly fileHeaderSize bytes");
            assertEquals(f.header().durationSeconds(), of.fileDuration(), 1e-9);
            assertEquals((int) Math.ceil(f.header().durationSeconds()), of.fileBlocks());
            assertEquals(ContentInfo.ATTR_CANSEEK | ContentInfo.ATTR_CANSTRIDE, of.fileAttributes());
            long bitRate = f.header().totalBitrate() > 0 ? f.header().totalBitrate() : f.header().maxBitrate();
            assertEquals(bitRate, Integer.toUnsignedLong(of.fileBitRate()));

            byte[] header = c.readHeader(2);
            assertArrayEquals(f.header().fileHeader(), header);
            // header parts never exceed the packet size: checked inside collectHeader by reassembly;
            // check the bound explicitly on a second read.
            c.send(new io.mmsedge.protocol.mms.message.ReadBlock(1, 0, 0, 0x8000, -1, 0, 0, 3600, 3, 0));
            c.expect(io.mmsedge.protocol.mms.message.ReportReadBlock.class);
            int total = 0;
            while (true) {
                Received.Data d = (Received.Data) c.nextAnsweringPings();
                assertTrue(d.payload().length <= f.packetSize(), "header part larger than the packet size");
                assertEquals(3, d.playIncarnation());
                total += d.payload().length;
                if (d.lastHeaderPart()) {
                    assertEquals(0x0C, d.afFlags());
                    break;
                }
                assertEquals(0x04, d.afFlags());
            }
            assertEquals(header.length, total);
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void fullPlayDeliversEveryPacketUnchangedAndInOrder(String name) throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media(name)); MmsTestClient c = client()) {
            c.open(name);
            c.readHeader(2);
            c.selectStreams(streamNumbers(f, null));
            ReportStartedPlaying sp = c.startPlaying(0, 4);
            assertEquals(0, sp.hr());
            assertEquals(4, sp.playIncarnation());
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertEquals(f.packetCount(), r.packets.size());
            for (int i = 0; i < r.packets.size(); i++) {
                Received.Data d = r.packets.get(i);
                assertEquals(i, d.locationId(), "LocationId is the ASF packet number");
                assertEquals(4, d.playIncarnation(), "low 8 bits of StartPlaying's playIncarnation");
                assertEquals(i & 0xFF, d.afFlags(), "AFFlags is the per-session sequence");
                assertArrayEquals(Fixtures.sentPayload(f, i), d.payload(), "packet " + i);
            }
            ReportEndOfStream eos = r.lastEndOfStream();
            assertEquals(0, eos.hr());
            assertEquals(4, eos.playIncarnation());
        }
    }

    @Test
    void withoutStreamSwitchNothingIsSelected() throws Exception {
        // §3.2.5.11: a current client that sent no StreamSwitch has no stream selected.
        try (MmsTestClient c = client()) {
            c.open("av.asf");
            c.readHeader(2);
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 0);
            assertEquals(0, r.packets.size());
            assertEquals(0, r.lastEndOfStream().hr());
        }
    }

    @Test
    void stopThenStartSeeksWithEndOfStreamFirst() throws Exception {
        // Paced at real time, so that the stream is still running when StopPlaying arrives.
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             TestOrigin paced = new TestOrigin(ServerSettings.defaults());
             MmsTestClient c = MmsTestClient.connect(paced.address(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.open("av.asf");
            c.readHeader(2);
            c.selectStreams(streamNumbers(f, null));
            c.startPlaying(0, 4);
            Received first = c.nextAnsweringPings();
            assertTrue(first instanceof Received.Data);
            // VLC's seek: StopPlaying, wait for EndOfStream (hr 0, playIncarnation echoed), StartPlaying.
            c.send(new StopPlaying(1, 4));
            MmsTestClient.PlayResult inFlight = c.readUntilEnd(false, 100_000);
            assertEquals(0, inFlight.lastEndOfStream().hr());
            assertEquals(4, inFlight.lastEndOfStream().playIncarnation());
            int sentBeforeSeek = 1 + inFlight.packets.size();

            ReportStartedPlaying sp = c.startPlaying(5.0, 5);
            assertEquals(5, sp.playIncarnation());
            Received.Data d = (Received.Data) c.nextAnsweringPings();
            assertEquals(f.packetForTime(5000), d.locationId(), "starts at the key frame at/before 5 s");
            assertEquals(5, d.playIncarnation());
            assertEquals(sentBeforeSeek & 0xFF, d.afFlags(), "AFFlags continues the session's sequence");
            List<AsfPayload> pl = payloads(d.payload(), f.packetSize());
            int video = streamNumbers(f, AsfStreamType.VIDEO)[0];
            assertTrue(pl.stream().anyMatch(p -> p.streamNumber() == video && p.isKeyFrameStart()),
                    "the first packet after a seek carries a video key frame start");
        }
    }

    @Test
    void seekByLocationIdAndStopPoint() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf")); MmsTestClient c = client()) {
            c.open("av.asf");
            c.readHeader(2);
            c.selectStreams(streamNumbers(f, null));
            // position DBL_MAX: locationId names the start packet; frameOffset (relative, MSB set)
            // stops 2 s later (§2.2.4.25).
            c.startPlayingAt(new StartPlaying(1, 0, Double.MAX_VALUE, -1, 40, 0x80000000 | 2000, 6, -1, -1, -1));
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertFalse(r.packets.isEmpty());
            assertEquals(40, r.packets.get(0).locationId());
            assertTrue(r.packets.size() < f.packetCount() - 40, "stopped before the end");
            assertEquals(0, r.lastEndOfStream().hr());
        }
    }

    @Test
    void audioOnlySelectionCarriesNoVideoPayload() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf")); MmsTestClient c = client()) {
            int audio = streamNumbers(f, AsfStreamType.AUDIO)[0];
            c.open("av.asf");
            c.readHeader(2);
            c.selectStreams(audio);
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertFalse(r.packets.isEmpty());
            assertTrue(r.packets.size() < f.packetCount(), "packets with only video are not sent");
            for (Received.Data d : r.packets) {
                for (AsfPayload p : payloads(d.payload(), f.packetSize())) {
                    assertEquals(audio, p.streamNumber());
                }
                assertTrue(d.payload().length <= f.packetSize());
            }
        }
    }

    @Test
    void selectingOneOfTwoVideoBitRatesYieldsOnlyThatOne() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("mbr.asf")); MmsTestClient c = client()) {
            int[] videos = streamNumbers(f, AsfStreamType.VIDEO);
            int audio = streamNumbers(f, AsfStreamType.AUDIO)[0];
            assertEquals(2, videos.length);
            c.open("mbr.asf");
            c.readHeader(2);
            int chosen = videos[1];
            c.selectStreams(chosen, audio);
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            Set<Integer> seen = new HashSet<>();
            boolean firstVideo = true;
            for (Received.Data d : r.packets) {
                for (AsfPayload p : payloads(d.payload(), f.packetSize())) {
                    seen.add(p.streamNumber());
                    if (p.streamNumber() == chosen && firstVideo) {
                        assertTrue(p.isKeyFrameStart(), "a newly selected stream starts at a key frame (§3.2.5.10)");
                        firstVideo = false;
                    }
                }
            }
            assertEquals(Set.of(chosen, audio), seen);
        }
    }

    @Test
    void stridingSendsKeyFramesOnlyForwardAndBackward() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            int video = streamNumbers(f, AsfStreamType.VIDEO)[0];
            for (double rate : new double[] {2.0, -2.0}) {
                try (MmsTestClient c = client()) {
                    c.open("av.asf");
                    c.readHeader(2);
                    c.selectStreams(streamNumbers(f, null));
                    ReportStartStriding rs = c.startStriding(rate > 0 ? 0 : 10.0, rate, 7);
                    assertEquals(0, rs.hr());
                    assertEquals(7, rs.playIncarnation());
                    MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
                    assertTrue(r.packets.size() >= 5, "rate " + rate + ": got " + r.packets.size());
                    long previous = rate > 0 ? -1 : Long.MAX_VALUE;
                    for (Received.Data d : r.packets) {
                        assertTrue(rate > 0 ? d.locationId() > previous : d.locationId() < previous,
                                "rate " + rate + " order");
                        previous = d.locationId();
                        for (AsfPayload p : payloads(d.payload(), f.packetSize())) {
                            assertEquals(video, p.streamNumber(), "striding sends video only");
                            assertTrue(p.keyFrame(), "striding sends key frames only");
                        }
                    }
                }
            }
        }
    }

    @Test
    void stridingRateOutOfRangeIsRefused() throws Exception {
        try (MmsTestClient c = client()) {
            c.open("av.asf");
            c.readHeader(2);
            ReportStartStriding rs = c.startStriding(0, 7.5, 7);
            assertTrue(Hresults.failed(rs.hr()));
        }
    }

    @Test
    void playlistPlaysBothEntriesThroughStreamChange() throws Exception {
        try (AsfFile a = AsfFile.open(Fixtures.media("audio.asf"));
             AsfFile b = AsfFile.open(Fixtures.media("av.asf"));
             MmsTestClient c = client()) {
            ReportOpenFile of = c.open("plist");
            assertEquals(0, of.hr());
            assertTrue((of.fileAttributes() & ContentInfo.ATTR_PLAYLIST) != 0);
            assertArrayEquals(a.header().fileHeader(), c.readHeader(2));
            c.selectStreams(streamNumbers(a, null));
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(true, 100_000);
            assertEquals(List.of(1, 0), r.endOfStreams.stream().map(ReportEndOfStream::hr).toList(),
                    "EndOfStream hr 1 between entries, hr 0 at the end (§3.2.4.1)");
            assertEquals(1, r.streamChanges.size());
            assertEquals(b.header().fileHeaderSize(), r.streamChanges.get(0).cbHeaderSize());
            assertEquals(b.packetSize(), r.streamChanges.get(0).cbPacketSize());
            assertArrayEquals(b.header().fileHeader(), r.headers.get(0));
            assertEquals(a.packetCount() + b.packetCount(), r.packets.size());
            List<Received.Data> second = r.packets.subList((int) a.packetCount(), r.packets.size());
            for (int i = 0; i < second.size(); i++) {
                assertEquals(i, second.get(i).locationId(), "LocationId restarts with the new entry");
                assertEquals(0xFF, second.get(i).playIncarnation(), "incarnation 0xFF after StreamChange (§3.2.4.2)");
            }
        }
    }

    @Test
    void unknownAndEscapingPathsGetAnErrorAndTheSessionStaysUsable() throws Exception {
        try (MmsTestClient c = client()) {
            for (String bad : List.of("nope.asf", "../pom.xml", "..\\..\\etc\\passwd", "/etc/passwd", "sub/../av.asf")) {
                ReportOpenFile of = c.open(bad);
                assertTrue(Hresults.failed(of.hr()), bad + " must fail, hr=" + Hresults.hex(of.hr()));
            }
            ReportOpenFile ok = c.open("av.asf");
            assertEquals(0, ok.hr());
        }
    }

    @Test
    void tcpPacketPairIsThreeFunnelInfoFramesOf512And512And1056Bytes() throws Exception {
        try (MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(10))) {
            c.send(new Connect(0xF0F0F0F0, 0x0004000B, 0x0003001C, MmsTestClient.DEFAULT_SUBSCRIBER));
            ReportConnectedEx cx = c.expect(ReportConnectedEx.class);
            assertEquals(0xF0F0F0F0, cx.playIncarnation());
            c.send(new FunnelInfo(0xF0F0F0F1));
            List<Integer> sizes = new ArrayList<>();
            Set<Integer> ids = new HashSet<>();
            List<byte[]> pairs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ReportFunnelInfo fi = c.expect(ReportFunnelInfo.class);
                assertEquals(0xF0F0F0F1, fi.playIncarnation());
                ids.add(fi.nCubs());
                pairs.add(fi.packetPair());
                sizes.add(32 + 48 + fi.packetPair().length);
            }
            assertEquals(List.of(512, 512, 1056), sizes);
            assertEquals(1, ids.size(), "one Client-ID for the session");
            assertFalse(Arrays.equals(pairs.get(0), pairs.get(1)), "packet-pair bytes are random");
        }
    }

    @Test
    void clientIdsAreRandomPerSessionAndUdpFunnelsAreRefused() throws Exception {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            try (MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(10))) {
                c.send(new Connect(0xF0F0F0EF, 0x0004000B, 0x0003001C, MmsTestClient.DEFAULT_SUBSCRIBER));
                c.expect(ReportConnectedEx.class);
                c.send(new FunnelInfo(0xF0F0F0EF));
                ids.add(c.expect(ReportFunnelInfo.class).nCubs());
                c.send(new ConnectFunnel(0, -1, 0, 0x00989680, 2, "\\\\10.0.0.1\\UDP\\7000"));
                ReportDisconnectedFunnel d = c.expect(ReportDisconnectedFunnel.class);
                assertTrue(Hresults.failed(d.hr()), "UDP isn't offered: the client falls back to TCP");
                c.send(new ConnectFunnel(0, -1, 0, 0x00989680, 2, "\\\\10.0.0.1\\TCP\\7000"));
                assertEquals(0, c.expect(ReportConnectedFunnel.class).hr());
            }
        }
        assertEquals(5, ids.size());
    }

    @Test
    void keepAlivePingsAnIdleClient() throws Exception {
        ServerSettings s = ServerSettings.defaults().withPacingSpeed(0).withKeepAlive(Duration.ofMillis(200));
        try (TestOrigin o = new TestOrigin(s);
             MmsTestClient c = MmsTestClient.connect(o.address(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.setReadTimeout(Duration.ofSeconds(3));
            Received r = c.next();
            MmsMessage m = ((Received.Command) r).message();
            assertEquals(io.mmsedge.protocol.mms.message.Ping.class, m.getClass());
            c.send(new io.mmsedge.protocol.mms.message.Pong(0, 0));
            assertEquals(0, c.open("av.asf").hr(), "the session goes on after Ping/Pong");
        }
    }

    @Test
    void idleTimeoutClosesAForgottenSession() throws Exception {
        ServerSettings s = ServerSettings.defaults().withPacingSpeed(0).withIdleTimeout(Duration.ofMillis(300));
        try (TestOrigin o = new TestOrigin(s);
             MmsTestClient c = MmsTestClient.connect(o.address(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.setReadTimeout(Duration.ofSeconds(5));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void acceleratedStartSendsTheRequestedDurationAtTheRequestedRate() throws Exception {
        // Real-time pacing. dwAccelBandwidth 20 Mbit/s for dwAccelDuration 4 s (§3.2.5.11): the
        // first 4 s of av.asf (~180 kbit/s) leave in a burst on top of the preroll lead, the rest
        // in real time, so the 12 s file arrives in about (12 - preroll - 4) s instead of
        // (12 - preroll) s.
        ServerSettings s = ServerSettings.defaults();
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf")); TestOrigin o = new TestOrigin(s);
             MmsTestClient c = MmsTestClient.connect(o.address(), Duration.ofSeconds(30))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.open("av.asf");
            c.readHeader(2);
            c.selectStreams(streamNumbers(f, null));
            long t0 = System.nanoTime();
            c.startPlayingAt(new StartPlaying(1, 0, 0, -1, -1, 0, 4, 20_000_000, 4_000, 20_000_000));
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double realTime = f.header().sendDurationHns() / 1e7 - f.header().prerollMs() / 1000.0;
            assertEquals(f.packetCount(), r.packets.size());
            assertTrue(seconds < realTime - 2.5, "accelerated start took " + seconds + " s of " + realTime + " s");
            assertTrue(seconds > realTime - 4 - 1.5, "after the burst the rest is still paced: " + seconds + " s");
        }
    }

    @Test
    void pacingKeepsToTheContentRate() throws Exception {
        // At pacing speed 4, av.asf (12 s, preroll sent ahead) can't arrive in much less than
        // (duration - preroll) / 4. Unpaced it arrives far sooner. Bounds are loose on purpose:
        // this checks that pacing exists, not the machine's speed.
        ServerSettings s = ServerSettings.defaults().withPacingSpeed(4);
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf")); TestOrigin o = new TestOrigin(s);
             MmsTestClient c = MmsTestClient.connect(o.address(), Duration.ofSeconds(30))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.open("av.asf");
            c.readHeader(2);
            c.selectStreams(streamNumbers(f, null));
            long t0 = System.nanoTime();
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double contentSeconds = (f.header().sendDurationHns() / 1e7);
            double minimum = (contentSeconds - f.header().prerollMs() / 1000.0) / 4 * 0.8;
            assertEquals(f.packetCount(), r.packets.size());
            assertTrue(seconds >= minimum, "took " + seconds + " s, expected at least " + minimum);
        }
    }
}
