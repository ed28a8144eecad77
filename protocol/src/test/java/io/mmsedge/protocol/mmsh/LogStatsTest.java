package io.mmsedge.protocol.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.ClientLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogStatsTest {

    @Test
    void legacyLogLineMapsOntoClientLog() {
        String line = "10.0.0.5 2026-12-07 00:10:00 host.example /av.asf 0 30 1 200 "
                + "{3300AD50-2C39-46c0-AE0A-AE0A2F3E4A50} 9.0.0.2980 en-US NSPlayer/9.0.0.2980 - wmplayer.exe "
                + "9.0.0.2980 Windows_XP 5.1.0.2600 Pentium 30 123456 300000 http TCP WMA9 WMV9 - 1200000 1200000 "
                + "400 400 0 0 0 0 0 0 1 1500 100";
        ClientLog log = LogStats.parse("\r\n" + line + "\r\n");
        assertEquals("/av.asf", log.info().url());
        assertEquals("NSPlayer/9.0.0.2980", log.info().userAgent());
        assertEquals("wmplayer.exe", log.info().hostExe());
        assertEquals(30, log.info().played());
        assertEquals(300000, log.info().avgBandwidthBps());
        assertEquals(1200000, log.info().bytesReceived());
        assertEquals(400, log.info().packetsReceived());
        assertEquals(100, log.info().minReceptionQuality());
        assertEquals("http", log.proto());
        assertEquals("TCP", log.transport());
        assertEquals("Windows_XP", log.os());
        assertTrue(log.toLogString().contains("10.0.0.5"), log.toLogString());
    }

    @Test
    void garbageGivesDefaultsNotExceptions() {
        ClientLog log = LogStats.parse("not a log at all");
        assertEquals("-", log.info().userAgent());
        assertEquals(ClientLog.empty().ipAddress(), LogStats.parse("").ipAddress());
    }

    @Test
    void responseHeadersAndFeatures() {
        ContentInfo onDemand = new ContentInfo(new byte[0], 1000, 10, 8000, 1, 0, ContentInfo.ATTR_CANSEEK
                | ContentInfo.ATTR_CANSTRIDE, List.of());
        ContentInfo live = new ContentInfo(new byte[0], 1000, 10, 8000, 1, 0, ContentInfo.ATTR_BROADCAST
                | ContentInfo.ATTR_PLAYLIST, List.of());
        assertEquals("seekable,stridable", MmshResponses.features(onDemand));
        assertEquals("broadcast,playlist", MmshResponses.features(live));
        List<Map.Entry<String, String>> h = MmshResponses.contentHeaders("Cougar/9", 42, onDemand, true);
        assertTrue(h.contains(Map.entry("Content-Type", MmshResponses.CONTENT_TYPE_FRAMED)));
        assertTrue(h.contains(Map.entry("Pragma", "client-id=42")));
        assertTrue(MmshResponses.asx("a&b", List.of("mmsh://h:1/a", "mms://h:2/a")).contains("<REF HREF=\"mms://h:2/a\"/>"));
    }
}
