package io.mmsedge.protocol.mmsh.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mmsh.MmshRequest;
import io.mmsedge.protocol.mmsh.Pragmas;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The requests the client sends, read back by the server's own request parser ([MS-WMSP] §2.2.2). */
class MmshClientRequestsTest {

    private static final String GUID = "{3300AD50-2C39-46C0-AE0A-5F2B9D1C0A11}";
    private static final MmshClientConfig CONFIG = new MmshClientConfig("/live/a.asf", "origin:8080",
            "NSPlayer/9.0.0.2980", GUID, "1.0 mms-edge (mms-edge/0.1.0+00000001)", "Basic dTpw", 65535);

    @Test
    void aDescribeIsAGetWithTheClientGuidAndNoPlayToken() {
        String r = MmshClientRequests.describe(CONFIG);
        assertTrue(r.startsWith("GET /live/a.asf HTTP/1.0\r\n"), r);
        assertTrue(r.endsWith("Connection: Close\r\n\r\n"), r);
        assertTrue(r.contains("\r\nHost: origin:8080\r\n"), r);
        assertTrue(r.contains("\r\nUser-Agent: NSPlayer/9.0.0.2980\r\n"), r);
        assertTrue(r.contains("\r\nVia: 1.0 mms-edge (mms-edge/0.1.0+00000001)\r\n"), r);
        assertTrue(r.contains("\r\nAuthorization: Basic dTpw\r\n"), r);
        MmshRequest parsed = parse(r);
        assertEquals(MmshRequest.Kind.DESCRIBE, parsed.kind());
        assertEquals("live/a.asf", parsed.path());
        assertEquals(GUID, parsed.pragmas().clientGuid());
        assertFalse(parsed.pragmas().playStrm());
    }

    @Test
    void aPlayCarriesClientIdStreamsPositionAndAcceleration() {
        MmshClientPlay p = new MmshClientPlay(0, 1234, -1, 1.0, 4_000_000, 90_000, List.of(1, 2, 10));
        MmshRequest parsed = parse(MmshClientRequests.play(CONFIG, 77, p));
        Pragmas g = parsed.pragmas();
        assertEquals(MmshRequest.Kind.PLAY, parsed.kind());
        assertEquals(77, g.clientId());
        assertEquals(1234, g.packetNum());
        assertEquals(3, g.streamSwitchCount());
        assertEquals(List.of(1, 2, 10), g.streamSwitchEntries().stream().map(e -> e.dstStreamNumber()).toList());
        assertEquals(4_000_000, g.accelBandwidth());
        assertEquals(90_000, g.accelDurationMs());
        assertEquals(1.0, g.rate());
    }

    @Test
    void aPlayByTimeOrByOffsetOrStridingSaysSo() {
        Pragmas byTime = parse(MmshClientRequests.play(CONFIG, -1, MmshClientPlay.fromTime(5_500, List.of(1))))
                .pragmas();
        assertEquals(5_500, byTime.streamTimeMs());
        assertEquals(-1, byTime.packetNum(), "4294967295 means unset");
        assertEquals(-1, byTime.clientId());
        Pragmas byOffset = parse(MmshClientRequests.play(CONFIG, 1,
                new MmshClientPlay(0, -1, (5L << 32) + 7, 1.0, 0, 0, List.of()))).pragmas();
        assertEquals((5L << 32) + 7, byOffset.streamOffset());
        assertEquals(-1, byOffset.accelBandwidth());
        Pragmas stride = parse(MmshClientRequests.play(CONFIG, 1,
                new MmshClientPlay(1000, -1, -1, -4.0, 0, 0, List.of(1)))).pragmas();
        assertEquals(-4.0, stride.rate());
    }

    @Test
    void fieldsThatCouldSplitAHeaderLineAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MmshClientConfig("/a\r\nX: y", "h:1", "NSPlayer/9",
                GUID, null, null, 65535));
        assertThrows(IllegalArgumentException.class, () -> new MmshClientConfig("/a", "h:1", "NSPlayer/9",
                GUID, "x\ny", null, 65535));
        assertThrows(IllegalArgumentException.class, () -> new MmshClientPlay(0, -1, -1, 1.0, 0, 0, List.of(300)));
    }

    /** The request as the MMSH front end parses it. */
    private static MmshRequest parse(String request) {
        String[] lines = request.split("\r\n");
        String[] start = lines[0].split(" ");
        List<String> pragmas = new ArrayList<>();
        String ua = null;
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            String name = lines[i].substring(0, c);
            String value = lines[i].substring(c + 1).strip();
            if (name.equalsIgnoreCase("Pragma")) {
                pragmas.add(value);
            } else if (name.equalsIgnoreCase("User-Agent")) {
                ua = value;
            }
        }
        return MmshRequest.of(start[0], start[1], pragmas, ua, null);
    }
}
