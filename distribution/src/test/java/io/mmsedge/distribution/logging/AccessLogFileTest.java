package io.mmsedge.distribution.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.ClientLogInfo;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.server.accesslog.AccessField;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access-log file (issue #15): a real server with an {@code accessLog} section, players of
 * known behaviour (the test client sending a LinkViewerToMacLogging of known values, FFmpeg over
 * MMSH), and the file parsed back: WMS's directives, then one line per player's log or per
 * session closed without one, every field checked.
 */
class AccessLogFileTest {

    private static final String AV = "av.asf";
    /** 9.0.0.3250 as CLIENT_LOG_INFO's 64-bit version. */
    private static final long V9 = (9L << 48) | 3250L;

    @TempDir
    Path dir;

    private EdgeApplication app;

    @AfterEach
    void stop() throws ConfigException {
        if (app != null) {
            app.close();
        }
        AccessLogSetup.apply(null, dir, "test"); // the next test class logs as the file configuration says
    }

    private EdgeApplication start(Path media, String accessLog) throws Exception {
        String yaml = """
                server:
                  bind: 127.0.0.1
                  port: 0
                  pacingSpeed: 0
                publishingPoints:
                  - name: ""
                    type: directory
                    path: "%s"
                accessLog: %s
                """.formatted(media, accessLog);
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test",
                dir);
        app = EdgeApplication.start(cfg, dir);
        return app;
    }

    /** The log a player sends after playing av.asf from 2 s for 7 s (MS-MMSP §2.2.1.1, times in ms). */
    private static Logging playersLog(String userAgent) {
        ClientLogInfo info = new ClientLogInfo("mms://edge.example/av.asf", "-", userAgent, "-", V9, "en-US",
                "{3300AD50-2C39-46C0-AE0A-0123456789AB}", "wmplayer.exe", 0L, 130_000, 638_066L, 48_000,
                "Windows Media Audio 9", "Windows Media Video 9", 2000, 7000, 1, 1, 1500, 1_000_000L, 70, 3, 0, 97,
                0);
        return new Logging(new ClientLog(info, 1, -1, "player-host", "Windows XP", 0L, "Pentium", "mms", "TCP", 0,
                0, 2, 0, 0));
    }

    private record Played(int port, long packets, long bytes) {
    }

    /** Every stream of a fixture, for StreamSwitch. */
    private static int[] streams(String fixture) throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.media(fixture))) {
            return f.header().streams().stream().mapToInt(AsfStream::number).toArray();
        }
    }

    /** Plays av.asf to its end with the test client; the log is sent if {@code log} is not null. */
    private Played playWithTestClient(Logging log) throws IOException {
        try (MmsTestClient c = MmsTestClient.connect(app.mmsAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open(AV).hr());
            c.readHeader(2);
            c.selectStreams(streams(AV));
            c.startPlaying(0, 3);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            // Only Data packets follow StartPlaying (the header came before; AFFlags is a sequence here).
            long bytes = r.packets.stream().mapToLong(d -> d.payload().length).sum();
            long packets = r.packets.size();
            if (log != null) {
                c.send(log);
            }
            return new Played(c.localPort(), packets, bytes);
        }
    }

    @Test
    void aPlayersLogBecomesAW3cLineWithEveryFieldFromThePlayerAndTheServer() throws Exception {
        Path file = dir.resolve("logs/access.log");
        start(Fixtures.mediaDir(), "{format: w3c, file: logs/access.log}");
        Played p = playWithTestClient(playersLog("NSPlayer/9.0.0.3250 WMFSDK/9.0"));
        List<Map<String, String>> entries = awaitEntries(file, 1);
        Map<String, String> e = entries.get(0);

        assertEquals("127.0.0.1", e.get("c-ip"));
        LocalDateTime at = LocalDateTime.parse(e.get("date") + "T" + e.get("time"));
        assertTrue(Math.abs(Duration.between(at, LocalDateTime.now(ZoneOffset.UTC)).toSeconds()) < 120, at::toString);
        assertEquals("player-host", e.get("c-dns"));
        assertEquals("/av.asf", e.get("cs-uri-stem"));
        assertEquals("2", e.get("c-starttime"));
        assertEquals("7", e.get("x-duration"));
        assertEquals("1", e.get("c-rate"));
        assertEquals("200", e.get("c-status"));
        assertEquals("{3300AD50-2C39-46C0-AE0A-0123456789AB}", e.get("c-playerid"));
        assertEquals("9.0.0.3250", e.get("c-playerversion"));
        assertEquals("en-US", e.get("c-playerlanguage"));
        assertEquals("NSPlayer/9.0.0.3250_WMFSDK/9.0", e.get("cs(User-Agent)"));
        assertEquals("Windows_XP", e.get("c-os"));
        assertEquals("Pentium", e.get("c-cpu"));
        assertEquals("130", e.get("filelength"));
        assertEquals("638066", e.get("filesize"));
        assertEquals("48000", e.get("avgbandwidth"));
        assertEquals("mms", e.get("protocol"));
        assertEquals("TCP", e.get("transport"));
        assertEquals("Windows_Media_Audio_9", e.get("audiocodec"));
        assertEquals("Windows_Media_Video_9", e.get("videocodec"));
        try (AsfFile f = AsfFile.open(Fixtures.media(AV))) {
            assertEquals(f.packetCount(), p.packets(), "the whole file was played");
        }
        assertEquals(Long.toString(p.packets()), e.get("s-pkts-sent"));
        assertEquals(Long.toString(p.bytes()), e.get("sc-bytes"), "what the server sent");
        assertEquals("1000000", e.get("c-bytes"));
        assertEquals("70", e.get("c-pkts-received"));
        assertEquals("3", e.get("c-pkts-lost-client"));
        assertEquals("2", e.get("c-resendreqs"));
        assertEquals("1", e.get("c-buffercount"));
        assertEquals("1", e.get("c-totalbuffertime"));
        assertEquals("97", e.get("c-quality"));
        assertEquals("127.0.0.1", e.get("s-ip"));
        assertTrue(Integer.parseInt(e.get("s-totalclients")) >= 1, e.get("s-totalclients"));
        String cpu = e.get("s-cpu-util");
        assertTrue(cpu.equals("-") || Integer.parseInt(cpu) >= 0 && Integer.parseInt(cpu) <= 100, cpu);
        assertEquals("mms://edge.example/av.asf", e.get("cs-url"));
        assertEquals("av.asf", e.get("cs-media-name"));
        assertEquals("0", e.get("s-proxied"));

        // The player sent its log: its session's close adds no second line.
        Thread.sleep(300);
        assertEquals(1, entries(file).size(), Files.readString(file));
        assertTrue(p.port() > 0);
    }

    @Test
    void aSessionWithoutAPlayersLogGetsALineOfWhatTheServerMeasuredAtItsClose() throws Exception {
        Path file = dir.resolve("access.log");
        start(Fixtures.mediaDir(), "{file: access.log}");
        Played p = playWithTestClient(null);
        Map<String, String> e = awaitEntries(file, 1).get(0);
        assertEquals("/av.asf", e.get("cs-uri-stem"));
        assertEquals("0", e.get("c-starttime"));
        assertEquals("200", e.get("c-status"));
        assertEquals("{3300AD50-2C39-46C0-AE0A-60A1B9F20D02}", e.get("c-playerid"), "from the subscriberName");
        assertEquals("7.0.0.1956", e.get("c-playerversion"));
        assertEquals("NSPlayer/7.0.0.1956", e.get("cs(User-Agent)"));
        assertEquals("-", e.get("c-os"));
        assertEquals("-", e.get("c-bytes"));
        assertEquals(Long.toString(p.packets()), e.get("s-pkts-sent"));
        assertEquals(Long.toString(p.bytes()), e.get("sc-bytes"));
        try (AsfFile f = AsfFile.open(Fixtures.media(AV))) {
            assertEquals(Long.toString(Math.round(f.header().durationSeconds())), e.get("filelength"));
            // As the header's File Properties declare it (this fixture was cut: the file is shorter).
            assertEquals(Long.toString(f.header().fileSize()), e.get("filesize"));
        }
        assertEquals("mms://127.0.0.1:" + app.mmsAddress().getPort() + "/av.asf", e.get("cs-url"));
    }

    @Test
    void aSessionEndedByAContentErrorGetsItsCloseLine() throws Exception {
        // A copy of av.asf whose packet 40 is garbage: reading it fails in the middle of playing.
        Path media = Files.createDirectories(dir.resolve("media"));
        byte[] whole = Files.readAllBytes(Fixtures.media(AV));
        try (AsfFile f = AsfFile.open(Fixtures.media(AV))) {
            int size = f.header().maxDataPacketSize();
            int at = f.header().headerObjectSize() + 50 + 40 * size; // the Data Object's header is 50 bytes
            Arrays.fill(whole, at, at + size, (byte) 0xFF);
        }
        Files.write(media.resolve("cut.asf"), whole);
        Path file = dir.resolve("access.log");
        start(media, "{file: access.log}");
        try (LogCapture logs = LogCapture.begin();
             MmsTestClient c = MmsTestClient.connect(app.mmsAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open("cut.asf").hr());
            c.readHeader(2);
            c.selectStreams(streams(AV));
            c.startPlaying(0, 3);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
            assertTrue(r.lastEndOfStream().hr() != 0, "the player is told of the failure");
            assertEquals(40, r.packets.size(), "the packets before the bad one");
            assertNotNull(logs.await(5000, "io.mmsedge.access", "path=cut.asf", "event=close reason=content-error"),
                    "the key=value close line (issue #17): " + logs.lines());
        }
        Map<String, String> e = awaitEntries(file, 1).get(0);
        assertEquals("/cut.asf", e.get("cs-uri-stem"));
        assertEquals("500", e.get("c-status"));
        assertEquals("40", e.get("s-pkts-sent"));
    }

    @Test
    void aRefusedOpenIsLoggedWithItsStatus() throws Exception {
        Path file = dir.resolve("access.log");
        start(Fixtures.mediaDir(), "{file: access.log}");
        try (MmsTestClient c = MmsTestClient.connect(app.mmsAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertTrue(c.open("missing.asf").hr() != 0);
        }
        Map<String, String> e = awaitEntries(file, 1).get(0);
        assertEquals("/missing.asf", e.get("cs-uri-stem"));
        assertEquals("404", e.get("c-status"));
        assertEquals("-", e.get("x-duration"));
        assertEquals("0", e.get("sc-bytes"));
    }

    @Test
    void jsonLinesCarryTheSameFieldsAndAForgedLineStaysInsideItsValue() throws Exception {
        Path file = dir.resolve("access.json");
        start(Fixtures.mediaDir(), "{format: json, file: access.json}");
        String hostile = "NSPlayer/9.0\r\n{\"c-ip\":\"6.6.6.6\"}";
        playWithTestClient(playersLog(hostile));
        List<String> lines = await(file, l -> l.size() >= 1);
        assertEquals(1, lines.size(), String.join("\n", lines));
        JsonNode e = new ObjectMapper().readTree(lines.get(0));
        List<String> keys = new ArrayList<>();
        e.fieldNames().forEachRemaining(keys::add);
        List<String> expected = new ArrayList<>(List.of("@timestamp"));
        Arrays.stream(AccessField.values()).map(AccessField::w3cName).forEach(expected::add);
        assertEquals(expected, keys);
        assertEquals("127.0.0.1", e.get("c-ip").asText());
        assertEquals(hostile, e.get("cs(User-Agent)").asText(), "kept whole, escaped by JSON");
        assertEquals("Windows XP", e.get("c-os").asText(), "JSON values are not W3C-escaped");
        assertEquals("/av.asf", e.get("cs-uri-stem").asText());
        assertEquals("7", e.get("x-duration").asText());
        assertEquals("mms", e.get("protocol").asText());
    }

    @Test
    void theW3cFileEscapesWhatAPlayerSendsAndEveryNewFileStartsWithTheDirectives() throws Exception {
        Path file = dir.resolve("access.log");
        start(Fixtures.mediaDir(), "{format: w3c, file: access.log, rolling: {daily: false, maxSize: 1k, maxFiles: 5}}");
        playWithTestClient(playersLog("NSPlayer/9.0\r\n127.0.0.1 2026-01-01 00:00:00 forged"));
        for (int i = 2; i <= 5; i++) {
            playWithTestClient(playersLog("player-" + i));
        }
        List<Path> files = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int lines = 0;
        while (System.nanoTime() < deadline) {
            files.clear();
            try (var s = Files.list(dir)) {
                s.filter(f -> f.getFileName().toString().startsWith("access")).sorted().forEach(files::add);
            }
            lines = 0;
            for (Path f : files) {
                lines += entries(f).size();
            }
            if (lines >= 5) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(5, lines, "one line per player's log, none forged: " + files);
        assertTrue(files.size() >= 2, "rolled over at 1k: " + files);
        for (Path f : files) {
            List<String> text = Files.readAllLines(f);
            assertTrue(text.get(0).startsWith("#Software: mms-edge "), f + ": " + text);
            assertEquals("#Version: 1.0", text.get(1));
            assertTrue(text.get(2).matches("#Date: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), text.get(2));
            assertEquals(AccessField.fieldsDirective(), text.get(3));
        }
        String all = String.join("\n", files.stream().map(f -> {
            try {
                return Files.readString(f);
            } catch (IOException x) {
                throw new IllegalStateException(x);
            }
        }).toList());
        assertTrue(all.contains(" NSPlayer/9.0__127.0.0.1_2026-01-01_00:00:00_forged "), all);
    }

    @Test
    void ffmpegOverMmshIsLoggedAsHttpWithWhatItWasSent() throws Exception {
        assumeTrue(ExternalTool.available("ffmpeg"), "ffmpeg not installed");
        Path file = dir.resolve("access.log");
        start(Fixtures.mediaDir(), "{file: access.log}");
        String url = "mmsh://127.0.0.1:" + app.mmsAddress().getPort() + "/" + AV;
        ExternalTool.Result r = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0",
                "-c", "copy", "-f", "null", "-"), Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.toString());
        List<Map<String, String>> entries = awaitEntries(file, 1);
        Map<String, String> e = entries.stream().filter(x -> !x.get("x-duration").equals("-")).findFirst()
                .orElseThrow(() -> new AssertionError("no played session: " + entries));
        assertEquals("http", e.get("protocol"));
        assertEquals("TCP", e.get("transport"));
        assertEquals("127.0.0.1", e.get("c-ip"));
        assertEquals("/av.asf", e.get("cs-uri-stem"));
        assertEquals("200", e.get("c-status"));
        assertTrue(e.get("cs(User-Agent)").startsWith("NSPlayer/"), e.toString());
        assertTrue(e.get("c-playerid").matches("\\{[0-9A-Fa-f-]{36}\\}"), e.toString());
        try (AsfFile f = AsfFile.open(Fixtures.media(AV))) {
            assertEquals(Long.toString(f.packetCount()), e.get("s-pkts-sent"));
            // $D frames carry packets without their padding (§2.2.3.2): at most the packet size each.
            long sent = Long.parseLong(e.get("sc-bytes"));
            assertTrue(sent > f.packetCount() * f.header().maxDataPacketSize() * 9 / 10
                    && sent <= f.packetCount() * f.header().maxDataPacketSize(), e.toString());
        }
        assertEquals("http://127.0.0.1:" + app.mmsAddress().getPort() + "/av.asf", e.get("cs-url"));
    }

    // ------------------------------------------------------------------ reading the file

    private static List<Map<String, String>> awaitEntries(Path file, int n) throws Exception {
        await(file, l -> l.stream().filter(x -> !x.startsWith("#")).count() >= n);
        return entries(file);
    }

    private static List<String> await(Path file, Predicate<List<String>> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (done.test(lines)) {
                return lines;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not written in time: " + file + ": " + lines);
    }

    /** The data lines of a W3C file, each as a map by the names its #Fields directive gives. */
    static List<Map<String, String>> entries(Path file) throws IOException {
        List<String> names = null;
        List<Map<String, String>> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("#Fields: ")) {
                names = List.of(line.substring(9).split(" "));
            } else if (!line.startsWith("#") && !line.isEmpty()) {
                assertNotNull(names, "a line before #Fields in " + file);
                String[] v = line.split(" ", -1);
                assertEquals(names.size(), v.length, "one value per field: " + line);
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < v.length; i++) {
                    m.put(names.get(i), v[i]);
                }
                out.add(m);
            }
        }
        return out;
    }

}
