package io.mmsedge.server.broadcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.PacketCursor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Broadcast publishing points driven by the project's test client over real TCP. */
class BroadcastSessionTest {

    /** Pacing of the sources: av.asf (12 s) loops every 0.24 s. */
    private static final double SPEED = 50;
    private static BroadcastTestServer server;
    private static AsfFile av;
    private static AsfFile audio;

    @BeforeAll
    static void start() throws Exception {
        av = AsfFile.open(Fixtures.media("av.asf"));
        audio = AsfFile.open(Fixtures.media("audio.asf"));
        ServerSettings settings = ServerSettings.defaults().withPacingSpeed(0);
        server = new BroadcastTestServer(settings, Map.of(
                        "live", List.of(BroadcastTestServer.av()),
                        "plist", List.of(Fixtures.media("audio.asf"), Fixtures.media("av.asf"))),
                Map.of(), SPEED);
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        av.close();
        audio.close();
    }

    private static MmsTestClient client() throws IOException {
        MmsTestClient c = MmsTestClient.connect(server.address(), Duration.ofSeconds(10));
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        return c;
    }

    static int[] streams(AsfFile f, AsfStreamType type) {
        return f.header().streams().stream().filter(s -> type == null || s.type() == type)
                .mapToInt(AsfStream::number).toArray();
    }

    static List<AsfPayload> payloads(byte[] packet, int packetSize) {
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        try {
            return AsfPacket.parse(b, packetSize).payloads();
        } finally {
            b.release();
        }
    }

    static long sendTime(byte[] packet, int packetSize) {
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        try {
            return AsfPacket.parse(b, packetSize).sendTimeMs();
        } finally {
            b.release();
        }
    }

    static boolean startsKeyFrame(byte[] packet, int packetSize, int stream) {
        return payloads(packet, packetSize).stream()
                .anyMatch(p -> p.streamNumber() == stream && p.isKeyFrameStart());
    }

    /** Opens "live", reads the header, selects every stream and starts playing at {@code position}. */
    private static MmsTestClient play(String name, AsfFile f, double position) throws IOException {
        MmsTestClient c = client();
        ReportOpenFile of = c.open(name);
        assertEquals(0, of.hr());
        assertArrayEquals(liveHeader(f), c.readHeader(2), "the header is the file's header, marked live");
        c.selectStreams(streams(f, null));
        assertEquals(0, c.startPlaying(position, 4).hr());
        return c;
    }

    private static List<Received.Data> data(MmsTestClient c, int n) throws IOException {
        List<Received.Data> out = new ArrayList<>();
        while (out.size() < n) {
            Received r = c.nextAnsweringPings();
            if (r instanceof Received.Data d) {
                out.add(d);
            } else {
                throw new IOException("unexpected " + r);
            }
        }
        return out;
    }

    @Test
    void reportOpenFileDescribesALiveBroadcast() throws Exception {
        try (MmsTestClient c = client()) {
            ReportOpenFile of = c.open("live");
            assertEquals(0, of.hr());
            assertEquals(0x02000000, of.fileAttributes(), "exactly BROADCAST: libmms's live rule");
            assertEquals(0.0, of.fileDuration());
            assertEquals(0, of.filePacketCount());
            assertEquals(0, of.fileBlocks());
            assertEquals(av.packetSize(), of.filePacketSize());
            assertEquals(av.header().fileHeaderSize(), of.fileHeaderSize());
            byte[] h = c.readHeader(2);
            assertArrayEquals(liveHeader(av), h);
            checkLiveHeader(av.header().fileHeader(), h);
        }
    }

