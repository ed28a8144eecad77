package io.mmsedge.distribution.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drain with {@code server.drainRedirect}: at its start the broadcast players are sent to the
 * sibling with a type 2 redirect (MS-MMSP §2.2.4.9) and closed, while an on-demand player plays
 * on; the redirected player follows to the sibling and the broadcast goes on there.
 */
class DrainRedirectTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private static EdgeApplication start(String yaml) throws Exception {
        return EdgeApplication.start(ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test", Fixtures.mediaDir()), Fixtures.mediaDir());
    }

    private static EdgeApplication origin(String drainRedirect) throws Exception {
        return start("""
                server: {bind: 127.0.0.1, port: 0, drainSeconds: 60%s}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(drainRedirect == null ? "" : ", drainRedirect: \"" + drainRedirect + "\"",
                Fixtures.mediaDir(), Fixtures.media("av.asf")));
    }

    private static int[] avStreams() throws IOException {
        try (io.mmsedge.protocol.asf.AsfFile f = io.mmsedge.protocol.asf.AsfFile.open(Fixtures.media("av.asf"))) {
            return f.header().streams().stream().mapToInt(io.mmsedge.protocol.asf.AsfStream::number).toArray();
        }
    }

    /** A test client playing {@code path} that has received a few Data packets. */
    private static MmsTestClient playing(InetSocketAddress server, String path) throws IOException {
        MmsTestClient c = MmsTestClient.connect(server, WAIT);
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        assertEquals(Hresults.S_OK, c.open(path).hr());
        c.readHeader(1);
        c.selectStreams(avStreams());
        c.startPlaying(0, 2);
        int data = 0;
        while (data < 5) {
            if (c.nextAnsweringPings() instanceof Received.Data) {
                data++;
            }
        }
        return c;
    }

    @Test
    void broadcastPlayersGoToTheSiblingAndOnDemandPlayersPlayOn() throws Exception {
        try (EdgeApplication sibling = origin(null)) {
            String location = "mms://127.0.0.1:" + sibling.mmsAddress().getPort();
            try (EdgeApplication app = origin(location);
                 MmsTestClient live = playing(app.mmsAddress(), "live");
                 MmsTestClient onDemand = playing(app.mmsAddress(), "av.asf")) {
                app.drain("test");
                ReportRedirect redirect = null;
                long end = System.nanoTime() + WAIT.toNanos();
                while (redirect == null && System.nanoTime() < end) {
                    Received r = live.nextAnsweringPings(); // Data packets sent before the redirect
                    if (r instanceof Received.Command c && c.message() instanceof ReportRedirect rr) {
                        redirect = rr;
                    }
                }
                assertTrue(redirect != null, "no redirect");
                assertEquals(0x0002, redirect.redirectType());
                assertEquals(location, redirect.location());
                assertTrue(live.closedByServer(), "the connection closes after the redirect (3.2.5.6)");

                int more = 0;
                while (more < 20) {
                    if (onDemand.nextAnsweringPings() instanceof Received.Data) {
                        more++;
                    }
                }
                assertTrue(app.draining());
            }
            // The redirected player opens the same URL at the sibling: the broadcast goes on.
            try (MmsTestClient followed = playing(sibling.mmsAddress(), "live")) {
                assertTrue(followed.localPort() > 0);
            }
        }
    }

    @Test
    void ffmpegWhichFollowsNoRedirectPlaysOnUntilTheDeadlineAndExitsCleanly() throws Exception {
        Players.require("ffmpeg");
        try (EdgeApplication sibling = origin(null);
             EdgeApplication app = start("""
                     server: {bind: 127.0.0.1, port: 0, drainSeconds: 4, drainRedirect: "mms://127.0.0.1:%d"}
                     publishingPoints:
                       - {name: live, type: broadcast, path: "%s"}
                     """.formatted(sibling.mmsAddress().getPort(), Fixtures.media("av.asf")))) {
            Path out = tmp.resolve("live.framemd5");
            Path log = tmp.resolve("ffmpeg.log");
            Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-i",
                    "mmst://127.0.0.1:" + app.mmsAddress().getPort() + "/live", "-map", "0", "-c", "copy",
                    "-flush_packets", "1", "-f", "framemd5", out.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try (MmsTestClient testClient = playing(app.mmsAddress(), "live")) {
                long deadline = System.currentTimeMillis() + 20_000;
                while (frames(out) < 20) {
                    assertTrue(ffmpeg.isAlive() && System.currentTimeMillis() < deadline, "ffmpeg did not play: "
                            + (Files.exists(log) ? Files.readString(log) : ""));
                    Thread.sleep(100);
                }
                app.drain("test");
                // The test client (a redirect-following player) is sent away at once...
                long end = System.nanoTime() + WAIT.toNanos();
                boolean redirected = false;
                while (!redirected && System.nanoTime() < end) {
                    redirected = testClient.nextAnsweringPings() instanceof Received.Command c
                            && c.message() instanceof ReportRedirect;
                }
                assertTrue(redirected, "the test client was not redirected");
                long framesAtRedirect = frames(out);
                Thread.sleep(1500);
                // ...while FFmpeg plays on, then is ended at the deadline and exits by itself with 0.
                assertTrue(ffmpeg.isAlive(), "ffmpeg was cut before the deadline");
                assertTrue(frames(out) > framesAtRedirect, "ffmpeg kept receiving frames");
                assertTrue(ffmpeg.waitFor(15, TimeUnit.SECONDS), "ffmpeg still running after the deadline");
                assertEquals(0, ffmpeg.exitValue(), Files.readString(log));
            } finally {
                ffmpeg.destroyForcibly();
            }
        }
    }

    private static long frames(Path framemd5) throws IOException {
        if (!Files.exists(framemd5)) {
            return 0;
        }
        try (var lines = Files.lines(framemd5)) {
            return lines.filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        }
    }
}
