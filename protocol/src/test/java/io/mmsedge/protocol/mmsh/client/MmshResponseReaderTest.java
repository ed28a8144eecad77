package io.mmsedge.protocol.mmsh.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One reader per response type: Describe, Play, redirects, challenges, errors and malformed bodies. */
class MmshResponseReaderTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static byte[] header;

    @BeforeAll
    static void fixture() throws Exception {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("test-fixtures/media"))) {
            dir = dir.getParent();
        }
        try (AsfFile f = AsfFile.open(dir.resolve("test-fixtures/media/av.asf"))) {
            header = f.header().fileHeader();
        }
    }

    @Test
    void aDescribeInPiecesGivesTheHeaderClientIdAndFeatures() {
        ByteBuf in = ascii("HTTP/1.0 200 OK\r\nContent-Type: application/vnd.ms.wms-hdr.asfv1\r\n"
                + "Pragma: no-cache,client-id=4242\r\nPragma: features=\"seekable,stridable\"\r\n\r\n");
        in.writeBytes(headerFrames(header, 700));
        MmshResponseReader r = new MmshResponseReader(false, 65535);
        List<MmshClientEvent> events = new ArrayList<>();
        ByteBuf acc = ALLOC.buffer();
        try {
            while (in.isReadable()) { // byte by byte at first, as a slow origin would send it
                acc.writeBytes(in, Math.min(in.readableBytes(), 37));
                events.addAll(r.onBytes(acc));
            }
        } finally {
            in.release();
            acc.release();
        }
        assertEquals(1, events.size(), events.toString());
        MmshClientEvent.Described d = assertInstanceOf(MmshClientEvent.Described.class, events.get(0));
        assertArrayEquals(header, d.header());
        assertEquals(4242, d.clientId());
        assertEquals("seekable,stridable", d.features());
        int attributes = d.openFile().fileAttributes();
        assertEquals(ContentInfo.ATTR_CANSEEK | ContentInfo.ATTR_CANSTRIDE, attributes);
        assertTrue(d.openFile().filePacketCount() > 0);
        assertEquals(header.length, d.openFile().fileHeaderSize());
        assertTrue(r.done());
        assertEquals(List.of(), r.onClosed(), "a finished Describe may close");
    }

    @Test
    void aHeaderInPiecesSmallerThanItsSizeFieldIsStillWhole() {
        // Some origins send $H packets of a few bytes: the Header Object's size field (bytes
        // 16-23) then arrives across pieces, and the size is read only once it is all there.
        for (int piece : new int[] {1, 5, 23, 24, 25}) {
            ByteBuf in = ascii("HTTP/1.0 200 OK\r\nPragma: client-id=7\r\n\r\n");
            in.writeBytes(headerFrames(header, piece));
            List<MmshClientEvent> events = read(new MmshResponseReader(false, 65535), in);
            assertEquals(1, events.size(), "pieces of " + piece + ": " + events);
            MmshClientEvent.Described d = assertInstanceOf(MmshClientEvent.Described.class, events.get(0));
            assertArrayEquals(header, d.header(), "pieces of " + piece);
        }
    }

    @Test
    void aBroadcastFeatureMakesItABroadcastWithoutPacketCount() {
        var of = MmshDescriptions.openFile(header, "broadcast");
        assertEquals(ContentInfo.ATTR_BROADCAST, of.fileAttributes());
        assertEquals(0, of.filePacketCount());
    }

    @Test
    void aPlayStreamsDataThenEndsWithE() {
        ByteBuf in = ascii("HTTP/1.0 200 OK\r\nContent-Type: application/x-mms-framed\r\nPragma: client-id=9\r\n\r\n");
        in.writeBytes(headerFrames(header, 60_000));
        in.writeBytes(dataFrame(5, 3, new byte[] {1, 2, 3, 4}));
        in.writeBytes(dataFrame(6, 3, new byte[] {5, 6}));
        ByteBuf e = MmshFrames.endOfStream(ALLOC, 0);
        in.writeBytes(e);
        e.release();
        List<MmshClientEvent> events = read(new MmshResponseReader(true, 65535), in);
        assertEquals(new MmshClientEvent.Playing(9), events.get(0));
        MmshClientEvent.Packet p = assertInstanceOf(MmshClientEvent.Packet.class, events.get(1));
        assertEquals(5, p.packet().locationId());
        assertEquals(4, p.packet().content().readableBytes());
        assertEquals(6, ((MmshClientEvent.Packet) events.get(2)).packet().locationId());
        assertEquals(new MmshClientEvent.EndOfStream(0), events.get(3));
        events.forEach(MmshResponseReaderTest::release);
    }

    @Test
    void aStreamChangeGivesTheNewEntrysHeader() {
        MmshResponseReader r = new MmshResponseReader(true, 65535);
        ByteBuf in = ascii("HTTP/1.0 200 OK\r\n\r\n");
        in.writeBytes(headerFrames(header, 60_000));
        ByteBuf e = MmshFrames.endOfStream(ALLOC, 1);
        ByteBuf c = MmshFrames.streamChange(ALLOC, 0);
        in.writeBytes(e).writeBytes(c);
        e.release();
        c.release();
        in.writeBytes(headerFrames(header, 300));
        in.writeBytes(dataFrame(0, 4, new byte[] {9}));
        List<MmshClientEvent> events = read(r, in);
        assertEquals(new MmshClientEvent.EndOfStream(1), events.get(1));
        MmshClientEvent.StreamChanged sc = assertInstanceOf(MmshClientEvent.StreamChanged.class, events.get(2));
        assertArrayEquals(header, sc.header());
        assertEquals(header.length, sc.change().cbHeaderSize());
        assertInstanceOf(MmshClientEvent.Packet.class, events.get(3));
        events.forEach(MmshResponseReaderTest::release);
        assertFalse(r.done());
        MmshClientEvent.Failed f = assertInstanceOf(MmshClientEvent.Failed.class, r.onClosed().get(0));
        assertEquals(Hresults.NS_E_NOCONNECTION, f.hr(), "a close without $E is a lost connection");
    }

    @Test
    void redirectsChallengesAndErrorsAreTyped() {
        assertEquals(new MmshClientEvent.Redirected(302, "http://other:81/x.asf"),
                only(false, "HTTP/1.1 302 Found\r\nLocation: http://other:81/x.asf\r\n\r\n"));
        assertEquals(new MmshClientEvent.AuthenticationRequired("Media Realm", false),
                only(false, "HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\n"
                        + "WWW-Authenticate: Basic realm=\"Media Realm\"\r\n\r\n"));
        assertEquals(new MmshClientEvent.AuthenticationRequired("", true),
                only(false, "HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n\r\n"));
        assertEquals(Hresults.E_FILE_NOT_FOUND, ((MmshClientEvent.Failed) only(false, "HTTP/1.0 404 Not Found\r\n\r\n"))
                .hr());
        assertEquals(Hresults.E_ACCESS_DENIED, ((MmshClientEvent.Failed) only(true, "HTTP/1.0 403 Forbidden\r\n\r\n"))
                .hr());
        assertEquals(Hresults.NS_E_CANNOTCONNECT, ((MmshClientEvent.Failed) only(true, "HTTP/1.0 503 Busy\r\n\r\n"))
                .hr());
    }

    @Test
    void aLogStatsAnswerIsDoneAtItsHead() {
        MmshResponseReader r = MmshResponseReader.plain();
        List<MmshClientEvent> events = read(r, ascii("HTTP/1.0 200 OK\r\nPragma: client-id=5\r\n\r\n"));
        assertEquals(List.of(new MmshClientEvent.Acknowledged(5)), events);
        assertTrue(r.done());
        assertEquals(Hresults.E_ACCESS_DENIED, ((MmshClientEvent.Failed) read(MmshResponseReader.plain(),
                ascii("HTTP/1.0 403 Forbidden\r\n\r\n")).get(0)).hr());
    }

    @Test
    void malformedResponsesFailWithAReasonAndNothingMore() {
        MmshClientEvent.Failed notHttp = (MmshClientEvent.Failed) only(false, "RTSP/1.0 200 OK\r\n\r\n");
        assertEquals(Hresults.NS_E_PROTOCOL_MISMATCH, notHttp.hr());
        assertTrue(notHttp.reason().contains("not an HTTP response"), notHttp.reason());
        MmshClientEvent.Failed chunked = (MmshClientEvent.Failed) only(false,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertTrue(chunked.reason().contains("chunked"), chunked.reason());

        ByteBuf junk = ascii("HTTP/1.0 200 OK\r\n\r\n#H\u0001\u0000");
        MmshClientEvent.Failed badFrame = (MmshClientEvent.Failed) read(new MmshResponseReader(true, 65535), junk)
                .get(1);
        assertTrue(badFrame.reason().contains("Frame"), badFrame.reason());

        ByteBuf longHead = ascii("HTTP/1.0 200 OK\r\nX: " + "a".repeat(MmshResponseReader.MAX_HEAD) + "\r\n\r\n");
        MmshClientEvent.Failed tooLong = (MmshClientEvent.Failed) read(new MmshResponseReader(false, 65535), longHead)
                .get(0);
        assertTrue(tooLong.reason().contains("longer than"), tooLong.reason());

        ByteBuf bigFrame = ascii("HTTP/1.0 200 OK\r\n\r\n");
        bigFrame.writeBytes(dataFrame(1, 1, new byte[2000]));
        List<MmshClientEvent> big = read(new MmshResponseReader(true, 1000), bigFrame);
        assertTrue(((MmshClientEvent.Failed) big.get(1)).reason().contains("PacketLength"), big.toString());

        ByteBuf earlyData = ascii("HTTP/1.0 200 OK\r\n\r\n");
        earlyData.writeBytes(dataFrame(1, 1, new byte[4]));
        MmshClientEvent.Failed early = (MmshClientEvent.Failed) read(new MmshResponseReader(false, 65535), earlyData)
                .get(0);
        assertTrue(early.reason().contains("$D before"), early.reason());
    }

    private static MmshClientEvent only(boolean play, String response) {
        List<MmshClientEvent> events = read(new MmshResponseReader(play, 65535), ascii(response));
        assertEquals(1, events.size(), events.toString());
        return events.get(0);
    }

    /** Reads all of {@code in} (released afterwards); the reader must have taken everything. */
    private static List<MmshClientEvent> read(MmshResponseReader r, ByteBuf in) {
        try {
            List<MmshClientEvent> events = r.onBytes(in);
            if (!r.done()) {
                assertFalse(in.isReadable(), "complete frames are all taken");
            }
            return events;
        } finally {
            in.release();
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.buffer().writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** {@code h} as $H packets of at most {@code piece} bytes, the last flagged as such. */
    private static byte[] headerFrames(byte[] h, int piece) {
        ByteBuf out = Unpooled.buffer();
        for (int off = 0; off < h.length; off += piece) {
            int n = Math.min(piece, h.length - off);
            int af = off + n == h.length ? MmshFrames.AF_HEADER_LAST : MmshFrames.AF_HEADER_PART;
            ByteBuf prefix = MmshFrames.dataHeader(ALLOC, MmshFrames.HEADER, 0, 0, af, n);
            out.writeBytes(prefix).writeBytes(h, off, n);
            prefix.release();
        }
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    private static byte[] dataFrame(int location, int incarnation, byte[] payload) {
        ByteBuf prefix = MmshFrames.dataHeader(ALLOC, MmshFrames.DATA, location, incarnation, 0, payload.length);
        byte[] b = new byte[prefix.readableBytes() + payload.length];
        prefix.readBytes(b, 0, MmshFrames.PREFIX_SIZE);
        prefix.release();
        System.arraycopy(payload, 0, b, MmshFrames.PREFIX_SIZE, payload.length);
        return b;
    }

    private static void release(MmshClientEvent e) {
        if (e instanceof MmshClientEvent.Packet p) {
            p.packet().release();
        }
    }
}
