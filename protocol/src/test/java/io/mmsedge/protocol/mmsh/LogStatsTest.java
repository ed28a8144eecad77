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
        assertEquals(30_000, log.info().played(), "x-duration 30 s is msPlayed 30000");
        assertEquals(30_000, log.info().fileDuration(), "filelength in seconds, msFileDuration in ms");
        assertEquals(1_500_000, log.info().bufferingTime(), "c-totalbuffertime in seconds, msBufferingTime in ms");
        assertEquals(12_092, LogStats.parse("10.0.0.5 - - - /a.asf 12.092").info().startTime(), "fractional seconds");
        assertEquals(0, LogStats.parse("10.0.0.5 - - - /a.asf -5").info().startTime(), "negative: unknown");
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

    /** [MS-WMLOG] §2.4 as Windows Media Player 9+ posts it: field elements whose names are not XML names. */
    @Test
    void xmlLogMapsOntoTheSameClientLog() {
        String xml = """
                <?xml version="1.0"?>
                <XML>
                <Summary>10.0.0.9 2026-12-07 00:10:00 - /summary.asf 0 12 1 200</Summary>
                <c-ip>10.0.0.5</c-ip><Date>2026-12-07</Date><Time>00:10:00</Time><c-dns>host.example</c-dns>
                <cs-uri-stem>/av.asf</cs-uri-stem><c-starttime>0</c-starttime><x-duration>30</x-duration>
                <c-rate>1</c-rate><c-status>200</c-status>
                <c-playerid>{3300AD50-2C39-46c0-AE0A-AE0A2F3E4A50}</c-playerid>
                <c-playerversion>12.0.7601.17514</c-playerversion><c-playerlanguage>en-US</c-playerlanguage>
                <cs(User-Agent)>NSPlayer/12.00.7601.17514 WMFSDK/12.00.7601.17514</cs(User-Agent)>
                <cs(Referer)>http://www.example.com/a?x=1&amp;y=2</cs(Referer)>
                <c-hostexe>wmplayer.exe</c-hostexe><c-hostexever>12.0.7601.17514</c-hostexever>
                <c-os>Windows_7</c-os><c-osversion>6.1.0.7601</c-osversion><c-cpu>Pentium</c-cpu>
                <filelength>12</filelength><filesize>371909</filesize><avgbandwidth>300000</avgbandwidth>
                <protocol>http</protocol><transport>TCP</transport><audiocodec>WMA2</audiocodec>
                <videocodec>WMV2</videocodec><channelURL>-</channelURL><sc-bytes>371909</sc-bytes>
                <c-bytes>371909</c-bytes><s-pkts-sent>117</s-pkts-sent><c-pkts-received>117</c-pkts-received>
                <c-pkts-lost-client>0</c-pkts-lost-client><c-pkts-lost-net>2</c-pkts-lost-net>
                <c-pkts-lost-cont-net>1</c-pkts-lost-cont-net><c-resendreqs>3</c-resendreqs>
                <c-pkts-recovered-ECC>0</c-pkts-recovered-ECC><c-pkts-recovered-resent>2</c-pkts-recovered-resent>
                <c-buffercount>1</c-buffercount><c-totalbuffertime>1500</c-totalbuffertime>
                <c-quality>98</c-quality>
                </XML>
                """;
        ClientLog log = LogStats.parse(xml);
        assertEquals("/av.asf", log.info().url(), "the element wins over the Summary line");
        assertEquals("NSPlayer/12.00.7601.17514 WMFSDK/12.00.7601.17514", log.info().userAgent());
        assertEquals("http://www.example.com/a?x=1&y=2", log.info().hostingWebPage());
        assertEquals("wmplayer.exe", log.info().hostExe());
        assertEquals(30_000, log.info().played(), "x-duration 30 s is msPlayed 30000");
        assertEquals(300000, log.info().avgBandwidthBps());
        assertEquals(371909, log.info().bytesReceived());
        assertEquals(117, log.info().packetsReceived());
        assertEquals(98, log.info().minReceptionQuality());
        assertEquals("TCP", log.transport());
        assertEquals("Windows_7", log.os());
        assertEquals(2, log.packetsLostNet());
        assertEquals(3, log.resendRequests());
        assertEquals(LogStats.parse("10.0.0.5").ipAddress(), log.ipAddress());
    }

    @Test
    void xmlLogFallsBackToTheSummaryLineAndIgnoresWhatItCannotUse() {
        ClientLog log = LogStats.parse("<XML><Summary>10.0.0.5 2026-12-07 00:10:00 host /s.asf 0 7 1 200"
                + "</Summary><c-os><b>nested</b></c-os><!-- <c-dns>x</c-dns> --></XML>");
        assertEquals("/s.asf", log.info().url());
        assertEquals(7_000, log.info().played(), "x-duration 7 s is msPlayed 7000");
        assertEquals("-", log.os());
    }

    /** No DTD or entity expansion exists to abuse: an XXE attempt is text, and big bodies are cut. */
    @Test
    void xmlLogHasNoEntitiesToExpandAndIsBounded() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<XML><c-os>&e;</c-os><c-cpu>&#65;&#x42;&lt;</c-cpu></XML>";
        ClientLog log = LogStats.parse(xxe);
        assertEquals("&e;", log.os());
        assertEquals("AB<", log.cpu());
        String huge = "<XML>" + "<a>".repeat(200_000) + "<c-os>late</c-os></XML>";
        assertEquals("-", LogStats.parse(huge).os(), "only the first LogStats.MAX_BODY characters are read");
    }
}
