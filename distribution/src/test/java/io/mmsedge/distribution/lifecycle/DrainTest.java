package io.mmsedge.distribution.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain and clean shutdown with a real ffmpeg (issue #15 "Graceful drain", #13: "when
 * the server shuts down, ffmpeg clients spin at 100% CPU"). A player must exit by itself, soon,
 * with status 0, whether its session is ended by a drain's deadline or by a plain shutdown, over
 * MMS/TCP, MMSH and through an edge's split.
 */
class DrainTest {

    private static final String TOKEN = "drain-test-admin-token-42";
    /** How long after its session is ended a player may take to exit. */
    private static final long EXIT_BOUND_MILLIS = 10_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;
    private final List<Process> players = new ArrayList<>();

    @AfterEach
    void killPlayers() {
        players.forEach(Process::destroyForcibly);
    }

    private static EdgeApplication start(String yaml) throws Exception {
        return EdgeApplication.start(ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test", Fixtures.mediaDir()), Fixtures.mediaDir());
    }

    /** An origin with a live point (av.asf looped), real time, the given drain deadline. */
    private static EdgeApplication origin(int drainSeconds) throws Exception {
        return start("""
                server: {bind: 127.0.0.1, port: 0, drainSeconds: %d}
                status: {port: 0, adminToken: "%s"}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(drainSeconds, TOKEN, Fixtures.mediaDir(), Fixtures.media("av.asf")));
    }

    /** ffmpeg playing {@code url} into a framemd5 file; returns once it has received frames. */
    private Process ffmpeg(String url, Path out) throws Exception {
        Players.require("ffmpeg");
        // -flush_packets: the framemd5 lines reach the file as the frames come, not in 32 KiB blocks.
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-i", url, "-map", "0", "-c", "copy",
                "-flush_packets", "1", "-f", "framemd5", out.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(out.getFileName() + ".log").toFile()).start();
        players.add(p);
        long deadline = System.currentTimeMillis() + 20_000;
        while (frames(out) < 20) {
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

    private static long frames(Path framemd5) throws IOException {
        if (!Files.exists(framemd5)) {
            return 0;
        }
        try (var lines = Files.lines(framemd5)) {
            return lines.filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        }
    }

    /** The player exits by itself within the bound, with status 0, and is no longer running. */
    private void assertExits(Process p, Path out, String what) throws Exception {
        boolean exited = p.waitFor(EXIT_BOUND_MILLIS, TimeUnit.MILLISECONDS);
        assertTrue(exited, what + ": ffmpeg still running (spinning on a dead session): " + tail(log(out)));
        assertFalse(p.isAlive());
        assertEquals(0, p.exitValue(), what + ": " + tail(log(out)));
    }

    private static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    private static HttpResponse<String> http(EdgeApplication app, String method, String path, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.statusAddress().getPort()
                + path)).timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDrainFailsReadinessRefusesNewPlayersAndEndsTheRestSoThatFfmpegExits() throws Exception {
        try (EdgeApplication app = origin(2)) {
            AtomicInteger drained = new AtomicInteger();
            app.onDrained(drained::incrementAndGet);
            Path out = tmp.resolve("live.framemd5");
            Process ffmpeg = ffmpeg("mmst://127.0.0.1:" + app.mmsAddress().getPort() + "/live", out);

            assertEquals(401, http(app, "POST", "/admin/drain").statusCode(), "a drain needs the token");
            assertEquals(200, http(app, "GET", "/health/ready").statusCode());
            HttpResponse<String> drain = http(app, "POST", "/admin/drain", "Authorization", "Bearer " + TOKEN);
            assertEquals(202, drain.statusCode(), drain.body());
            assertTrue(drain.body().contains("\"deadlineSeconds\" : 2"), drain.body());
            HttpResponse<String> ready = http(app, "GET", "/health/ready");
            assertEquals(503, ready.statusCode(), "not ready as soon as the drain starts: " + ready.body());
            assertEquals(200, http(app, "GET", "/health/live").statusCode(), "still live while draining");
            InetSocketAddress mms = app.mmsAddress();
            long refusedBy = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < refusedBy && accepts(mms)) {
                Thread.sleep(20);
            }
            assertThrows(ConnectException.class, () -> new Socket(mms.getAddress(), mms.getPort()).close(),
                    "a draining server accepts no new players");
            assertTrue(ffmpeg.isAlive(), "the broadcast player keeps playing until the deadline");

            int ended = app.drain("test").get(10, TimeUnit.SECONDS);
            assertEquals(1, ended, "the broadcast player was ended at the deadline");
            assertExits(ffmpeg, out, "MMS player ended by a drain");
            assertEquals(1, drained.get(), "the command line's exit ran once the drain was over");
        }
    }

    private static boolean accepts(InetSocketAddress a) {
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aSessionThatEndsBeforeTheDeadlineIsNotCut() throws Exception {
        try (EdgeApplication app = start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 4, drainSeconds: 60}
                status: {port: 0, adminToken: "%s"}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(TOKEN, Fixtures.mediaDir()))) {
            Path out = tmp.resolve("av.framemd5");
            Process ffmpeg = ffmpeg("mmst://127.0.0.1:" + app.mmsAddress().getPort() + "/av.asf", out);
            long started = System.nanoTime();
            int ended = app.drain("test").get(60, TimeUnit.SECONDS);
            assertEquals(0, ended, "the on-demand player finished by itself");
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(50), "the drain did not wait for the deadline");
            assertExits(ffmpeg, out, "on-demand player during a drain");
            String want = Players.framemd5(Fixtures.media("av.asf").toString()).stdoutText();
            assertEquals(Players.frameLines(want), Players.frameLines(Files.readString(out)),
                    "the player got the whole file");
        }
    }

    @Test
    void aShutdownStopsFfmpegOverMmsAndMmshAndThroughAnEdgesSplit() throws Exception {
        EdgeApplication origin = origin(30);
        boolean originClosed = false;
        try {
            EdgeApplication edge = start("""
                    edge:
                      bind: 127.0.0.1
                      port: 0
                      reverse:
                        - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                    """.formatted(origin.mmsAddress().getPort()));
            int o = origin.mmsAddress().getPort();
            int e = edge.edgeAddress().getPort();
            Path mmst = tmp.resolve("mmst.framemd5");
            Path mmsh = tmp.resolve("mmsh.framemd5");
            Path split = tmp.resolve("split.framemd5");
            Process a = ffmpeg("mmst://127.0.0.1:" + o + "/live", mmst);
            Process b = ffmpeg("mmsh://127.0.0.1:" + o + "/live", mmsh);
            Process c;
            try {
                c = ffmpeg("mmst://127.0.0.1:" + e + "/live", split);
            } finally {
                edge.close(); // a plain shutdown, no drain
            }
            assertExits(c, split, "MMS player of an edge's split at the edge's shutdown");
            assertTrue(a.isAlive() && b.isAlive(), "the origin's own players play on");
            origin.close();
            originClosed = true;
            assertExits(a, mmst, "MMS player at the origin's shutdown");
            assertExits(b, mmsh, "MMSH player at the origin's shutdown");
        } finally {
            if (!originClosed) {
                origin.close();
            }
        }
    }
}
