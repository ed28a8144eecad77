package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mmsedge.fixtures.client.MmsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics (Prometheus) and /status (JSON) reflect real sessions. */
class StatusEndpointTest {

    private static String get(EdgeApplication app, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + app.statusAddress().getPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    private static double metric(String text, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), "no metric " + regex + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsAndStatusCountSessionsPacketsBytesAndErrors() throws Exception {
        try (EdgeApplication app = TestServers.origin(0)) {
            try (MmsTestClient c = MmsTestClient.connect(app.mmsAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                c.open("audio.asf");
                c.readHeader(2);
                c.selectStreams(1);
                c.startPlaying(0, 4);
                MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
                assertTrue(r.packets.size() > 0);

                String status = get(app, "/status");
                JsonNode j = new ObjectMapper().readTree(status);
                assertEquals("mms-edge", j.get("product").asText());
                assertEquals(1, j.get("sessionsByState").get("READY").asInt(), status);
                assertEquals(1, j.get("publishingPoints").get("/").asInt(), status);

                String m = get(app, "/metrics");
                assertEquals(r.packets.size(),
                        (long) metric(m, "mmsedge_data_packets_sent_total\\{kind=\"media\",?\\}"));
                assertTrue(metric(m, "mmsedge_data_packets_sent_total\\{kind=\"header\",?\\}") >= 1);
                long bytes = r.packets.stream().mapToLong(d -> d.payload().length + 8).sum();
                assertTrue(metric(m, "mmsedge_pp_bytes_sent_bytes_total\\{publishing_point=\"/\",?\\}") >= bytes);
                assertEquals(1, (long) metric(m, "mmsedge_sessions\\{state=\"READY\",?\\}"));
                assertEquals(0, (long) metric(m, "mmsedge_sessions\\{state=\"AWAIT_CONNECT\",?\\}"));
                assertEquals(1, (long) metric(m, "mmsedge_pp_sessions_opened_total\\{publishing_point=\"/\",?\\}"));
            }
            // a refused open is counted by reason
            try (MmsTestClient c = MmsTestClient.connect(app.mmsAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                assertTrue(c.open("missing.asf").hr() < 0);
            }
            String after = get(app, "/metrics");
            assertEquals(1, (long) metric(after, "mmsedge_errors_total\\{reason=\"open_failed\",?\\}"));
            long deadline = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < deadline
                    && metric(get(app, "/metrics"), "mmsedge_sessions\\{state=\"READY\",?\\}") != 0) {
                Thread.sleep(20);
            }
            assertEquals(0, (long) metric(get(app, "/metrics"), "mmsedge_sessions\\{state=\"READY\",?\\}"),
                    "closed sessions leave the gauge");
        }
    }

    @Test
    void broadcastSubscribersAreAGaugePerBroadcast() throws Exception {
        try (EdgeApplication app = EdgeApplication.start(Main.originConfig(new String[] {"origin", "--port", "0",
                "--status-port", "0", "--pacing-speed", "10", "--live",
                "live=" + io.mmsedge.fixtures.Fixtures.media("av.asf")}), io.mmsedge.fixtures.Fixtures.mediaDir())) {
            String gauge = "mmsedge_broadcast_subscribers\\{broadcast=\"live\",?\\}";
            try (MmsTestClient c = MmsTestClient.connect(app.mmsAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                assertEquals(0, c.open("live").hr());
                c.readHeader(2);
                c.selectStreams(1, 2);
                c.startPlaying(0, 4);
                c.nextAnsweringPings();
                assertEquals(1, (long) metric(get(app, "/metrics"), gauge));
            }
            long deadline = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < deadline && metric(get(app, "/metrics"), gauge) != 0) {
                Thread.sleep(20);
            }
            assertEquals(0, (long) metric(get(app, "/metrics"), gauge), "a player that left is no longer counted");
        }
    }
}