    @Test
    void playbackStartsAtTheLivePointOnAKeyFrameAndRunsAcrossLoops() throws Exception {
        Broadcast b = server.broadcast("live");
        int video = streams(av, AsfStreamType.VIDEO)[0];
        long gopPackets = av.packetCount() / 12 + 4; // one key frame a second
        long packets = av.packetCount();
        // The live point moves while the player joins: it is bracketed by the packets published
        // before StartPlaying and those published once StartPlaying was answered.
        long publishedBefore = b.publishedPackets();
        try (MmsTestClient c = play("live", av, 5.0)) {
            long publishedAfter = b.publishedPackets();
            // Three loops of the file at least.
            List<Received.Data> got = data(c, (int) (3 * packets));
            Received.Data first = got.get(0);
            assertTrue(startsKeyFrame(first.payload(), av.packetSize(), video), "first packet begins a key frame");
            assertTrue(first.locationId() >= publishedBefore - gopPackets && first.locationId() <= publishedAfter + gopPackets,
                    "starts at the live point (" + publishedBefore + ".." + publishedAfter + "), not at 5 s: "
                            + first.locationId());
            long lastLoc = -1;
            long lastSend = -1;
            Map<Integer, Long> lastPresentation = new HashMap<>();
            int loopsCrossed = 0;
            for (int i = 0; i < got.size(); i++) {
                Received.Data d = got.get(i);
                assertEquals(4, d.playIncarnation(), "playIncarnation of StartPlaying");
                assertEquals(i & 0xFF, d.afFlags(), "AFFlags sequence");
                assertTrue(d.locationId() > lastLoc, "LocationId increases: " + lastLoc + " then " + d.locationId());
                if (lastLoc >= 0) {
                    assertEquals(lastLoc + 1, d.locationId(), "no packet missing for a player that keeps up");
                }
                if (d.locationId() % packets == 0) {
                    loopsCrossed++;
                }
                lastLoc = d.locationId();
                long send = sendTime(d.payload(), av.packetSize());
                assertTrue(send >= lastSend, "send times never go back: " + lastSend + " then " + send);
                lastSend = send;
                for (AsfPayload p : payloads(d.payload(), av.packetSize())) {
                    if (p.offsetIntoMediaObject() == 0 && p.presentationTimeMs() >= 0) {
                        long before = lastPresentation.getOrDefault(p.streamNumber(), -1L);
                        assertTrue(p.presentationTimeMs() >= before, "presentation time of stream "
                                + p.streamNumber() + " goes back: " + before + " then " + p.presentationTimeMs());
                        lastPresentation.put(p.streamNumber(), p.presentationTimeMs());
                    }
                }
            }
            assertTrue(loopsCrossed >= 2, "crossed loop boundaries: " + loopsCrossed);
            assertTrue(lastSend > 2 * av.header().durationSeconds() * 1000, "time went on across loops: " + lastSend);
            // StopPlaying ends with EndOfStream hr 0 (VLC's seek waits for it).
            MmsTestClient.PlayResult stopped = c.stop(4);
            assertEquals(0, stopped.lastEndOfStream().hr());
        }
    }

    @Test
    void twoPlayersShareOneBufferPerPacket() throws Exception {
        int before = server.opened.size();
        try (MmsTestClient a = play("live", av, 0); MmsTestClient b2 = play("live", av, 0)) {
            List<Received.Data> ga = data(a, 500);
            List<Received.Data> gb = data(b2, 500);
            Map<Long, byte[]> bytesA = new HashMap<>();
            ga.forEach(d -> bytesA.put(d.locationId(), d.payload()));
            int common = 0;
            // Each player's first GOP may be filtered (its selection waits for key frames).
            long settled = Math.max(ga.get(0).locationId(), gb.get(0).locationId()) + 40;
            for (Received.Data d : gb) {
                byte[] other = bytesA.get(d.locationId());
                if (other != null && d.locationId() > settled) {
                    assertArrayEquals(other, d.payload(), "same packet, same bytes");
                    common++;
                }
            }
            assertTrue(common > 100, "both players watched the same packets: " + common);
        }
        assertTrue(server.opened.size() >= before + 2);
    }

