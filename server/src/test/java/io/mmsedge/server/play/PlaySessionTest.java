package io.mmsedge.server.play;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.FileMedia;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.media.PlayRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The play-session core on its own: no sockets, no MMS. A manual clock drives it; a recording
 * transport stands for the front end's framing; the content is the real fixture files.
 */
class PlaySessionTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private final ManualChannel channel = new ManualChannel();
    private final Recorder out = new Recorder();
    private PlaySession session;

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void theHeaderGoesOutInPiecesThenEveryPacketInOrderThenTheEnd() throws Exception {
        open("av.asf", ServerSettings.defaults().withPacingSpeed(0));
        ContentInfo info = session.info();

        session.sendHeader();
        channel.runAll();
        assertArrayEquals(info.fileHeader(), out.header.toByteArray(), "the header, byte for byte");
        assertEquals(List.of("header-sent"), out.events);
        assertTrue(out.lastHeaderPartFlags.endsWith("L") && out.lastHeaderPartFlags.indexOf('L') == out.lastHeaderPartFlags.length() - 1,
                "only the last piece is flagged last: " + out.lastHeaderPartFlags);

        selectAll(info);
        session.play(PlayRequest.fromStart(), 0, 0);
        channel.runAll();
        assertEquals(List.of("header-sent", "end-of-content"), out.events);
        assertFilePackets("av.asf", 0, out.packets);
        for (int i = 0; i < out.numbers.size(); i++) {
            assertEquals(i, out.numbers.get(i), "LocationId");
        }
        assertEquals(info.packetCount(), session.packetsSent());
        assertFalse(session.isPlaying());
    }

    @Test
    void dataFollowsARepliesGapForPlayersButNotForAProxysUpstreamSession() throws Exception {
        // MPlayer loses Data that shares a read with a reply, so Data waits 2 ms after one; a
        // proxy (a VIA token, §2.2.4.17) reads frames, and waiting only delays its players.
        long[] player = headerAndFirstPacketDelays(null);
        long[] mplayer = headerAndFirstPacketDelays(io.mmsedge.protocol.mms.SubscriberName.parse(
                "NSPlayer/4.1.0.3928; {c77e7400-738a-11d2-9add-0020af0a3278}"));
        long[] proxied = headerAndFirstPacketDelays(io.mmsedge.protocol.mms.SubscriberName.parse(
                "NSPlayer/4.1.0.3928; {c77e7400-738a-11d2-9add-0020af0a3278}\0VIA: edge1.example.net"));
        assertEquals(1, proxied[2], "the VIA token is seen");
        for (long[] d : List.of(player, mplayer)) {
            assertEquals(Pacing.REPLY_GAP_NANOS, d[0], "the header waits the gap after ReadBlock's reply");
            assertEquals(Pacing.REPLY_GAP_NANOS, d[1], "the first packet waits the gap after StartPlaying's reply");
        }
        assertEquals(0, proxied[0], "a proxy's header goes at once");
        assertEquals(0, proxied[1], "a proxy's first packet goes at once");
    }

    /** {header delay, first packet delay, 1 if the session sees a proxy} for a session of {@code who}. */
    private long[] headerAndFirstPacketDelays(io.mmsedge.protocol.mms.SubscriberName who) throws Exception {
        if (session != null) {
            session.close();
        }
        out.firstHeaderPartAt = -1;
        out.sentAt.clear();
        open("av.asf", ServerSettings.defaults().withPacingSpeed(0));
        session.setPlayer(who);
        long asked = channel.nanoTime();
        session.sendHeader();
        channel.runAll();
        long header = out.firstHeaderPartAt - asked;
        selectAll(session.info());
        asked = channel.nanoTime();
        session.play(PlayRequest.fromStart(), 0, 0);
        channel.runAll();
        long first = out.sentAt.get(0) - asked;
        long seen = who != null && who.viaProxy() ? 1 : 0;
        session.close();
        session = null;
        return new long[] {header, first, seen};
    }

    @Test
    void nothingIsSelectedBeforeAStreamSwitchSoNothingIsSent() throws Exception {
        // §3.2.5.11: a current client that selects nothing gets no packets.
        open("av.asf", ServerSettings.defaults().withPacingSpeed(0));
        session.play(PlayRequest.fromStart(), 0, 0);
        channel.runAll();
        assertEquals(0, out.packets.size());
        assertEquals(List.of("end-of-content"), out.events);
    }

    @Test
    void aSlowPlayerStopsThePumpAndResumesWithoutLosingAPacket() throws Exception {
        open("av.asf", ServerSettings.defaults().withPacingSpeed(0));
        selectAll(session.info());
        session.play(PlayRequest.fromStart(), 0, 0);
        out.unwritableAfter = 10;
        channel.runAll();
        assertEquals(10, out.packets.size(), "stops as soon as the socket is full");
        assertEquals(List.of(), out.events);

        channel.writable = true;
        out.unwritableAfter = -1;
        session.onWritable();
        channel.runAll();
        assertFilePackets("av.asf", 0, out.packets);
        assertEquals(List.of("end-of-content"), out.events);
    }

    @Test
    void packetsArePacedBySendTimeAheadByThePreroll() throws Exception {
        open("av.asf", ServerSettings.defaults().withPacingSpeed(1));
        ContentInfo info = session.info();
        selectAll(info);
        long start = channel.nanoTime();
        session.play(PlayRequest.fromStart(), 0, 0);
        channel.runAll();
        try (AsfFile file = AsfFile.open(Fixtures.media("av.asf"))) {
            assertEquals(file.packetCount(), out.packets.size());
            long firstSendMs = sendTimeMs(file, 0);
            for (int i = 0; i < out.packets.size(); i += 10) {
                double expectedMs = Math.max(0, sendTimeMs(file, i) - firstSendMs - info.prerollMs());
                double sentMs = (out.sentAt.get(i) - start) / 1e6;
                // After the 2 ms reply gap, each packet goes when its send time, less the preroll, is due.
                assertEquals(expectedMs + 2, sentMs, 1.0, "packet " + i);
            }
        }
    }

    @Test
    void aContinuedPlayRequestStartsAtTheNextPacket() throws Exception {
        // §3.2.5.11: while streaming the position fields are ignored; play continues from here.
        open("av.asf", ServerSettings.defaults().withPacingSpeed(0));
        selectAll(session.info());
        session.play(PlayRequest.fromStart(), 0, 0);
        out.unwritableAfter = 10;
        channel.runAll();
        assertEquals(10, out.packets.size());
        session.play(new PlayRequest(5.0, -1, -1, 0, 1.0), 0, 0);
        channel.writable = true;
        out.unwritableAfter = -1;
        channel.runAll();
        long count = session.info().packetCount();
        List<Long> after = out.numbers.subList(10, out.numbers.size());
        // Every selected stream starts again at its next key frame (StreamSelection.resync), so
        // the continuation may skip the few packets before them; it never goes back or repeats.
        long first = after.get(0);
        assertTrue(first >= 10 && first < 20, "continues at packet 10 or the key frames after it: " + first);
        for (int i = 1; i < after.size(); i++) {
            assertTrue(after.get(i) > after.get(i - 1), "in order: " + after);
        }
        assertTrue(after.size() > count - 30, "skips only up to the key frames: " + after.size() + " of " + count);
        assertEquals(count - 1, after.get(after.size() - 1));
        assertEquals(List.of("end-of-content"), out.events);
    }

    @Test
    void aPlaylistAnnouncesItsNextEntryThenSendsItsHeaderAndPackets() throws Exception {
        List<Path> entries = List.of(Fixtures.media("audio.asf"), Fixtures.media("av.asf"));
        MediaCatalog catalog = request -> {
            try {
                return new OpenResult.Opened(new FileMedia("plist", AsfFileEntry.open(entries.get(0),
                        ContentInfo.ATTR_PLAYLIST, ALLOC), entries.size(),
                        i -> AsfFileEntry.open(entries.get(i), ContentInfo.ATTR_PLAYLIST, ALLOC)));
            } catch (Exception e) {
                return new OpenResult.Failed(Hresults.E_FAIL, e.toString());
            }
        };
        open(catalog, "plist", ServerSettings.defaults().withPacingSpeed(0));
        selectAll(session.info());
        session.play(PlayRequest.fromStart(), 0, 0);
        channel.runAll();
        assertEquals(List.of("entry-changed", "end-of-content"), out.events);
        int first = out.packetsBeforeEntryChange;
        assertFilePackets("audio.asf", 0, out.packets.subList(0, first));
        try (AsfFile av = AsfFile.open(Fixtures.media("av.asf"))) {
            // A new entry's streams are all selected until the player switches.
            assertEquals(av.packetCount(), out.packets.size() - first);
        }
        assertFilePackets("av.asf", first, out.packets);
        assertTrue(out.header.size() > 0, "the second entry's header went out");
    }

    @Test
    void aClosedSessionSendsNothingMoreAndReleasesItsContent() throws Exception {
        open("av.asf", ServerSettings.defaults().withPacingSpeed(1));
        selectAll(session.info());
        session.play(PlayRequest.fromStart(), 0, 0);
        channel.runAll(3);
        int sent = out.packets.size();
        session.close();
        assertFalse(session.hasMedia());
        channel.runAll();
        assertEquals(sent, out.packets.size());
        assertEquals(List.of(), out.events);
    }

    // ------------------------------------------------------------------ helpers

    private void open(String file, ServerSettings settings) {
        open(new DirectoryCatalog("/", Fixtures.mediaDir(), ALLOC), file, settings);
    }

    private void open(MediaCatalog catalog, String path, ServerSettings settings) {
        session = new PlaySession(settings, catalog, ServerMetrics.NONE, channel, out, out, ALLOC);
        List<OpenResult> results = new ArrayList<>();
        int handshakes = channel.handshakes;
        session.open(path, null, results::add);
        assertEquals(handshakes + 1, channel.handshakes, "an open request ends the listener's handshake deadline");
        assertEquals(1, results.size());
        assertInstanceOf(OpenResult.Opened.class, results.get(0));
        assertTrue(session.hasMedia());
    }

    private void selectAll(ContentInfo info) {
        List<StreamSwitchEntry> all = new ArrayList<>();
        for (ContentInfo.StreamInfo s : info.streams()) {
            all.add(new StreamSwitchEntry(0xFFFF, s.number(), StreamSwitchEntry.THIN_NONE));
        }
        assertTrue(session.selectStreams(all));
    }

    private static long sendTimeMs(AsfFile file, long n) throws Exception {
        ByteBuf raw = file.readPacket(n, ALLOC);
        try {
            return AsfPacket.parse(raw, file.packetSize()).sendTimeMs();
        } finally {
            raw.release();
        }
    }

    /** The packets sent from {@code from} on are the file's, in order, padding removed. */
    private static void assertFilePackets(String name, int from, List<byte[]> sent) throws Exception {
        try (AsfFile file = AsfFile.open(Fixtures.media(name))) {
            for (int i = from; i < sent.size() && i - from < file.packetCount(); i++) {
                ByteBuf raw = file.readPacket(i - from, ALLOC);
                ByteBuf stripped = AsfPackets.stripPadding(raw, file.packetSize(), ALLOC);
                try {
                    assertArrayEquals(ByteBufUtil.getBytes(stripped), sent.get(i), name + " packet " + (i - from));
                } finally {
                    raw.release();
                    stripped.release();
                }
            }
            if (from == 0) {
                assertEquals(file.packetCount(), sent.size(), name + ": every packet, once");
            }
        }
    }

    /** The front end as the core sees it: what it was asked to frame, and the events. */
    private final class Recorder implements PlayerTransport, PlayEvents {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream header = new ByteArrayOutputStream();
        String lastHeaderPartFlags = "";
        final List<byte[]> packets = new ArrayList<>();
        final List<Long> numbers = new ArrayList<>();
        final List<Long> sentAt = new ArrayList<>();
        int unwritableAfter = -1;
        int packetsBeforeEntryChange = -1;

        long firstHeaderPartAt = -1;

        @Override
        public void sendHeaderPart(int index, ByteBuf part, boolean last) {
            try {
                if (firstHeaderPartAt < 0) {
                    firstHeaderPartAt = channel.nanoTime();
                }
                header.writeBytes(ByteBufUtil.getBytes(part));
                lastHeaderPartFlags += last ? "L" : "-";
            } finally {
                part.release();
            }
        }

        /** As MMS does: pieces of a packet at most, so the header comes in several. */
        @Override
        public int maxHeaderPart(ContentInfo info) {
            return info.packetSize();
        }

        @Override
        public void sendPacket(long number, ByteBuf payload) {
            try {
                numbers.add(number);
                packets.add(ByteBufUtil.getBytes(payload));
                sentAt.add(channel.nanoTime());
                if (unwritableAfter >= 0 && packets.size() >= unwritableAfter) {
                    channel.writable = false;
                }
            } finally {
                payload.release();
            }
        }

        @Override
        public void headerSent() {
            events.add("header-sent");
        }

        @Override
        public void entryChanged(ContentInfo next) {
            events.add("entry-changed");
            packetsBeforeEntryChange = packets.size();
            header.reset();
        }

        @Override
        public void endOfContent() {
            events.add("end-of-content");
        }

        @Override
        public void contentFailed(int hr) {
            events.add("content-failed " + Hresults.hex(hr));
        }

        @Override
        public void internalError() {
            events.add("internal-error");
        }
    }
}
