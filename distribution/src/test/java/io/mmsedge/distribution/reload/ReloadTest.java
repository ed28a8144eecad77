package io.mmsedge.distribution.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.Hresults;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload with real players (issue #15 "Hot reload"): a player keeps playing across a reload
 * that changes its route while a new player gets the new route; an invalid file is refused by
 * key and the old configuration serves on; publishing points come and go; a moved listener
 * binds its new port before closing the old; the endpoint needs the admin token.
 */
class ReloadTest {

    private static final String TOKEN = "reload-test-admin-token-42";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration PLAYER_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;
    private final List<Process> players = new ArrayList<>();
    private final List<EdgeApplication> apps = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        players.forEach(Process::destroyForcibly);
        apps.forEach(EdgeApplication::close);
    }

    /** An instance running the configuration file {@code name} (written with {@code yaml}), reloadable. */
    private EdgeApplication start(String name, String yaml) throws Exception {
        Path file = Files.writeString(tmp.resolve(name), yaml);
        EdgeApplication app = EdgeApplication.start(ConfigLoader.load(file), tmp);
        apps.add(app);
        app.reloadFrom(new ConfigSource(file.toString(), () -> ConfigLoader.load(file)));
        return app;
    }

    /** An origin at real time serving {@code dir} as its default point. */
    private EdgeApplication origin(String name, Path dir) throws Exception {
        return start(name, """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(dir));
    }

    private static String edgeYaml(int originPort) {
        return """
                server: {pacingSpeed: 1}
                status: {port: 0, adminToken: "%s"}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(TOKEN, originPort);
    }

    private static HttpResponse<String> post(EdgeApplication app, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.statusAddress().getPort()
                + path)).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode reload(EdgeApplication app, int status) throws Exception {
        HttpResponse<String> r = post(app, "/admin/reload", "Authorization", "Bearer " + TOKEN);
        assertEquals(status, r.statusCode(), r.body());
        return new ObjectMapper().readTree(r.body());
    }

    /** ffmpeg playing {@code url} into a framemd5 file; returns once it has frames. */
    private Process ffmpeg(String url, Path out) throws Exception {
        Players.require("ffmpeg");
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0", "-c", "copy",
                "-flush_packets", "1", "-f", "framemd5", out.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(out.getFileName() + ".log").toFile()).start();
        players.add(p);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.exists(out) || Players.frameLines(Files.readString(out)).size() < 20) {
            assertTrue(p.isAlive(), "ffmpeg ended before playing: " + log(out));
            assertTrue(System.currentTimeMillis() < deadline, "ffmpeg got no frames: " + log(out));
            Thread.sleep(100);
        }
        return p;
    }

    private String log(Path out) throws IOException {
        Path l = tmp.resolve(out.getFileName() + ".log");
        return Files.exists(l) ? Files.readString(l) : "";
    }

    private static List<String> fileFrames(String fixture) throws Exception {
        return fileFrames(Fixtures.media(fixture));
    }

    private static List<String> fileFrames(Path file) throws Exception {
        ExternalTool.Result r = Players.framemd5(file.toString());
        assertEquals(0, r.exitCode(), r.describe());
        return Players.frameLines(r.stdoutText());
    }

    /** What a player gets of {@code url}, played to its end. */
    private static List<String> played(String url) throws Exception {
        Players.require("ffmpeg");
        ExternalTool.Result r = Players.framemd5(url);
        assertEquals(0, r.exitCode(), r.describe());
        return Players.frameLines(r.stdoutText());
    }

    private static String mmst(InetSocketAddress a, String path) {
        return "mmst://127.0.0.1:" + a.getPort() + "/" + path;
    }

    /** The player ends by itself, status 0, with exactly {@code want}'s frames. */
    private void assertPlayedWhole(Process p, Path out, List<String> want, String what) throws Exception {
        assertTrue(p.waitFor(PLAYER_TIMEOUT.toSeconds(), TimeUnit.SECONDS), what + ": still playing");
        assertEquals(0, p.exitValue(), what + ": " + log(out));
        assertEquals(want, Players.frameLines(Files.readString(out)), what);
    }

    @Test
    void aPlayerKeepsItsRouteAcrossAReloadWhileANewPlayerGetsTheNewOne() throws Exception {
        // Two origins with different content under one path: a player's frames say which it got.
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.copy(Fixtures.media("audio.asf"), other.resolve("av.asf"));
        EdgeApplication a = origin("a.yaml", Fixtures.mediaDir());
        EdgeApplication b = origin("b.yaml", other);
        EdgeApplication edge = start("edge.yaml", edgeYaml(a.mmsAddress().getPort()));
        Path out = tmp.resolve("before.framemd5");
        Process before = ffmpeg(mmst(edge.edgeAddress(), "av.asf"), out);

        Files.writeString(tmp.resolve("edge.yaml"), edgeYaml(b.mmsAddress().getPort()));
        JsonNode r = reload(edge, 200);
        assertTrue(r.path("reloaded").asBoolean(), r.toString());
        assertEquals("[\"edge.reverse\"]", r.path("applied").toString(), r.toString());
        assertEquals(0, r.path("restartNeeded").size(), r.toString());
        assertTrue(before.isAlive(), "the reload did not end the playing session");

        assertEquals(fileFrames(other.resolve("av.asf")), played(mmst(edge.edgeAddress(), "av.asf")),
                "a player after the reload gets the new origin's content");
        assertPlayedWhole(before, out, fileFrames("av.asf"), "the player of the old route");
    }

    @Test
    void accessRulesAndTheAccessLogApplyToWhatComesAfterAReload() throws Exception {
        EdgeApplication a = origin("a.yaml", Fixtures.mediaDir());
        EdgeApplication edge = start("edge.yaml", edgeYaml(a.mmsAddress().getPort()));
        Path out = tmp.resolve("before.framemd5");
        Process before = ffmpeg(mmst(edge.edgeAddress(), "av.asf"), out);

        // Deny the players' address (127.0.0.2 stays allowed) and start an access-log file.
        Files.writeString(tmp.resolve("edge.yaml"), edgeYaml(a.mmsAddress().getPort())
                + "  access: {deny: [\"127.0.0.1/32\"]}\naccessLog: {format: w3c, file: logs/access.log}\n");
        JsonNode r = reload(edge, 200);
        assertEquals("[\"edge.access\",\"accessLog\"]", r.path("applied").toString(), r.toString());
        assertEquals(0, r.path("restartNeeded").size(), r.toString());

        try (MmsTestClient denied = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            denied.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(Hresults.E_ACCESS_DENIED, denied.open("av.asf").hr(), "127.0.0.1 is denied now");
        }
        try (MmsTestClient other = MmsTestClient.connectFrom(edge.edgeAddress(), InetAddress.getByName("127.0.0.2"),
                Duration.ofSeconds(10))) {
            other.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, other.open("av.asf").hr(), "127.0.0.2 is not");
        }
        assertPlayedWhole(before, out, fileFrames("av.asf"), "the player admitted before the reload");
        // The file opened at the reload has the line of the session that ended after it (ffmpeg's).
        Path logFile = tmp.resolve("logs/access.log");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!(Files.exists(logFile) && Files.readString(logFile).lines().anyMatch(l -> l.startsWith("127.0.0.1 ")))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        String w3c = Files.readString(logFile);
        assertTrue(w3c.startsWith("#Software: mms-edge"), w3c);
        assertTrue(w3c.contains("#Fields: c-ip date time"), w3c);
        assertTrue(w3c.lines().anyMatch(l -> l.startsWith("127.0.0.1 ") && l.contains("/av.asf")),
                "a line for the session that ended after the reload: " + w3c);
    }

    @Test
    void anInvalidConfigurationIsRefusedByKeyAndTheOldOneServesOn() throws Exception {
        EdgeApplication a = origin("a.yaml", Fixtures.mediaDir());
        EdgeApplication edge = start("edge.yaml", edgeYaml(a.mmsAddress().getPort()));
        Path file = tmp.resolve("edge.yaml");
        Files.writeString(file, edgeYaml(a.mmsAddress().getPort()).replace("origins: [\"mms://127.0.0.1:"
                + a.mmsAddress().getPort() + "\"]", "origins: []"));
        String atStart = assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).getMessage();

        JsonNode r = reload(edge, 422);
        assertFalse(r.path("reloaded").asBoolean());
        assertEquals(1, r.path("errors").size(), r.toString());
        assertEquals("edge.reverse[0].origins", r.path("errors").get(0).path("key").asText(), r.toString());
        assertEquals(atStart, r.path("errors").get(0).path("message").asText(), "the messages of a start");

        // Unknown keys and a port in use are refused the same way.
        Files.writeString(file, edgeYaml(a.mmsAddress().getPort()) + "  reverseRules: []\n");
        assertEquals("edge.reverseRules", reload(edge, 422).path("errors").get(0).path("key").asText());
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Files.writeString(file, edgeYaml(a.mmsAddress().getPort()).replace("port: 0\n  reverse",
                    "port: " + taken.getLocalPort() + "\n  reverse"));
            JsonNode busy = reload(edge, 422);
            assertEquals("edge.port", busy.path("errors").get(0).path("key").asText(), busy.toString());
        }
        assertEquals(fileFrames("audio.asf"), played(mmst(edge.edgeAddress(), "audio.asf")),
                "the running configuration still serves");
    }

    @Test
    void publishingPointsAreAddedAndRemovedAndTheRemovedBroadcastsPlayersStopCleanly() throws Exception {
        Path extra = Files.createDirectories(tmp.resolve("extra"));
        Files.copy(Fixtures.media("audio.asf"), extra.resolve("clip.asf"));
        String points = """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1}
                status: {port: 0, adminToken: "%s"}
                publishingPoints:
                  - {name: vod, type: directory, path: "%s"}
                """.formatted(TOKEN, Fixtures.mediaDir());
        EdgeApplication origin = start("origin.yaml", points + """
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(Fixtures.media("av.asf")));
        Path liveOut = tmp.resolve("live.framemd5");
        Process live = ffmpeg(mmst(origin.mmsAddress(), "live"), liveOut);
        Path vodOut = tmp.resolve("vod.framemd5");
        Process vod = ffmpeg(mmst(origin.mmsAddress(), "vod/av.asf"), vodOut);

        Files.writeString(tmp.resolve("origin.yaml"), points + """
                  - {name: extra, type: directory, path: "%s"}
                """.formatted(extra));
        JsonNode r = reload(origin, 200);
        assertEquals("[\"publishingPoints\"]", r.path("applied").toString(), r.toString());

        assertTrue(live.waitFor(15, TimeUnit.SECONDS), "the removed broadcast's player was ended: " + log(liveOut));
        assertEquals(0, live.exitValue(), "ended cleanly (EndOfStream): " + log(liveOut));
        assertEquals(fileFrames("audio.asf"), played(mmst(origin.mmsAddress(), "extra/clip.asf")), "the added point");
        ExternalTool.Result gone = ExternalTool.run(List.of("ffprobe", "-v", "error", mmst(origin.mmsAddress(),
                "live")), PLAYER_TIMEOUT);
        assertNotEquals(0, gone.exitCode(), "the removed point is gone: " + gone.describe());
        assertPlayedWhole(vod, vodOut, fileFrames("av.asf"), "a player of a point that stays");
    }

    @Test
    void aMovedListenerBindsItsNewPortBeforeTheOldOneCloses() throws Exception {
        int newPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            newPort = s.getLocalPort();
        }
        String yaml = """
                server: {bind: 127.0.0.1, port: %d, pacingSpeed: 1}
                status: {port: 0, adminToken: "%s"}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """;
        EdgeApplication origin = start("origin.yaml", yaml.formatted(0, TOKEN, Fixtures.mediaDir()));
        InetSocketAddress old = origin.mmsAddress();
        Path out = tmp.resolve("av.framemd5");
        Process player = ffmpeg(mmst(old, "av.asf"), out);

        Files.writeString(tmp.resolve("origin.yaml"), yaml.formatted(newPort, TOKEN, Fixtures.mediaDir()));
        JsonNode r = reload(origin, 200);
        assertEquals("[\"server.port\"]", r.path("applied").toString(), r.toString());
        assertEquals(newPort, origin.mmsAddress().getPort());
        assertThrows(ConnectException.class, () -> new Socket(old.getAddress(), old.getPort()).close(),
                "the old port is closed");
        assertEquals(fileFrames("audio.asf"), played(mmst(origin.mmsAddress(), "audio.asf")), "the new port serves");
        assertPlayedWhole(player, out, fileFrames("av.asf"), "a player connected to the old port");
    }

    /** True when the server closes or resets {@code s} within {@code millis}. */
    private static boolean closedWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            while (s.getInputStream().read() >= 0) {
                // what the server says before closing
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Test
    void newConnectionLimitsAndACacheQuotaApplyToWhatComesNext() throws Exception {
        String yaml = """
                server: {bind: 127.0.0.1, port: 0%s}
                status: {port: 0, adminToken: "%s"}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  cache: {size: %s}
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:1"]}
                """;
        EdgeApplication app = start("both.yaml", yaml.formatted("", TOKEN, Fixtures.mediaDir(), "8m"));
        InetSocketAddress mms = app.mmsAddress();
        assertEquals(8L << 20, app.cache().store().settings().diskQuotaBytes());
        try (Socket first = new Socket(mms.getAddress(), mms.getPort());
             Socket second = new Socket(mms.getAddress(), mms.getPort())) {
            assertFalse(closedWithin(second, 1000), "no per-address bound yet");
        }
        Files.writeString(tmp.resolve("both.yaml"), yaml.formatted(", limits: {maxConnectionsPerAddress: 1}", TOKEN,
                Fixtures.mediaDir(), "2m"));
        JsonNode r = reload(app, 200);
        assertEquals("[\"server.limits\",\"edge.cache.size\"]", r.path("applied").toString(), r.toString());
        assertEquals(2L << 20, app.cache().store().settings().diskQuotaBytes());
        // The connections of the test before may still count for a moment after they closed.
        long until = System.currentTimeMillis() + 10_000;
        boolean reset = false;
        while (!reset && System.currentTimeMillis() < until) {
            try (Socket first = new Socket(mms.getAddress(), mms.getPort());
                 Socket second = new Socket(mms.getAddress(), mms.getPort())) {
                reset = closedWithin(second, 2000) && !closedWithin(first, 200);
            }
        }
        assertTrue(reset, "a second connection from the address is reset under the reloaded bound");
    }

    @Test
    void theEndpointNeedsTheTokenAndAnInstanceWithoutAFileHasNothingToReload() throws Exception {
        EdgeApplication origin = start("origin.yaml", """
                server: {bind: 127.0.0.1, port: 0}
                status: {port: 0, adminToken: "%s"}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(TOKEN, Fixtures.mediaDir()));
        Files.writeString(tmp.resolve("origin.yaml"), "not: [valid");
        assertEquals(401, post(origin, "/admin/reload").statusCode(), "no token");
        assertEquals(401, post(origin, "/admin/reload", "Authorization", "Bearer wrong-token-wrong-token").statusCode());
        assertEquals(403, post(origin, "/admin/reload", "Authorization", "Bearer " + TOKEN, "Origin",
                "http://evil.example").statusCode(), "a cross-site request");
        assertEquals(422, post(origin, "/admin/reload", "Authorization", "Bearer " + TOKEN).statusCode(),
                "with the token the (broken) file is read");

        origin.reloadFrom(null);
        JsonNode r = reload(origin, 409);
        assertTrue(r.path("errors").get(0).path("message").asText().contains("nothing to reload"), r.toString());
    }
}