    @Test
    void aSubscriberGetsDuplicatesOfTheOnePublishedBuffer() throws Exception {
        // The same subscription machinery as the sessions use, read directly on two event loops.
        Broadcast b = server.broadcast("live");
        var loops = new ArrayList<io.netty.channel.EventLoop>();
        server.group.forEach(e -> loops.add((io.netty.channel.EventLoop) e));
        BroadcastMedia m1 = b.open("live", loops.get(0));
        BroadcastMedia m2 = b.open("live", loops.get(1));
        BroadcastMedia m3 = b.open("live", loops.get(1));
        Map<Long, List<ByteBuf>> roots = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Long, List<MediaPacket>> holders = new java.util.concurrent.ConcurrentHashMap<>();
        List<java.util.concurrent.CountDownLatch> done = new ArrayList<>();
        for (BroadcastMedia m : List.of(m1, m2, m3)) {
            java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
            done.add(latch);
            io.netty.channel.EventLoop loop = loops.get(m == m1 ? 0 : 1);
            loop.execute(() -> {
                PacketCursor cursor = m.play(io.mmsedge.server.media.PlayRequest.fromStart());
                int[] taken = {0};
                Runnable drain = new Runnable() {
                    @Override
                    public void run() {
                        MediaPacket p;
                        while (taken[0] < 300 && (p = cursor.poll()) != null) {
                            taken[0]++;
                            roots.computeIfAbsent(p.number(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(root(p.content()));
                            holders.computeIfAbsent(p.number(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(p);
                            p.release();
                        }
                        if (taken[0] >= 300) {
                            cursor.close();
                            m.close();
                            latch.countDown();
                        }
                    }
                };
                cursor.onAvailable(() -> loop.execute(drain));
                drain.run();
            });
        }
        for (var l : done) {
            assertTrue(l.await(20, java.util.concurrent.TimeUnit.SECONDS));
        }
        int shared = 0;
        for (var e : roots.entrySet()) {
            if (e.getValue().size() == 3) {
                shared++;
                ByteBuf root = e.getValue().get(0);
                assertNotNull(root);
                assertSame(root, e.getValue().get(1), "one payload buffer for every subscriber");
                assertSame(root, e.getValue().get(2), "one payload buffer for every subscriber");
                List<MediaPacket> hs = holders.get(e.getKey());
                assertNotEquals(System.identityHashCode(hs.get(0)), System.identityHashCode(hs.get(1)),
                        "each subscriber has its own duplicate (own indexes)");
            }
        }
        assertTrue(shared > 200, "packets seen by all three: " + shared);
        // Exact reference counts: the released ones are free (or only held by the history).
        for (var e : roots.entrySet()) {
            ByteBuf root = e.getValue().get(0);
            assertTrue(root.refCnt() <= 1, "packet " + e.getKey() + " still referenced " + root.refCnt() + " times");
        }
    }

    @Test
    void aBroadcastPlaylistChangesStreamsForEveryPlayer() throws Exception {
        try (MmsTestClient c = client()) {
            ReportOpenFile of = c.open("plist");
            assertEquals(0x02000000, of.fileAttributes(), "a broadcast playlist is still exactly BROADCAST");
            byte[] first = c.readHeader(2);
            AsfFile firstFile = java.util.Arrays.equals(first, liveHeader(audio)) ? audio : av;
            assertArrayEquals(liveHeader(firstFile), first);
            c.selectStreams(streams(firstFile, null));
            c.startPlaying(0, 4);
            AsfFile expectNext = firstFile == audio ? av : audio;
            int changes = 0;
            long lastLoc = -1;
            int pi = 4;
            while (changes < 3) {
                Received r = c.nextAnsweringPings();
                if (r instanceof Received.Data d) {
                    assertEquals(pi, d.playIncarnation());
                    assertTrue(d.locationId() > lastLoc, "LocationId goes on across entries");
                    lastLoc = d.locationId();
                    continue;
                }
                MmsMessage m = ((Received.Command) r).message();
                assertTrue(m instanceof ReportEndOfStream, "unexpected " + m);
                assertEquals(1, ((ReportEndOfStream) m).hr(), "EndOfStream hr 1: a StreamChange follows");
                ReportStreamChange sc = c.expect(ReportStreamChange.class);
                assertEquals(0, sc.hr());
                assertEquals(expectNext.header().fileHeaderSize(), sc.cbHeaderSize());
                assertArrayEquals(liveHeader(expectNext), c.collectHeader(0xFF), "the next entry's header");
                pi = 0xFF;
                changes++;
                expectNext = expectNext == audio ? av : audio;
            }
        }
    }

    static byte[] liveHeader(AsfFile f) {
        return LiveHeader.rewrite(f.header().fileHeader());
    }

    static long le64(byte[] b, int off) {
        return java.nio.ByteBuffer.wrap(b, off, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /**
     * A live header differs from the file's only in the fields ASF says are invalid for a
     * broadcast: File Properties (size, packet count, durations, Broadcast flag set, Seekable
     * clear) and the Data Object (size 0, no packet count).
     */
    static void checkLiveHeader(byte[] file, byte[] live) {
        assertEquals(file.length, live.length, "same length: fileHeaderSize stays exact");
        int fp = -1;
        for (int i = 30; i + 16 < file.length; i++) {
            if (io.mmsedge.protocol.asf.AsfGuid.FILE_PROPERTIES.equals(io.mmsedge.protocol.asf.AsfGuid.read(file, i))) {
                fp = i;
                break;
            }
        }
        assertTrue(fp > 0);
        int data = file.length - 50;
        java.util.Set<Integer> changed = new java.util.HashSet<>();
        for (int i = 0; i < file.length; i++) {
            if (file[i] != live[i]) {
                changed.add(i);
            }
        }
        for (int i : changed) {
            boolean allowed = (i >= fp + 40 && i < fp + 48) || (i >= fp + 56 && i < fp + 80) || (i >= fp + 88 && i < fp + 92)
                    || (i >= data + 16 && i < data + 24) || (i >= data + 40 && i < data + 48);
            assertTrue(allowed, "byte " + i + " of the header changed");
        }
        assertEquals(0, le64(live, fp + 40));
        assertEquals(0, le64(live, fp + 56));
        assertEquals(0, le64(live, fp + 64));
        assertEquals(0, le64(live, fp + 72));
        assertEquals(le64(file, fp + 80), le64(live, fp + 80), "preroll kept");
        assertEquals(1, live[fp + 88] & 0x03, "Broadcast set, Seekable clear");
        assertEquals(50, le64(live, data + 16),
                "Data Object size 50 (no packets known): VLC takes <= 50 as live, and refuses < 24 as corrupt");
        assertEquals(0, le64(live, data + 40));
    }

    /** The buffer that holds the bytes: below duplicates and leak-detection wrappers. */
    static ByteBuf root(ByteBuf b) {
        while (b.unwrap() != null) {
            b = b.unwrap();
        }
        return b;
    }
}
