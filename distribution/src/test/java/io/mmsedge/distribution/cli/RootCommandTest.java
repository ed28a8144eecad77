package io.mmsedge.distribution.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.distribution.config.EdgeSection;
import io.mmsedge.distribution.config.ServerSection;
import io.mmsedge.fixtures.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as picocli reads it: help, version, errors naming the option, options as configuration. */
class RootCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RootCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static <T> T command(Class<T> type, String... args) {
        PrintStream discard = new PrintStream(java.io.OutputStream.nullOutputStream());
        CommandLine.ParseResult parsed = RootCommand.commandLine(discard, discard).parseArgs(args);
        return type.cast(parsed.subcommand().commandSpec().userObject());
    }

    @Test
    void originHelpPrintsItsOptions() {
        Run r = run("origin", "--help");
        assertEquals(0, r.code(), r.err());
        for (String option : List.of("--media=DIR", "--live=NAME=FILE.asf", "--port=PORT", "--bind=ADDR",
                "--status-port=PORT", "--pacing-speed=X", "--write-merge-ms=MS", "--help", "--version")) {
            assertTrue(r.out().contains(option), option + " in:\n" + r.out());
        }
        assertTrue(r.out().startsWith("Usage: mms-edge origin"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void edgeHelpPrintsItsOptions() {
        Run r = run("edge", "--help");
        assertEquals(0, r.code(), r.err());
        for (String option : List.of("--origin=mms://HOST[:PORT][/path]", "--forward", "--allow=HOSTPATTERN|CIDR",
                "--instance-id=ID", "--cache-dir=DIR", "--cache-size=SIZE", "--cache-memory=SIZE", "--port=PORT",
                "--bind=ADDR", "--status-port=PORT", "--pacing-speed=X", "--write-merge-ms=MS")) {
            assertTrue(r.out().contains(option), option + " in:\n" + r.out());
        }
        assertTrue(r.out().startsWith("Usage: mms-edge edge"), r.out());
    }

    @Test
    void everyCommandHasHelpAndTheTopLevelListsThem() {
        Run top = run("--help");
        assertEquals(0, top.code());
        for (String command : List.of("origin", "edge", "prestuff", "inspect", "passwd", "--config=FILE")) {
            assertTrue(top.out().contains(command), command + " in:\n" + top.out());
        }
        for (String command : List.of("prestuff", "inspect", "passwd")) {
            Run r = run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().startsWith("Usage: mms-edge " + command), r.out());
        }
        assertEquals(run("help", "origin").out(), run("origin", "--help").out());
    }

    @Test
    void versionIsTheApplicationVersion() {
        assertEquals("mms-edge " + EdgeApplication.VERSION, run("--version").out().trim());
        assertEquals("mms-edge " + EdgeApplication.VERSION, run("edge", "--version").out().trim());
    }

    @Test
    void aBadOptionIsNamedAndExitsWith2() {
        Run unknown = run("origin", "--media", ".", "--frobnicate", "1");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("'--frobnicate'"), unknown.err());
        assertTrue(unknown.err().contains("Usage: mms-edge origin"), "the command's usage follows: " + unknown.err());
        assertEquals("", unknown.out());

        Run badValue = run("edge", "--origin", "mms://h", "--status-port", "http");
        assertEquals(2, badValue.code());
        assertTrue(badValue.err().contains("--status-port") && badValue.err().contains("'http'"), badValue.err());

        Run missing = run("origin", "--media");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--media"), missing.err());

        Run speed = run("origin", "--media", ".", "--pacing-speed", "-1");
        assertEquals(2, speed.code());
        assertTrue(speed.err().contains("--pacing-speed") && speed.err().contains("must be >= 0"), speed.err());

        Run merge = run("edge", "--origin", "mms://h", "--write-merge-ms", "5000");
        assertEquals(2, merge.code());
        assertTrue(merge.err().contains("--write-merge-ms") && merge.err().contains("1000"), merge.err());

        Run live = run("origin", "--live", "bad name=x.asf");
        assertEquals(2, live.code());
        assertTrue(live.err().contains("--live") && live.err().contains("NAME=FILE.asf"), live.err());
    }

    @Test
    void edgeNeedsOriginsOrARestrictedForwardProxy() {
        Run none = run("edge", "--port", "0");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--origin"), none.err());
        Run open = run("edge", "--forward");
        assertEquals(2, open.code());
        assertTrue(open.err().contains("--allow"), open.err());
        // http:// is an origin URL now (MMSH origins): a scheme no origin can have.
        Run badOrigin = run("edge", "--origin", "ftp://x");
        assertEquals(2, badOrigin.code());
        assertTrue(badOrigin.err().contains("configuration error: command line: key 'edge.reverse[0].origins[0]'"),
                badOrigin.err());
        Run atFile = run("inspect", "@no-such-argument-file");
        assertEquals(1, atFile.code(), "an @name is a file to inspect, not an argument file: " + atFile.err());
        assertTrue(atFile.err().contains("cannot read @no-such-argument-file"), atFile.err());
        Run both = run("--config", "x.yaml", "inspect", "y.asf");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--config"), both.err());
    }

    @Test
    void originOptionsBecomeTheConfiguration() throws Exception {
        Path media = Fixtures.mediaDir();
        EdgeConfig cfg = command(OriginCommand.class, "origin", "--port", "0", "--media", media.toString(),
                "--live", "news=" + Fixtures.media("av.asf"), "--live", "talk=" + Fixtures.media("audio.asf"),
                "--status-port", "0", "--bind", "0.0.0.0", "--write-merge-ms", "20").config();
        assertEquals(new ServerSection("0.0.0.0", 0, null, null, null, null, null, null, null, 20, null, null, null), cfg.server());
        // The status listener keeps to loopback whatever --bind says (issue #17: admin endpoints).
        assertEquals(new EdgeConfig.StatusSection("127.0.0.1", 0), cfg.status());
        assertEquals(List.of(new EdgeConfig.DirectoryPoint("", media.toAbsolutePath().toString(), null, null),
                new EdgeConfig.BroadcastPoint("news", Fixtures.media("av.asf").toAbsolutePath().toString(), null,
                        null, null, null),
                new EdgeConfig.BroadcastPoint("talk", Fixtures.media("audio.asf").toAbsolutePath().toString(), null,
                        null, null, null)), cfg.publishingPoints());
        assertNull(cfg.edge());
        assertEquals(1755, command(OriginCommand.class, "origin", "--media", ".").config().server().port(),
                "the MMS port by default");
    }

    @Test
    void edgeOptionsBecomeTheConfiguration(@TempDir Path dir) throws Exception {
        EdgeConfig cfg = command(EdgeCommand.class, "edge", "--port", "0", "--origin", "mms://a:1755",
                "--origin", "mms://b", "--forward", "--allow", "*.example.com", "--instance-id", "edge-a",
                "--cache-dir", dir.toString(), "--cache-size", "2g", "--pacing-speed", "2").config();
        EdgeSection e = cfg.edge();
        assertEquals("127.0.0.1", e.bind());
        assertEquals(0, e.port());
        assertEquals(List.of(new EdgeConfig.ReverseConfig("", List.of("mms://a:1755", "mms://b"), null)), e.reverse());
        assertEquals(new EdgeConfig.ForwardConfig(true, List.of("*.example.com")), e.forward());
        assertEquals("edge-a", e.instanceId());
        assertEquals(new EdgeConfig.CacheConfig(true, dir.toAbsolutePath().toString(), "2g", null, null, null, null, null),
                e.cache());
        assertEquals(2.0, cfg.server().pacingSpeed());
        assertNull(cfg.server().port(), "the edge's own port is edge.port");
        assertTrue(cfg.publishingPoints().isEmpty());
        assertNull(cfg.status());
        EdgeConfig plain = command(EdgeCommand.class, "edge", "--origin", "mms://a").config();
        assertNull(plain.edge().cache(), "no --cache-* option, no cache");
        assertNull(plain.edge().forward());
        assertEquals(1755, plain.edge().port());
    }

    @Test
    void theEmbeddedDefaultIsTheShippedConfigurationOnTheBundledSamples() throws Exception {
        EdgeConfig cfg = RootCommand.embeddedDefault();
        Path samples = Path.of(assertInstanceOf(EdgeConfig.DirectoryPoint.class, cfg.publishingPoints().get(0)).path());
        assertTrue(java.nio.file.Files.isRegularFile(samples.resolve("av.asf")), samples.toString());
        assertEquals(1755, cfg.edge().port());
        assertEquals(1756, cfg.server().port());
        assertFalse(cfg.publishingPoints().isEmpty());
    }

    @Test
    void theShippedConfigurationFileRunsAsDocumentedWithTheBundledSamples() throws Exception {
        // java -jar mms-edge.jar --config conf/mms-edge.yaml, as the README says: ${samples} is the bundled media.
        Path file = Path.of(System.getProperty("mmsedge.rootDir", "..")).resolve("conf/mms-edge.yaml");
        EdgeConfig cfg = RootCommand.configFile(file);
        Path samples = Path.of(assertInstanceOf(EdgeConfig.DirectoryPoint.class, cfg.publishingPoints().get(0)).path());
        assertTrue(java.nio.file.Files.isDirectory(samples), samples.toString());
        assertTrue(java.nio.file.Files.isRegularFile(samples.resolve("av.asf")), samples.toString());
        for (String entry : assertInstanceOf(EdgeConfig.PlaylistPoint.class, cfg.publishingPoints().get(1)).entries()) {
            assertTrue(java.nio.file.Files.isRegularFile(Path.of(entry)), entry);
        }
        for (String f : assertInstanceOf(EdgeConfig.BroadcastPoint.class, cfg.publishingPoints().get(2)).files()) {
            assertTrue(java.nio.file.Files.isRegularFile(Path.of(f)), f);
        }
        // The publishing points build from it as they do at start-up (every path is checked there).
        try (var points = io.mmsedge.distribution.points.PublishingPoints.from(cfg, file.toAbsolutePath().getParent(),
                io.netty.buffer.ByteBufAllocator.DEFAULT)) {
            assertEquals(java.util.Set.of("", "playlist", "live"), java.util.Set.copyOf(points.names()));
        }
    }

    @Test
    void prestuffWithNoEdgeThereSaysWhyNotNull() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        Run r = run("prestuff", "--status", "127.0.0.1:" + closed, "av.asf");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("mms-edge: cannot reach the edge's status port 127.0.0.1:" + closed + ": "),
                r.err());
        assertFalse(r.err().contains("null"), r.err());
        assertTrue(r.err().contains("--status"), "says how to name another status port: " + r.err());
    }
}
