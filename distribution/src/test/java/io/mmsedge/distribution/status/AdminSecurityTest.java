package io.mmsedge.distribution.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status listener's admin security (issue #15 "Admin security", #17 finding 6): open read
 * endpoints, a bearer token for everything else, refused and logged without it, no cross-site
 * requests, bounded requests and prestuffs, a loopback address of its own.
 */
class AdminSecurityTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    private static HttpResponse<String> send(EdgeApplication app, String method, String path, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.statusAddress().getPort()
                + path)).timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String[] TOKEN = {"Authorization", "Bearer " + CacheRig.ADMIN_TOKEN};

    @Test
    void readEndpointsAreOpenAndEverythingElseNeedsTheToken() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n");
             LogCapture log = LogCapture.begin()) {
            EdgeApplication edge = rig.edge();
            for (String open : new String[] {"/metrics", "/status", "/health/live", "/health/ready"}) {
                assertEquals(200, send(edge, "GET", open).statusCode(), open);
            }
            String invalidate = "/cache/invalidate?url=mms://127.0.0.1/av.asf";
            HttpResponse<String> none = send(edge, "POST", invalidate);
            assertEquals(401, none.statusCode(), none.body());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), none.headers()
                    .toString());
            assertEquals(401, send(edge, "POST", invalidate, "Authorization", "Bearer wrong-token-0123456789")
                    .statusCode());
            assertEquals(401, send(edge, "GET", "/cache").statusCode(), "the cache listing is the admin's too");
            assertEquals(401, send(edge, "POST", "/admin/drain").statusCode());
            assertEquals(401, send(edge, "POST", "/cache/prestuff?target=av.asf").statusCode());
            assertNotNull(log.await(2000, "admin request refused", "path=/cache/invalidate", "no bearer token"),
                    "refusals are logged with peer, path and reason");
            assertNotNull(log.await(2000, "admin request refused", "wrong bearer token"));

            HttpResponse<String> ok = send(edge, "POST", invalidate, TOKEN);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(200, send(edge, "GET", "/cache", TOKEN).statusCode());
            assertTrue(edge.draining() == false, "nothing drained by the refused POST /admin/drain");
        }
    }

    @Test
    void crossSiteRequestsAreRefusedEvenWithTheToken() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n")) {
            EdgeApplication edge = rig.edge();
            String invalidate = "/cache/invalidate?url=mms://127.0.0.1/av.asf";
            HttpResponse<String> evil = send(edge, "POST", invalidate, "Origin", "http://evil.example",
                    TOKEN[0], TOKEN[1]);
            assertEquals(403, evil.statusCode(), evil.body());
            assertTrue(evil.body().contains("cross-site"), evil.body());
            assertEquals(403, send(edge, "POST", invalidate, "Origin", "null", TOKEN[0], TOKEN[1]).statusCode());
            // A page of the listener itself (same origin) may.
            String self = "http://127.0.0.1:" + edge.statusAddress().getPort();
            assertEquals(200, send(edge, "POST", invalidate, "Origin", self, TOKEN[0], TOKEN[1]).statusCode());
        }
    }

    @Test
    void withoutAConfiguredTokenTheAdminEndpointsRefuseEveryone() throws Exception {
        // Port 0: the default 1755 may be taken by another test's server or a real one.
        String yaml = """
                server: {port: 0}
                status: {port: 0}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir());
        try (EdgeApplication app = EdgeApplication.start(ConfigLoader.load(new ByteArrayInputStream(
                yaml.getBytes(StandardCharsets.UTF_8)), "test", Fixtures.mediaDir()), Fixtures.mediaDir())) {
            assertEquals("127.0.0.1", app.statusAddress().getAddress().getHostAddress(),
                    "the status listener defaults to loopback");
            HttpResponse<String> r = send(app, "POST", "/admin/drain", "Authorization", "Bearer anything-at-all-here");
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(r.body().contains(AdminAccess.TOKEN_ENV), r.body());
            assertEquals(200, send(app, "GET", "/health/ready").statusCode());
        }
    }

    @Test
    void requestBodiesAreBounded() throws Exception {
        try (CacheRig rig = new CacheRig(tmp, 0, 0, "    size: 16m\n")) {
            HttpRequest big = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.edge().statusAddress().getPort()
                    + "/cache/invalidate?url=x")).header(TOKEN[0], TOKEN[1])
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[StatusServer.DEFAULT_MAX_REQUEST_BYTES + 1]))
                    .timeout(Duration.ofSeconds(10)).build();
            assertEquals(413, HTTP.send(big, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aFailedPrestuffTargetIsNotOpenedAgainAtOnceAndPrestuffsAreBounded() throws Exception {
        // A slow origin (real time, fills at its pace) keeps a prestuff filling for seconds.
        try (CacheRig rig = new CacheRig(tmp, 1.0, 0, "    size: 16m\n    fillSpeed: 1\n")) {
            EdgeApplication edge = rig.edge();
            double opensBefore = originOpenFailures(rig);
            String id = json(send(edge, "POST", "/cache/prestuff?target=missing-a.asf", TOKEN), 202).path("id").asText();
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline
                    && !send(edge, "GET", "/cache/prestuff?id=" + id, TOKEN).body().contains("\"failed\"")) {
                Thread.sleep(50);
            }
            double opensAfterFirst = originOpenFailures(rig);
            assertTrue(opensAfterFirst > opensBefore, "the first try reached the origin");
            for (int i = 0; i < 5; i++) {
                var again = json(send(edge, "POST", "/cache/prestuff?target=missing-a.asf", TOKEN), 202);
                assertEquals("failed", again.path("state").asText(), again.toString());
                assertTrue(again.path("error").asText().contains("not retried"), again.toString());
            }
            assertEquals(opensAfterFirst, originOpenFailures(rig), "remembered failures open nothing at the origin");

            int refused = 0;
            for (String target : new String[] {"av.asf", "audio.asf", "indexed.asf", "mbr.asf", "padded.asf"}) {
                refused += send(edge, "POST", "/cache/prestuff?target=" + target, TOKEN).statusCode() == 429 ? 1 : 0;
            }
            assertEquals(1, refused, "status.maxPrestuffs (default 4) refuses the fifth prestuff while four fill");
        }
    }

    /** Opens the origin refused (the missing file): each is one origin open. */
    private static double originOpenFailures(CacheRig rig) {
        var c = rig.origin().registry().find("mmsedge.errors").tag("reason", "open_failed").counter();
        return c == null ? 0 : c.count();
    }

    private static com.fasterxml.jackson.databind.JsonNode json(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }
}
