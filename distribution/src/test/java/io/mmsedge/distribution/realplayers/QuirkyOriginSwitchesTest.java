package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.QuirkyOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FFmpeg through the edge in front of the quirky origin's other switches (issue #13 §1): the
 * header in many small parts, and a server that accepts and never answers; the last also shows origin health (§2): the second open does not pay the dead origin's timeout.
 */
class QuirkyOriginSwitchesTest {

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    private static void assertPlaysTheFile(ExternalTool.Result r, String what) throws Exception {
        assertEquals(0, r.exitCode(), r.describe());
        Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")),
                Players.frameLines(r.stdoutText()), what);
    }

    /** An edge with the origins given (in order), a 2 s connect timeout and a status listener. */
    private static EdgeApplication edge(int... originPorts) throws Exception {
        StringBuilder origins = new StringBuilder();
        for (int p : originPorts) {
            origins.append(origins.length() == 0 ? "" : ", ").append("\"mms://127.0.0.1:").append(p).append('"');
        }
        return Players.start("""
                server: {pacingSpeed: 20, idleTimeoutSeconds: 10}
                status: {bind: 127.0.0.1, port: 0}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  connectTimeoutSeconds: 2
                  reverse:
                    - {prefix: "", origins: [%s]}
                """.formatted(origins));
    }

    @Test
    void aHeaderSplitIntoManySmallPartsPlaysThroughTheEdge() throws Exception {
        try (EdgeApplication origin = Players.origin(20);
             QuirkyOrigin quirky = new QuirkyOrigin(origin.mmsAddress());
             EdgeApplication edge = edge(quirky.address().getPort());
             LogCapture log = LogCapture.begin()) {
            quirky.headerPartBytes = 37;
            assertPlaysTheFile(Players.framemd5(Players.url(edge.edgeAddress(), "av.asf")),
                    "a header in 37-byte parts");
            // av.asf's header is some 740 bytes: 20 parts where the real server sends one.
            assertTrue(quirky.headerPartsSent.get() >= 15, "header parts sent: " + quirky.headerPartsSent.get());
            assertNotNull(log.await(2000, "upstream open to 127.0.0.1:" + quirky.address().getPort()),
                    "the relay names the origin: " + log.lines());
        }
    }

    @Test
    void anOriginThatAcceptsAndNeverAnswersEndsTheOpenWithinItsTimeout() throws Exception {
        try (QuirkyOrigin quirky = new QuirkyOrigin(new java.net.InetSocketAddress("127.0.0.1", 1));
             EdgeApplication edge = edge(quirky.address().getPort());
             LogCapture log = LogCapture.begin()) {
            quirky.blackhole = true;
            long t0 = System.nanoTime();
            ExternalTool.Result r = Players.framemd5(Players.url(edge.edgeAddress(), "av.asf"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertNotEquals(0, r.exitCode(), "the player got an error, not media: " + r.describe());
            assertTrue(ms <= 2000 + 2000, "the player's open ended " + ms + " ms after it began (connect"
                    + " timeout 2 s + 2 s)");
            assertNotNull(log.await(2000, "WARN", "origin 127.0.0.1:" + quirky.address().getPort() + " failed",
                    "no ReportConnectedEX"), "the reason is logged, naming the origin: " + log.lines());
        }
    }

    @Test
    void theSecondOpenSkipsAnOriginThatIsDownAndTheStatusShowsIt() throws Exception {
        try (EdgeApplication origin = Players.origin(20);
             QuirkyOrigin quirky = new QuirkyOrigin(origin.mmsAddress());
             EdgeApplication edge = edge(quirky.address().getPort(), origin.mmsAddress().getPort());
             LogCapture log = LogCapture.begin()) {
            quirky.blackhole = true;
            String dead = "127.0.0.1:" + quirky.address().getPort();
            String failedLine = "origin " + dead + " failed";
            assertPlaysTheFile(Players.framemd5(Players.url(edge.edgeAddress(), "av.asf")),
                    "the first player, after failing over");
            assertNotNull(log.await(2000, "WARN", "origin " + dead + " marked down"), log.lines().toString());
            assertEquals(1, log.lines().stream().filter(l -> l.contains(failedLine)).count());

            long t0 = System.nanoTime();
            assertPlaysTheFile(Players.framemd5(Players.url(edge.edgeAddress(), "av.asf")),
                    "the second player, straight to the live origin");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(1, log.lines().stream().filter(l -> l.contains(failedLine)).count(),
                    "the second open did not try the dead origin (" + ms + " ms): " + log.lines());

            String status = get(edge, "/status");
            assertTrue(status.matches("(?s).*\"origin\" : \"" + dead + "\",\\s*\"up\" : false.*"), status);
            String metrics = get(edge, "/metrics");
            assertTrue(metrics.contains("mmsedge_origin_up{origin=\"" + dead + "\",} 0.0")
                    || metrics.contains("mmsedge_origin_up{origin=\"" + dead + "\"} 0.0"), metrics);
            assertTrue(metrics.matches("(?s).*mmsedge_origin_down_total\\{origin=\"" + dead + "\",?} 1\\.0.*"),
                    metrics);
        }
    }

    private static String get(EdgeApplication app, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + app.statusAddress().getPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }
}
