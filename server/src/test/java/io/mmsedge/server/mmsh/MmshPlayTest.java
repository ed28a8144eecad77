package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.mmsedge.protocol.mmsh.MmshResponses;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Describe and Play ([MS-WMSP] §2.2.2.1, §2.2.2.6) against a real server on loopback. */
class MmshPlayTest {

    @Test
    void playOnTheHttpPortGivesHThenEveryPacketThenE() throws Exception {
        try (MmshOrigin origin = MmshOrigin.fast(); AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            assertWholeFile(origin.http(), f);
        }
    }

    @Test
    void playOnTheSharedMmsPortToo() throws Exception {
        try (MmshOrigin origin = MmshOrigin.fast(); AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            assertWholeFile(origin.mms(), f);
        }
    }

    private static void assertWholeFile(InetSocketAddress server, AsfFile f) throws Exception {
        MmshTestClient.Response r = MmshTestClient.exchange(server, MmshTestClient.get("av.asf",
                "Pragma: xPlayStrm=1"));
        assertEquals(200, r.status(), r.statusLine());
        assertEquals(MmshResponses.CONTENT_TYPE_FRAMED, r.header("Content-Type"));
        assertTrue(r.all("Pragma").stream().anyMatch(p -> p.startsWith("client-id=")), r.headers().toString());
        assertTrue(r.all("Pragma").contains("features=\"seekable,stridable\"")
                || r.all("Pragma").contains("features=\"seekable\""), r.headers().toString());
        assertTrue(r.closed(), "a Play response ends with the connection");
        List<MmshFrame> frames = r.frames();
        try {
            assertEquals('H', frames.get(0).packetId());
            byte[] header = Files.readAllBytes(Fixtures.media("av.asf"));
            assertArrayEquals(java.util.Arrays.copyOf(header, frames.get(0).content().readableBytes()),
                    ByteBufUtil.getBytes(frames.get(0).content()), "$H carries the whole ASF header");
            assertEquals(MmshFrames.AF_HEADER_LAST, frames.get(0).afFlags());
            assertEquals(f.packetCount() + 2, frames.size(), "one $H, every $D, one $E");
            for (int i = 0; i < f.packetCount(); i++) {
                MmshFrame d = frames.get(i + 1);
                assertEquals('D', d.packetId());
                assertEquals(i, d.locationId());
                assertArrayEquals(Fixtures.sentPayload(f, i), ByteBufUtil.getBytes(d.content()), "packet " + i);
            }
            MmshFrame e = frames.get(frames.size() - 1);
            assertEquals('E', e.packetId());
            assertEquals(0, e.reason());
        } finally {
            frames.forEach(MmshFrame::release);
        }
    }
}
