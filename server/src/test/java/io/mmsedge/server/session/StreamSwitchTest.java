package io.mmsedge.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.asf.AsfStreamType;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportStreamSwitch;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.server.ServerSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MS-MMSP §3.2.5.10 stream switching and §3.2.5.11 seeking by asfOffset and locationId, driven
 * by the project's test client against a real server on loopback; what arrives is checked
 * payload by payload against the ASF file.
 */
class StreamSwitchTest {

    private static final int NONE = StreamSwitchEntry.NO_STREAM;

    private static TestOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.fast();
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    private static MmsTestClient client(TestOrigin o) throws IOException {
        MmsTestClient c = MmsTestClient.connect(o.address(), Duration.ofSeconds(20));
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        return c;
    }

    private static int stream(AsfFile f, AsfStreamType type, int index) {
        return f.header().streams().stream().filter(s -> s.type() == type).mapToInt(AsfStream::number)
                .toArray()[index];
    }

    private static List<AsfPayload> payloads(byte[] packet, int packetSize) {
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        try {
            return AsfPacket.parse(b, packetSize).payloads();
        } finally {
            b.release();
        }
    }

    /** Every payload of the file, in sending order. */
    private static List<AsfPayload> filePayloads(AsfFile f) throws IOException {
        List<AsfPayload> out = new ArrayList<>();
        for (long n = 0; n < f.packetCount(); n++) {
            ByteBuf raw = f.readPacket(n, ByteBufAllocator.DEFAULT);
            try {
                out.addAll(AsfPacket.parse(raw, f.packetSize()).payloads());
            } finally {
                raw.release();
            }
        }
        return out;
    }

    /** Every payload received, in order. */
    private static List<AsfPayload> receivedPayloads(List<Received.Data> packets, int packetSize) {
        List<AsfPayload> out = new ArrayList<>();
        for (Received.Data d : packets) {
            out.addAll(payloads(d.payload(), packetSize));
        }
        return out;
    }

    /** A payload's identity across packets: stream, media object, fragment offset. */
    private static String id(AsfPayload p) {
        return p.streamNumber() + "/" + p.mediaObjectNumber() + "@" + p.offsetIntoMediaObject();
    }

    private static ReportStreamSwitch streamSwitch(MmsTestClient c, StreamSwitchEntry... entries) throws IOException {
        c.send(new StreamSwitch(List.of(entries)));
        return c.expect(ReportStreamSwitch.class);
    }

