package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The command line: inspect, usage errors, configuration errors. */
class MainTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static java.util.List<String> fixtures() {
        return Fixtures.ALL;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void inspectPrintsTheFileSummaryAsJson(String name) throws Exception {
        Path file = Fixtures.media(name);
        Run r = run("inspect", file.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        try (AsfFile f = AsfFile.open(file)) {
            assertEquals(f.packetSize(), j.get("packetSize").asInt());
            assertEquals(f.packetCount(), j.get("packetCount").asLong());
            assertEquals(f.header().fileHeaderSize(), j.get("headerSize").asInt());
            assertEquals(f.header().durationSeconds(), j.get("durationSeconds").asDouble(), 1e-6);
            assertEquals(f.header().streams().size(), j.get("streams").size());
            long sum = 0;
            for (JsonNode s : j.get("streams")) {
                assertTrue(s.get("number").asInt() > 0);
                assertTrue(s.get("type").asText().matches("AUDIO|VIDEO|COMMAND|OTHER|audio|video|command|other"),
                        s.toString());
                assertTrue(!s.get("codec").asText().isEmpty());
                assertTrue(s.get("bitrate").asLong() > 0, "every stream has a bit rate: " + s);
                sum += s.get("bitrate").asLong();
            }
            assertEquals(sum, j.get("totalBitrate").asLong());
        }
    }

    @Test
    void inspectRejectsNonAsfInputWithAClearErrorAndNonZeroStatus(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.asf");
        Files.writeString(junk, "this is not an ASF file, just some text long enough to be read");
        Run r = run("inspect", junk.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("junk.asf") && r.err().contains("not a valid ASF file"), r.err());
        assertEquals("", r.out());

        Run missing = run("inspect", dir.resolve("missing.asf").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("missing.asf"), missing.err());
    }

    @Test
    void usageErrorsExitWithStatus2() {
        assertEquals(2, run("frobnicate").code());
        Run r = run("origin", "--port", "1755");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--media is required"), r.err());
        Run bad = run("origin", "--port", "99999", "--media", ".");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--port"), bad.err());
    }

    @Test
    void badConfigurationNamesTheKey(@TempDir Path dir) throws Exception {
        Path media = Fixtures.mediaDir();
        String[][] cases = {
            {"server:\n  prot: 1755\npublishingPoints:\n  - {name: a, type: directory, path: \"" + media + "\"}\n", "server.prot"},
            {"server:\n  port: 70000\npublishingPoints:\n  - {name: a, type: directory, path: \"" + media + "\"}\n", "server.port"},
            {"server:\n  port: abc\n", "server.port"},
            {"publishingPoints:\n  - {name: a, type: movie, path: x}\n", "publishingPoints[0].type"},
            {"publishingPoints:\n  - {name: a, type: directory}\n", "publishingPoints[0].path"},
            {"publishingPoints:\n  - {name: a, type: directory, path: \"" + media + "\"}\n  - {name: a, type: directory, path: \"" + media + "\"}\n", "publishingPoints[1].name"},
            {"publishingPoints:\n  - {name: p, type: playlist, entries: [missing.asf]}\n", "publishingPoints[0].entries[0]"},
            {"publishingPoints:\n  - {name: d, type: directory, path: /no/such/dir}\n", "publishingPoints[0].path"},
            {"server:\n  pacingSpeed: -1\npublishingPoints:\n  - {name: a, type: directory, path: \"" + media + "\"}\n", "server.pacingSpeed"},
            {"server:\n  keepAliveSeconds: 2\npublishingPoints:\n  - {name: a, type: directory, path: \"" + media + "\"}\n", "server.keepAliveSeconds"},
            {"publishingPoints: []\n", "publishingPoints"},
            {"publishingPoints:\n  - {name: l, type: broadcast}\n", "publishingPoints[0].path"},
            {"publishingPoints:\n  - {name: \"\", type: broadcast, path: x.asf}\n", "publishingPoints[0].name"},
            {"publishingPoints:\n  - {name: l, type: broadcast, path: /no/such.asf}\n", "publishingPoints[0].path"},
            {"publishingPoints:\n  - {name: l, type: directory, path: \"" + media + "\", maxLagSeconds: 3}\n", "publishingPoints[0].maxLagSeconds"},
            {"edge:\n  port: 0\n  reverse: [{prefix: \"\", origins: [\"mms://127.0.0.1:1\"]}]\n  cache: {fillSpeed: 0.5}\n", "edge.cache.fillSpeed"},
            {"edge:\n  port: 0\n  reverse: [{prefix: \"\", origins: [\"mms://127.0.0.1:1\"]}]\n  cache: {trustSeconds: -1}\n", "edge.cache.trustSeconds"},
            {"server:\n  writeMergeMillis: 5000\npublishingPoints:\n  - {name: a, type: directory, path: \"" + media + "\"}\n", "server.writeMergeMillis"},
        };
        for (String[] c : cases) {
            Path cfg = dir.resolve("c.yaml");
            Files.writeString(cfg, c[0]);
            Run r = run("--config", cfg.toString());
            assertEquals(2, r.code(), "config error must stop startup: " + c[0]);
            assertTrue(r.err().contains("configuration error") && r.err().contains("'" + c[1]),
                    "message should name key " + c[1] + ": " + r.err());
        }
    }

    @Test
    void aPortInUseNamesTheListenerAndTheAddress(@TempDir Path dir) throws Exception {
        String media = Fixtures.mediaDir().toString();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            int p = taken.getLocalPort();
            String points = "publishingPoints:\n  - {name: a, type: directory, path: \"" + media + "\"}\n";
            String edge = "edge:\n  port: %s\n  http: %s\n  reverse: [{prefix: \"\", origins: [\"mms://127.0.0.1:1\"]}]\n";
            String[][] cases = {
                {"server: {port: " + p + "}\n" + points, "origin MMS", "server.port"},
                {"server: {port: 0, http: " + p + "}\n" + points, "origin HTTP", "server.http"},
                {edge.formatted(p, "null"), "edge MMS", "edge.port"},
                {edge.formatted(0, p), "edge HTTP", "edge.http"},
                {"server: {port: 0}\n" + points + "status: {port: " + p + "}\n", "status", "status.port"},
            };
            for (String[] c : cases) {
                Path cfg = dir.resolve("c.yaml");
                Files.writeString(cfg, c[0]);
                Run r = run("--config", cfg.toString());
                assertEquals(2, r.code(), "a port in use stops start-up as a configuration error: " + r.err());
                assertTrue(r.err().contains("the " + c[1] + " listener") && r.err().contains("127.0.0.1:" + p)
                        && r.err().contains("'" + c[2] + "'"), c[1] + " listener and address: " + r.err());
                assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"), "no stack trace: " + r.err());
            }
        }
    }

    @Test
    void aMissingConfigurationFileIsSaidOnce(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");
        Run r = run("--config", missing.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("mms-edge: configuration error: configuration file " + missing + " does not exist",
                r.err().trim());
    }
}
