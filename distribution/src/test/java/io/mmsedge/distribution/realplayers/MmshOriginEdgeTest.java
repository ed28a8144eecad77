package io.mmsedge.distribution.realplayers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.auth.PasswordHash;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge without a cache (every player relayed) in front of MMSH origins: failover between a
 * rule's origins, HTTP redirects followed with loop detection, and Basic authentication relayed
 * so that the player gets the origin's own challenge.
 */
class MmshOriginEdgeTest {

    private static final String PASSWORD = "s3cret-Pa55";

    @TempDir
    Path tmp;

    @BeforeAll
    static void players() {
        Players.require("ffmpeg");
    }

    @Test
    void aDeadFirstOriginFailsOverToTheNextAndTheRelayIsTheFile() throws Exception {
        int dead = closedPort();
        try (EdgeApplication origin = origin("");
             EdgeApplication edge = edge("\"http://127.0.0.1:" + dead + "\", \"http://127.0.0.1:"
                     + origin.mmsHttpAddress().getPort() + "\"")) {
            assertPlaysTheFile(edge, "mbr.asf");
        }
    }

    @Test
    void aRedirectIsFollowedAndALoopEndsTheOpen() throws Exception {
        WireMockServer redirector = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1")
                .dynamicPort());
        redirector.start();
        try (EdgeApplication origin = origin("");
             EdgeApplication edge = edge("\"mmsh://127.0.0.1:" + redirector.port() + "\"")) {
            redirector.stubFor(get(urlPathEqualTo("/av.asf")).willReturn(aResponse().withStatus(302)
                    .withHeader("Location", "http://127.0.0.1:" + origin.mmsHttpAddress().getPort() + "/av.asf")));
            assertPlaysTheFile(edge, "av.asf");

            redirector.stubFor(get(urlPathEqualTo("/loop.asf")).willReturn(aResponse().withStatus(301)
                    .withHeader("Location", "/loop.asf")));
            String status = request(edge.edgeHttpAddress().getPort(), "/loop.asf", null).split("\r\n")[0];
            assertTrue(status.contains(" 502 ") || status.contains(" 500 "), status);
            assertEquals(1, redirector.findAll(getRequestedFor(urlPathEqualTo("/loop.asf"))).size(),
                    "a redirect back to the same URL is a loop, not followed again");
        } finally {
            redirector.stop();
        }
    }

    @Test
    void theOriginsBasicChallengeReachesThePlayerAndOnlyGoodCredentialsPlay() throws Exception {
        Path users = Files.createDirectories(tmp.resolve("auth")).resolve("users.txt");
        Files.writeString(users, "alice:" + PasswordHash.hash(PASSWORD.toCharArray()) + "\n");
        String points = """
                  - name: vip
                    type: directory
                    path: "%s"
                    auth: {realm: "VIP", usersFile: "%s"}
                """.formatted(Fixtures.mediaDir(), users);
        try (EdgeApplication origin = origin(points);
             EdgeApplication edge = edge("\"http://127.0.0.1:" + origin.mmsHttpAddress().getPort() + "\"")) {
            int port = edge.edgeHttpAddress().getPort();
            String none = request(port, "/vip/av.asf", null);
            assertTrue(none.startsWith("HTTP/1.0 401") || none.startsWith("HTTP/1.1 401"), none);
            assertTrue(none.contains("realm=\"VIP\""), "the origin's realm reaches the player: " + none);
            String wrong = request(port, "/vip/av.asf", basic("alice", "nope"));
            assertTrue(wrong.startsWith("HTTP/1.0 401") || wrong.startsWith("HTTP/1.1 401"), wrong);
            String good = request(port, "/vip/av.asf", basic("alice", PASSWORD));
            assertTrue(good.startsWith("HTTP/1.0 200") || good.startsWith("HTTP/1.1 200"), good);
            assertTrue(good.contains("application/vnd.ms.wms-hdr.asfv1"), good);
            String again = request(port, "/vip/av.asf", null);
            assertTrue(again.startsWith("HTTP/1.0 401") || again.startsWith("HTTP/1.1 401"),
                    "a player without credentials after an authorized one is still challenged: " + again);
        }
    }

    private static void assertPlaysTheFile(EdgeApplication edge, String fixture) throws Exception {
        ExternalTool.Result r = Players.framemd5("mmsh://127.0.0.1:" + edge.edgeHttpAddress().getPort() + "/" + fixture);
        assertEquals(0, r.exitCode(), r.describe());
        Players.assertSameFrames(Players.frameLines(Players.fileFramemd5(fixture)), Players.frameLines(r.stdoutText()),
                fixture + " relayed from an MMSH origin");
    }

    private static EdgeApplication origin(String points) throws Exception {
        return CacheRig.start("""
                server: {bind: 127.0.0.1, port: 0, http: 0, pacingSpeed: 20, idleTimeoutSeconds: 30}
                publishingPoints:
                %s  - {name: "", type: directory, path: "%s"}
                """.formatted(points, Fixtures.mediaDir()), Fixtures.mediaDir());
    }

    private static EdgeApplication edge(String origins) throws Exception {
        return CacheRig.start("""
                server: {pacingSpeed: 20, idleTimeoutSeconds: 30}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  http: 0
                  connectTimeoutSeconds: 2
                  reverse:
                    - {prefix: "", origins: [%s]}
                """.formatted(origins), Fixtures.mediaDir());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** An MMSH Describe as a player sends it; the response head (and what body came), as text. */
    private static String request(int port, String path, String authorization) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port
                    + "\r\nUser-Agent: NSPlayer/9.0.0.2980\r\nPragma: xClientGUID={3300AD50-2C39-46c0-AE0A-5F2B9D1C0A11}\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] b = new byte[8192];
            int n;
            while ((n = in.read(b)) > 0 && out.size() < 1 << 20) {
                out.write(b, 0, n);
            }
            String text = out.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            assertNotEquals(-1, end, "a complete response head: " + text);
            return text.substring(0, end + 2);
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