    /**
     * §2.2.4.28.1 wThinningLevel: 0 sends every media object of the stream, 1 only those marked
     * as key frames, 2 none. The video stream at each level, the audio at 0: exactly the file's
     * payloads that level allows arrive, in order, and every audio payload.
     */
    @Test
    void eachThinningLevelSendsExactlyWhatItAllows() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            int video = stream(f, AsfStreamType.VIDEO, 0);
            int audio = stream(f, AsfStreamType.AUDIO, 0);
            List<AsfPayload> file = filePayloads(f);
            List<String> audioIds = file.stream().filter(p -> p.streamNumber() == audio).map(StreamSwitchTest::id)
                    .toList();
            long keyFramePayloads = file.stream().filter(p -> p.streamNumber() == video && p.keyFrame()).count();
            long videoPayloads = file.stream().filter(p -> p.streamNumber() == video).count();
            assertTrue(keyFramePayloads > 0 && keyFramePayloads < videoPayloads, "av.asf has key and delta frames");
            for (int level = 0; level <= 2; level++) {
                try (MmsTestClient c = client(origin)) {
                    assertEquals(0, c.open("av.asf").hr());
                    c.readHeader(2);
                    assertEquals(Hresults.S_OK, streamSwitch(c, new StreamSwitchEntry(NONE, video, level),
                            new StreamSwitchEntry(NONE, audio, 0)).hr());
                    c.startPlaying(0, 4);
                    MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
                    assertEquals(0, r.lastEndOfStream().hr());
                    List<AsfPayload> got = receivedPayloads(r.packets, f.packetSize());
                    final int lvl = level;
                    List<String> wantVideo = file.stream()
                            .filter(p -> p.streamNumber() == video && (lvl == 0 || lvl == 1 && p.keyFrame()))
                            .map(StreamSwitchTest::id).toList();
                    assertEquals(wantVideo, got.stream().filter(p -> p.streamNumber() == video)
                            .map(StreamSwitchTest::id).toList(), "video payloads at thinning level " + level);
                    assertEquals(audioIds, got.stream().filter(p -> p.streamNumber() == audio)
                            .map(StreamSwitchTest::id).toList(), "audio payloads with video at level " + level);
                }
            }
        }
    }

    /**
     * §3.2.5.10 while streaming: replacing the low-rate video of mbr.asf by the high-rate one
     * keeps the old stream flowing until the new one's first key frame, so the player's video has
     * no gap; after it, the old stream stops. Paced at twice real time so that the switch lands
     * mid-stream, in the middle of a group of pictures more often than not.
     */
    @Test
    void aReplacedStreamFlowsUntilTheNewStreamsFirstKeyFrame() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("mbr.asf"));
             TestOrigin paced = new TestOrigin(ServerSettings.defaults().withPacingSpeed(2));
             MmsTestClient c = client(paced)) {
            int low = stream(f, AsfStreamType.VIDEO, 0);
            int high = stream(f, AsfStreamType.VIDEO, 1);
            int audio = stream(f, AsfStreamType.AUDIO, 0);
            // The largest step between two frames of the old stream: the most a seamless switch may leave.
            long frameStep = maxFrameStep(filePayloads(f), low);
            c.open("mbr.asf");
            c.readHeader(2);
            assertEquals(Hresults.S_OK, streamSwitch(c, new StreamSwitchEntry(NONE, low, 0),
                    new StreamSwitchEntry(NONE, audio, 0)).hr());
            c.startPlaying(0, 4);
            List<Received.Data> packets = new ArrayList<>();
            // Past the preroll the server sends ahead: then the switch lands mid-stream.
            long switchAfterMs = f.header().prerollMs() + 1500;
            while (true) {
                Received.Data d = (Received.Data) c.nextAnsweringPings();
                packets.add(d);
                List<AsfPayload> pl = payloads(d.payload(), f.packetSize());
                if (pl.stream().anyMatch(p -> p.streamNumber() == low && p.presentationTimeMs() > switchAfterMs)) {
                    break;
                }
            }
            int beforeSwitch = packets.size();
            c.send(new StreamSwitch(List.of(new StreamSwitchEntry(low, high, 0))));
            Integer hr = null;
            while (true) {
                Received r = c.nextAnsweringPings();
                if (r instanceof Received.Data d) {
                    packets.add(d);
                    continue;
                }
                MmsMessage m = ((Received.Command) r).message();
                if (m instanceof ReportStreamSwitch rs) {
                    hr = rs.hr();
                } else if (m instanceof ReportEndOfStream e) {
                    assertEquals(0, e.hr());
                    break;
                }
            }
            assertEquals(Hresults.S_OK, hr);
            assertTrue(packets.size() > beforeSwitch + 20, "the switch came mid-stream");

            List<AsfPayload> got = receivedPayloads(packets, f.packetSize());
            int firstHigh = -1;
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i).streamNumber() == high) {
                    firstHigh = i;
                    break;
                }
            }
            assertTrue(firstHigh >= 0, "the new stream arrived");
            AsfPayload start = got.get(firstHigh);
            assertTrue(start.isKeyFrameStart(), "the new stream starts at a key frame: " + start);
            for (AsfPayload p : got.subList(firstHigh, got.size())) {
                assertTrue(p.streamNumber() != low, "the old stream stops at the new one's key frame: " + id(p)
                        + " after " + id(start));
            }
            List<AsfPayload> lowObjects = got.subList(0, firstHigh).stream()
                    .filter(p -> p.streamNumber() == low && p.offsetIntoMediaObject() == 0).toList();
            for (int i = 1; i < lowObjects.size(); i++) {
                assertEquals((lowObjects.get(i - 1).mediaObjectNumber() + 1) & 0xFF,
                        lowObjects.get(i).mediaObjectNumber() & 0xFF, "no frame of the old stream is missing");
            }
            long lastLow = lowObjects.get(lowObjects.size() - 1).presentationTimeMs();
            assertTrue(lastLow + frameStep >= start.presentationTimeMs(), "no gap: the old stream's last frame at "
                    + lastLow + " ms, the new stream's key frame at " + start.presentationTimeMs() + " ms, frames "
                    + frameStep + " ms apart");
            assertTrue(got.subList(firstHigh, got.size()).stream().anyMatch(p -> p.streamNumber() == audio),
                    "the audio goes on");
        }
    }

    private static long maxFrameStep(List<AsfPayload> file, int stream) {
        long step = 0;
        long last = -1;
        for (AsfPayload p : file) {
            if (p.streamNumber() == stream && p.offsetIntoMediaObject() == 0) {
                if (last >= 0) {
                    step = Math.max(step, p.presentationTimeMs() - last);
                }
                last = p.presentationTimeMs();
            }
        }
        return step;
    }

    /**
     * From key frames only back to every frame: the delta frames need every frame since their key
     * frame, so the stream goes on with key frames only until its next one.
     */
    @Test
    void unthinningWaitsForTheNextKeyFrame() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             TestOrigin paced = new TestOrigin(ServerSettings.defaults().withPacingSpeed(2));
             MmsTestClient c = client(paced)) {
            int video = stream(f, AsfStreamType.VIDEO, 0);
            c.open("av.asf");
            c.readHeader(2);
            streamSwitch(c, new StreamSwitchEntry(NONE, video, StreamSwitchEntry.THIN_KEY_FRAMES));
            c.startPlaying(0, 4);
            List<Received.Data> packets = new ArrayList<>();
            long switchAfterMs = f.header().prerollMs() + 2500;
            while (packets.isEmpty() || payloads(packets.get(packets.size() - 1).payload(), f.packetSize()).stream()
                    .noneMatch(p -> p.presentationTimeMs() > switchAfterMs)) {
                packets.add((Received.Data) c.nextAnsweringPings());
            }
            int beforeSwitch = packets.size();
            c.send(new StreamSwitch(List.of(new StreamSwitchEntry(NONE, video, StreamSwitchEntry.THIN_NONE))));
            while (true) {
                Received r = c.nextAnsweringPings();
                if (r instanceof Received.Data d) {
                    packets.add(d);
                } else if (((Received.Command) r).message() instanceof ReportEndOfStream) {
                    break;
                }
            }
            List<AsfPayload> got = receivedPayloads(packets, f.packetSize()).stream()
                    .filter(p -> p.streamNumber() == video).toList();
            int firstDelta = -1;
            for (int i = 0; i < got.size(); i++) {
                if (!got.get(i).keyFrame()) {
                    firstDelta = i;
                    break;
                }
            }
            assertTrue(firstDelta > 0 && packets.size() > beforeSwitch, "delta frames came after the switch");
            // The frame before the first delta frame is a key frame: the delta frame can be decoded.
            AsfPayload previous = got.get(firstDelta - 1);
            assertTrue(previous.keyFrame() && (previous.mediaObjectNumber() + 1 & 0xFF)
                    == (got.get(firstDelta).mediaObjectNumber() & 0xFF), "the first delta frame " + id(got.get(firstDelta))
                    + " follows its key frame, not " + id(previous));
        }
    }

    /**
     * A StreamSwitch naming a stream the content lacks is answered with NS_E_INVALID_STREAM and a
     * log line, and changes nothing: not even its valid entries apply.
     */
    @Test
    void aStreamTheContentLacksIsAnErrorAndChangesNothing() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("mbr.asf"));
             LogCapture logs = LogCapture.begin();
             MmsTestClient c = client(origin)) {
            int audio = stream(f, AsfStreamType.AUDIO, 0);
            int video = stream(f, AsfStreamType.VIDEO, 0);
            c.open("mbr.asf");
            c.readHeader(2);
            assertEquals(Hresults.S_OK, streamSwitch(c, new StreamSwitchEntry(NONE, audio, 0)).hr());
            ReportStreamSwitch bad = streamSwitch(c, new StreamSwitchEntry(NONE, video, 0),
                    new StreamSwitchEntry(NONE, 9, 0));
            assertEquals(Hresults.NS_E_INVALID_STREAM, bad.hr());
            assertEquals(Hresults.NS_E_INVALID_STREAM, streamSwitch(c, new StreamSwitchEntry(42, NONE, 0)).hr(),
                    "an unknown stream to unselect");
            assertNotNull(logs.await(5000, "StreamSwitch names a stream the content lacks", "mbr.asf",
                    Hresults.hex(Hresults.NS_E_INVALID_STREAM)));
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertFalse(r.packets.isEmpty());
            for (AsfPayload p : receivedPayloads(r.packets, f.packetSize())) {
                assertEquals(audio, p.streamNumber(), "the selection before the bad StreamSwitch still applies");
            }
        }
    }

    /**
     * The access log says which streams the player selected and their bit rate: the header's
     * rate per stream, and for streams without one (mbr.asf's video) an equal share of what the
     * data rate leaves over the known ones.
     */
    @Test
    void theAccessLogShowsTheSelectedStreamsAndTheirBitRate() throws Exception {
        try (AsfFile av = AsfFile.open(Fixtures.media("av.asf"));
             AsfFile mbr = AsfFile.open(Fixtures.media("mbr.asf"));
             LogCapture logs = LogCapture.begin();
             MmsTestClient c = client(origin);
             MmsTestClient d = client(origin)) {
            int avVideo = stream(av, AsfStreamType.VIDEO, 0);
            c.open("av.asf");
            c.readHeader(2);
            assertEquals(Hresults.S_OK, streamSwitch(c, new StreamSwitchEntry(NONE, avVideo, 0)).hr());
            long videoRate = av.header().stream(avVideo).bitrate();
            assertTrue(videoRate > 0, "av.asf's header gives its video rate");
            assertNotNull(logs.await(5000, "io.mmsedge.access", "path=av.asf event=stream-switch streams=" + avVideo
                    + " bitrate=" + videoRate), logs.lines().toString());

            int high = stream(mbr, AsfStreamType.VIDEO, 1);
            int audio = stream(mbr, AsfStreamType.AUDIO, 0);
            d.open("mbr.asf");
            d.readHeader(2);
            assertEquals(Hresults.S_OK, streamSwitch(d, new StreamSwitchEntry(NONE, high, 0),
                    new StreamSwitchEntry(NONE, audio, 0)).hr());
            long audioRate = mbr.header().stream(audio).bitrate();
            long videoShare = (mbr.header().realTimeBitrate() - audioRate) / 2;
            assertTrue(videoShare > 100_000, "the data rate leaves the two video streams their share: " + videoShare);
            assertNotNull(logs.await(5000, "path=mbr.asf event=stream-switch streams=" + high + "," + audio
                    + " bitrate=" + (audioRate + videoShare)), logs.lines().toString());
        }
    }

    /** The first packet from {@code n} on that starts a media object the server may send after a seek. */
    private static long firstSyncPacket(AsfFile f, long n) throws IOException {
        for (long i = n; i < f.packetCount(); i++) {
            ByteBuf raw = f.readPacket(i, ByteBufAllocator.DEFAULT);
            try {
                for (AsfPayload p : AsfPacket.parse(raw, f.packetSize()).payloads()) {
                    boolean video = f.header().stream(p.streamNumber()).type() == AsfStreamType.VIDEO;
                    if (p.offsetIntoMediaObject() == 0 && (!video || p.keyFrame())) {
                        return i;
                    }
                }
            } finally {
                raw.release();
            }
        }
        return -1;
    }

    /**
     * §2.2.4.25: with position DBL_MAX, asfOffset (a byte offset in the ASF file) names where to
     * start: the packet holding that byte; with asfOffset unset too, locationId (the packet number).
     */
    @Test
    void seekByAsfOffsetAndByLocationId() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("mbr.asf"))) {
            int[] all = f.header().streams().stream().mapToInt(AsfStream::number).toArray();
            long packet = 57;
            int asfOffset = (int) (f.firstPacketOffset() + packet * f.packetSize() + f.packetSize() / 2);
            StartPlaying byOffset = new StartPlaying(1, 0, Double.MAX_VALUE, asfOffset, 0xFFFFFFFF, 0, 5, -1, -1, -1);
            StartPlaying byLocation = new StartPlaying(1, 0, Double.MAX_VALUE, 0xFFFFFFFF, 101, 0, 6, -1, -1, -1);
            for (var seek : List.of(new long[] {packet, 0}, new long[] {101, 1})) {
                try (MmsTestClient c = client(origin)) {
                    c.open("mbr.asf");
                    c.readHeader(2);
                    c.selectStreams(all);
                    c.startPlayingAt(seek[1] == 0 ? byOffset : byLocation);
                    MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
                    // Each stream starts at its next key frame (audio: its next media object), and a
                    // packet left with no payload is not sent (§3.2.5.11.1).
                    assertEquals(firstSyncPacket(f, seek[0]), r.packets.get(0).locationId(),
                            "the first packet from " + seek[0] + " with a payload to send");
                    assertEquals(f.packetCount() - 1, r.packets.get(r.packets.size() - 1).locationId());
                    for (int i = 1; i < r.packets.size(); i++) {
                        assertTrue(r.packets.get(i).locationId() > r.packets.get(i - 1).locationId());
                    }
                }
            }
        }
    }
}
