package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Access rules from the configuration on a running origin and edge: the edge listener's deny
 * list, a reverse prefix's player limit with a type 2 redirect to a sibling, another prefix's
 * limit answered with 503 over MMSH, and the refusals in /metrics.
 */
class EdgeAccessTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<MmsTestClient> clients = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (MmsTestClient c : clients) {
            c.close();
        }
    }

    private static EdgeApplication start(String yaml) throws Exception {
        return EdgeApplication.start(ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test", Fixtures.mediaDir()), Fixtures.mediaDir());
    }

    private MmsTestClient player(EdgeApplication edge, String from) throws Exception {
        MmsTestClient c = MmsTestClient.connectFrom(edge.edgeAddress(), InetAddress.getByName(from), WAIT);
        clients.add(c);
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        return c;
    }

    @Test
    void theEdgesRulesComeFromTheConfiguration() throws Exception {
        try (EdgeApplication origin = start("""
                server: {bind: 127.0.0.1, port: 0}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir()));
             EdgeApplication edge = start("""
                     status: {port: 0}
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       access: {deny: ["127.0.0.2"]}
                       reverse:
                         - prefix: vip
                           origins: ["mms://127.0.0.1:%1$d"]
                           access: {maxPlayers: 1, redirect: "mms://edge-b.example:1755"}
                         - prefix: cap
                           origins: ["mms://127.0.0.1:%1$d"]
                           access: {maxPlayers: 1}
                         - prefix: ""
                           origins: ["mms://127.0.0.1:%1$d"]
                     """.formatted(origin.mmsAddress().getPort()))) {
            assertEquals(Hresults.E_ACCESS_DENIED, player(edge, "127.0.0.2").open("av.asf").hr());
            assertEquals(Hresults.S_OK, player(edge, "127.0.0.3").open("av.asf").hr());

            assertEquals(Hresults.S_OK, player(edge, "127.0.0.3").open("vip/av.asf").hr());
            MmsTestClient second = player(edge, "127.0.0.4");
            second.send(new OpenFile(1, 0, 0, "vip/av.asf", new byte[0]));
            ReportRedirect rd = second.expect(ReportRedirect.class);
            assertEquals(2, rd.redirectType());
            assertEquals("mms://edge-b.example:1755", rd.location());
            assertTrue(second.closedByServer());

            // MMSH at a limit without a redirect: 503, as WMS answers an HTTP player it can't take.
            assertEquals(Hresults.S_OK, player(edge, "127.0.0.3").open("cap/av.asf").hr());
            HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
            HttpResponse<String> busy = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + edge.edgeAddress().getPort() + "/cap/av.asf")).header("User-Agent", "NSPlayer/9.0.0.2980")
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, busy.statusCode(), busy.body());

            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + edge.statusAddress().getPort() + "/metrics")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("mmsedge_errors_total{reason=\"access_denied\"} 1.0"), metrics);
            assertTrue(metrics.contains("mmsedge_errors_total{reason=\"access_max_players\"} 2.0"), metrics);
        }
    }
}
