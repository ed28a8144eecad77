package io.mmsedge.protocol.mmsh.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.ClientLogInfo;
import io.mmsedge.protocol.mmsh.LogStats;
import io.mmsedge.protocol.mmsh.MmshRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LogStats line the client POSTs reads back, through the server's own parser, as the log it came from. */
class LogLinesTest {

    private static final ClientLogInfo INFO = new ClientLogInfo("mms://edge/live/a.asf", "http://x/ch.nsc",
            "NSPlayer/9.0.0.2980", "http://portal/page", 0x0009_0000_0000_0BA4L, "en-US",
            "{3300AD50-2C39-46C0-AE0A-5F2B9D1C0A11}", "wmplayer.exe", 0x0009_0000_0000_0001L, 120, 1_234_567, 300_000,
            "WMA9", "WMV9", 5, 60, 1, 2, 1500, 2_250_000, 1800, 3, 4, 98, 0);
    private static final ClientLog LOG = new ClientLog(INFO, 0, 0x0100007F, "viewer.example", "Windows_NT",
            0x0006_0001_0000_1DB1L, "Pentium", "mmsh", "TCP", 5, 6, 7, 8, 0);

    @Test
    void everyFieldRoundTripsThroughTheServersLogStatsParser() {
        String line = LogLines.render(LOG);
        assertEquals(40, line.split(" ").length, line);
        ClientLog back = LogStats.parse(line);
        assertEquals(INFO, back.info());
        assertEquals(LOG.ipAddress(), back.ipAddress());
        assertEquals(LOG.computerDns(), back.computerDns());
        assertEquals(LOG.os(), back.os());
        assertEquals(LOG.osVersion(), back.osVersion());
        assertEquals(LOG.cpu(), back.cpu());
        assertEquals(LOG.proto(), back.proto());
        assertEquals(LOG.transport(), back.transport());
        assertEquals(List.of(5, 6, 7, 8), List.of(back.packetsLostNet(), back.packetsLostContNet(),
                back.resendRequests(), back.packetsRecoveredResent()));
    }

    @Test
    void spacesAndUnknownsKeepOneFieldPerPosition() {
        ClientLog odd = new ClientLog(null, 0, 0xFFFFFFFF, "my pc", null, 0, "x\r\ny", null, null, 0, 0, 0, 0, 0);
        String line = LogLines.render(odd);
        String[] f = line.split(" ");
        assertEquals(40, f.length, line);
        assertEquals("-", f[0], "unknown address");
        assertEquals("my_pc", f[3]);
        assertEquals("x__y", f[18]);
        assertTrue(line.chars().allMatch(c -> c > 0x20 && c < 0x7F || c == ' '), line);
    }

    @Test
    void theLogStatsRequestIsAPostTheServerTakesForLogStats() {
        MmshClientConfig c = new MmshClientConfig("/a.asf", "o:80", "NSPlayer/9.0.0.2980",
                "{3300AD50-2C39-46C0-AE0A-5F2B9D1C0A11}", null, null, 65535);
        String r = MmshClientRequests.logStats(c, 42, LogLines.render(LOG));
        int body = r.indexOf("\r\n\r\n") + 4;
        assertTrue(r.contains("\r\nContent-Length: " + (r.length() - body) + "\r\n"), r);
        assertTrue(r.contains("\r\nPragma: client-id=42\r\n"), r);
        MmshRequest parsed = MmshRequest.of("POST", "/a.asf", List.of("client-id=42"), "NSPlayer/9.0.0.2980",
                "application/x-wms-LogStats");
        assertEquals(MmshRequest.Kind.LOG_STATS, parsed.kind());
        assertTrue(r.startsWith("POST /a.asf HTTP/1.0\r\n"), r);
        assertTrue(r.contains("\r\nContent-Type: application/x-wms-LogStats\r\n"), r);
    }
}
