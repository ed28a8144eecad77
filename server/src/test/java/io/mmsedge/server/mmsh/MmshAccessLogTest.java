package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.server.accesslog.AccessField;
import io.mmsedge.server.accesslog.AccessLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The access-log lines of MMSH sessions ([MS-WMSP]): the server's line when a Play ends without a
 * player's log, and a line per LogStats, in its line and XML forms, whose times are seconds.
 */
class MmshAccessLogTest {

    private static final String GUID = "{3300AD50-2C39-46C0-AE0A-0123456789AB}";
    private static MmshOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = MmshOrigin.fast();
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    /** The access-log records captured, as maps by W3C field name. */
    private static List<Map<String, String>> records(LogCapture logs) {
        String prefix = "INFO " + AccessLog.LOGGER + " ";
        return logs.lines().stream().filter(l -> l.startsWith(prefix)).map(l -> {
            String[] v = l.substring(prefix.length()).split(" ", -1);
            assertEquals(AccessField.values().length, v.length, l);
            Map<String, String> m = new LinkedHashMap<>();
            for (AccessField f : AccessField.values()) {
                m.put(f.w3cName(), v[f.ordinal()]);
            }
            return m;
        }).toList();
    }

    private static Map<String, String> awaitRecord(LogCapture logs, String field, String value) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Map<String, String> r : records(logs)) {
                if (value.equals(r.get(field))) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no record with " + field + "=" + value + ": " + logs.lines());
    }

    @Test
    void aPlayWithoutLogStatsGetsTheServersLineAndALaterLogStatsLineItsOwn() throws Exception {
        try (LogCapture logs = LogCapture.begin()) {
            MmshTestClient.Response play = MmshTestClient.exchange(origin.http(), MmshTestClient.get("av.asf",
                    "Pragma: xPlayStrm=1", "Pragma: xClientGUID=" + GUID, "Pragma: stream-switch-entry=ffff:1:0"));
            assertEquals(200, play.status());
            long packets = play.frames().stream().filter(f -> {
                f.release();
                return f.packetId() == 'D';
            }).count();
            Map<String, String> server = awaitRecord(logs, "c-playerid", GUID);
            assertEquals("http", server.get("protocol"));
            assertEquals("TCP", server.get("transport"));
            assertEquals("/av.asf", server.get("cs-uri-stem"));
            assertEquals("NSPlayer/7.10.0.3059", server.get("cs(User-Agent)"));
            assertEquals("7.10.0.3059", server.get("c-playerversion"));
            assertEquals("200", server.get("c-status"));
            assertEquals(Long.toString(packets), server.get("s-pkts-sent"));
            assertEquals("http://127.0.0.1:" + origin.http().getPort() + "/av.asf", server.get("cs-url"));

            // The player's log arrives on a connection of its own, after the Play ended.
            String line = "127.0.0.1 2026-12-07 00:10:00 player-host /av.asf 4 30 1 200 " + GUID
                    + " 9.0.0.2980 en-US NSPlayer/9.0.0.2980_WMFSDK/9.0 - wmplayer.exe 9.0.0.2980 Windows_XP "
                    + "5.1.0.2600 Pentium 130 638066 48000 http TCP WMA2 WMV2 - 371909 371000 117 115 2 0 0 3 0 0 "
                    + "1 2 97";
            assertEquals(200, MmshTestClient.exchange(origin.http(), "POST /av.asf HTTP/1.0\r\n"
                    + "Content-Type: application/x-wms-LogStats;charset=UTF-8\r\nPragma: client-id=77\r\n"
                    + "Content-Length: " + line.length() + "\r\n\r\n" + line).status());
            Map<String, String> e = awaitRecord(logs, "c-os", "Windows_XP");
            assertEquals("127.0.0.1", e.get("c-ip"));
            assertEquals("player-host", e.get("c-dns"));
            assertEquals("/av.asf", e.get("cs-uri-stem"));
            assertEquals("4", e.get("c-starttime"), "seconds, as LogStats writes them");
            assertEquals("30", e.get("x-duration"));
            assertEquals("130", e.get("filelength"));
            assertEquals("2", e.get("c-totalbuffertime"));
            assertEquals("200", e.get("c-status"));
            assertEquals("9.0.0.2980", e.get("c-playerversion"));
            assertEquals("en-US", e.get("c-playerlanguage"));
            assertEquals("NSPlayer/9.0.0.2980_WMFSDK/9.0", e.get("cs(User-Agent)"));
            assertEquals("Pentium", e.get("c-cpu"));
            assertEquals("638066", e.get("filesize"));
            assertEquals("48000", e.get("avgbandwidth"));
            assertEquals("WMA2", e.get("audiocodec"));
            assertEquals("WMV2", e.get("videocodec"));
            assertEquals("371000", e.get("c-bytes"));
            assertEquals("115", e.get("c-pkts-received"));
            assertEquals("2", e.get("c-pkts-lost-client"));
            assertEquals("3", e.get("c-resendreqs"));
            assertEquals("1", e.get("c-buffercount"));
            assertEquals("97", e.get("c-quality"));
            assertEquals("-", e.get("sc-bytes"), "the session is gone: the server has no measurement here");
            assertEquals("http", e.get("protocol"));
            assertEquals("127.0.0.1", e.get("s-ip"));
        }
    }

    @Test
    void theXmlFormOfWindowsMediaPlayer9IsLoggedToo() throws Exception {
        String xml = "<XML><Summary>-</Summary><c-dns>xml-host</c-dns><x-duration>12</x-duration>"
                + "<c-status>200</c-status><c-playerid>" + GUID + "</c-playerid>"
                + "<cs(User-Agent)>NSPlayer/12.00.7601.17514 WMFSDK/12.00.7601.17514</cs(User-Agent)>"
                + "<c-os>Windows_7</c-os><c-cpu>Pentium</c-cpu><c-quality>98</c-quality></XML>";
        try (LogCapture logs = LogCapture.begin()) {
            assertEquals(200, MmshTestClient.exchange(origin.http(), "POST /av.asf HTTP/1.0\r\n"
                    + "Content-Type: application/x-wms-LogStats;charset=UTF-8\r\nPragma: client-id=78\r\n"
                    + "Content-Length: " + xml.length() + "\r\n\r\n" + xml).status());
            Map<String, String> e = awaitRecord(logs, "c-dns", "xml-host");
            assertEquals("12", e.get("x-duration"));
            assertEquals("Windows_7", e.get("c-os"));
            assertEquals("NSPlayer/12.00.7601.17514_WMFSDK/12.00.7601.17514", e.get("cs(User-Agent)"));
            assertEquals("98", e.get("c-quality"));
            assertNotNull(e.get("date"));
        }
    }
}
