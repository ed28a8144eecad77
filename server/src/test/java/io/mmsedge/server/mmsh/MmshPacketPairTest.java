package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrameDecoder;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packet-pair experiment Windows Media Player asks for in its Describe request
 * (packet-pair-experiment=1, [MS-WMSP] §2.2.1.4.14): three $P packets (§2.2.3.7) sized by the
 * response head, then the $H; checked byte for byte on the wire.
 */
class MmshPacketPairTest {

    private static MmshOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = MmshOrigin.fast();
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    private static byte[] describe(String... pragmas) throws Exception {
        try (Socket s = new Socket(origin.http().getAddress(), origin.http().getPort())) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder("GET /av.asf HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                    + "User-Agent: NSPlayer/12.00.7601.17514\r\n");
            for (String p : pragmas) {
                req.append("Pragma: ").append(p).append("\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            assertTrue(MmshTestClient.readAll(s.getInputStream(), all), "the Describe ends with the close");
            return all.toByteArray();
        }
    }

    private static int headLength(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        return text.indexOf("\r\n\r\n") + 4;
    }

    @Test
    void aDescribeAskingForPacketPairGetsThreePacketPairsSizedByTheHeadThenTheHeader() throws Exception {
        byte[] raw = describe("packet-pair-experiment=1", "xClientGUID={3300AD50-2C39-46c0-AE0A-70B2F8F4E2A1}");
        MmshTestClient.Response r = MmshTestClient.parse(raw, true);
        assertEquals(200, r.status());
        assertTrue(r.all("Pragma").contains("packet-pair-experiment=1"), r.headers().toString());
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
        int reason = Math.min(504, headLength(raw));
        ByteBuf body = Unpooled.wrappedBuffer(r.body());
        int[] lengthField = {504, 504, 1048};
        int[] payload = {reason == 504 ? 0 : 504 - reason, 504, 1048 + reason};
        for (int i = 0; i < 3; i++) {
            assertEquals(0x24, body.readUnsignedByte(), "$P " + i);
            assertEquals(MmshFrames.PACKET_PAIR, body.readUnsignedByte());
            assertEquals(lengthField[i], body.readUnsignedShortLE(), "PacketLength of $P " + i);
            assertEquals(reason, body.readIntLE(), "Reason: the head's " + headLength(raw) + " bytes, at most 504");
            byte[] noise = ByteBufUtil.getBytes(body.readSlice(payload[i]));
            if (noise.length > 16) {
                assertTrue(noise[0] != 0 || noise[1] != 0 || noise[2] != 0 || noise[3] != 0, "random payload");
            }
        }
        MmshFrame h = MmshFrameDecoder.decodeOne(body, 0xFFFF);
        try (AsfFile file = AsfFile.open(Fixtures.media("av.asf"))) {
            assertEquals(MmshFrames.HEADER, h.packetId());
            assertArrayEquals(file.header().fileHeader(), ByteBufUtil.getBytes(h.content()));
            assertEquals(0, body.readableBytes(), "the $H is the last packet");
        } finally {
            h.release();
        }
    }

    @Test
    void withoutTheTokenThereIsNoPacketPair() throws Exception {
        MmshTestClient.Response r = MmshTestClient.parse(describe(), true);
        assertEquals(MmshFrames.HEADER, r.body()[1]);
        assertTrue(r.all("Pragma").stream().noneMatch(p -> p.startsWith("packet-pair")));
    }
}
