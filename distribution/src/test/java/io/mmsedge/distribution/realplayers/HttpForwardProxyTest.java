package io.mmsedge.distribution.realplayers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A player whose HTTP proxy is the edge: FFmpeg's {@code http_proxy} makes it send
 * {@code GET http://origin:port/path} to the edge, which serves it in forward mode under the
 * allow rules, going upstream over MMSH with a Via header; a request for a host no rule allows
 * gets a 403 and the origin is never contacted (not an open relay).
 */
class HttpForwardProxyTest {

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    @Test
    void ffmpegThroughTheEdgeAsItsHttpProxyPlaysTheFileFrameForFrame() throws Exception {
        try (EdgeApplication origin = CacheRig.start("""
                server: {bind: 127.0.0.1, port: 0, http: 0, pacingSpeed: 20, idleTimeoutSeconds: 30}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir()), Fixtures.mediaDir());
             EdgeApplication edge = forwardEdge("127.0.0.1:*")) {
            String url = "mmsh://127.0.0.1:" + origin.mmsHttpAddress().getPort() + "/av.asf";
            ExternalTool.Result r = ExternalTool.run(viaProxy(edge, List.of("ffmpeg", "-nostdin", "-v", "error", "-i",
                    url, "-map", "0", "-c", "copy", "-f", "framemd5", "-")), Players.PLAYER_TIMEOUT);
            assertEquals(0, r.exitCode(), r.describe());
            Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")),
                    Players.frameLines(r.stdoutText()), "av.asf through the edge as HTTP proxy");
            double forwarded = edge.registry().find("mmsedge.upstream.sessions.opened").counters().stream()
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
            assertTrue(forwarded > 0, "the edge went upstream for the player");
        }
    }

    @Test
    void theEdgeNamesItselfUpstreamWithViaHostAndAnNsPlayerAgent() throws Exception {
        WireMockServer origin = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1")
                .dynamicPort());
        origin.start();
        try (EdgeApplication edge = forwardEdge("127.0.0.1:*")) {
            origin.stubFor(get(urlPathEqualTo("/gone.asf")).willReturn(aResponse().withStatus(404)));
            String status = rawProxyRequest(edge, "http://127.0.0.1:" + origin.port() + "/gone.asf");
            assertTrue(status.startsWith("HTTP/1.0 404") || status.startsWith("HTTP/1.1 404"), status);
            List<LoggedRequest> seen = origin.findAll(getRequestedFor(urlPathEqualTo("/gone.asf")));
            assertEquals(1, seen.size());
            LoggedRequest d = seen.get(0);
            assertTrue(d.getHeader("Via").matches("1\\.0 mms-edge \\(mms-edge/[^ ]+\\+fwd\\)"), d.getHeader("Via"));
            assertEquals("127.0.0.1:" + origin.port(), d.getHeader("Host"));
            assertTrue(d.getHeader("User-Agent").startsWith("NSPlayer/"), d.getHeader("User-Agent"));
            assertTrue(d.getHeaders().getHeader("Pragma").values().stream().anyMatch(v -> v.contains("xClientGUID={")),
                    d.getHeaders().getHeader("Pragma").values().toString());
        } finally {
            origin.stop();
        }
    }

    @Test
    void aHostNoRuleAllowsGets403AndTheOriginIsNeverContacted() throws Exception {
        WireMockServer origin = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1")
                .dynamicPort());
        origin.start();
        try (EdgeApplication edge = forwardEdge("media.example.com")) {
            String status = rawProxyRequest(edge, "http://127.0.0.1:" + origin.port() + "/av.asf");
            assertTrue(status.startsWith("HTTP/1.0 403") || status.startsWith("HTTP/1.1 403"), status);
            assertEquals(0, origin.getAllServeEvents().size(), "not an open relay");
            assertEquals(1.0, edge.registry().find("mmsedge.denials").tag("reason", "forward_not_allowed")
                    .counter().count());
        } finally {
            origin.stop();
        }
    }

    private static EdgeApplication forwardEdge(String allow) throws Exception {
        return CacheRig.start("""
                server: {idleTimeoutSeconds: 30}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  http: 0
                  instanceId: fwd
                  connectTimeoutSeconds: 2
                  forward:
                    enabled: true
                    allow: ["%s"]
                """.formatted(allow), Fixtures.mediaDir());
    }

    /** FFmpeg's HTTP layer takes its proxy from http_proxy (and skips it for no_proxy hosts). */
    private static List<String> viaProxy(EdgeApplication edge, List<String> command) {
        List<String> c = new ArrayList<>(List.of("env", "-u", "no_proxy", "-u", "NO_PROXY",
                "http_proxy=http://127.0.0.1:" + edge.edgeHttpAddress().getPort()));
        c.addAll(command);
        return c;
    }

    /** A Describe as a proxy-configured player sends it; returns the status line. */
    private static String rawProxyRequest(EdgeApplication edge, String absoluteUri) throws Exception {
        try (Socket s = new Socket("127.0.0.1", edge.edgeHttpAddress().getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            String host = absoluteUri.substring(7, absoluteUri.indexOf('/', 7));
            out.write(("GET " + absoluteUri + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: NSPlayer/9.0.0.2980\r\n"
                    + "Pragma: xClientGUID={3300AD50-2C39-46c0-AE0A-5A4AB0B2B0F1}\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            return line.toString().strip();
        }
    }
}
