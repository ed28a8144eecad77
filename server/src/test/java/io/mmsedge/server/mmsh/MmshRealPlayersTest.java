package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.server.ServerSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real players over MMSH against a real server on loopback, on the HTTP port and on the shared
 * MMS port: FFmpeg's framemd5 must equal the file's, VLC and MPlayer must play to the end, and
 * an mms:// URL must roll over to MMSH where the player tries it.
 */
class MmshRealPlayersTest {

    static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static MmshOrigin origin;
    private static ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        origin = new MmshOrigin(ServerSettings.defaults().withPacingSpeed(20));
        pool = Executors.newFixedThreadPool(3);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        origin.close();
    }

    static void require(String program) {
        assumeTrue(ExternalTool.available(program) || !"true".equals(System.getenv("CI")),
                program + " is not installed");
        if (!ExternalTool.available(program)) {
            throw new AssertionError(program + " is required (see .ci/run)");
        }
    }

    static ExternalTool.Result framemd5(String input) throws Exception {
        return ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", input, "-map", "0", "-c", "copy",
                "-f", "framemd5", "-"), TIMEOUT);
    }

    static List<String> frameLines(String framemd5) {
        List<String> out = new ArrayList<>();
        for (String l : framemd5.split("\n")) {
            if (!l.isBlank() && !l.startsWith("#")) {
                out.add(l.strip());
            }
        }
        return out;
    }

    static String url(String scheme, InetSocketAddress a, String path) {
        return scheme + "://127.0.0.1:" + a.getPort() + "/" + path;
    }

    @Test
    void ffmpegGetsByteIdenticalFramesForEveryFixtureOnBothPorts() throws Exception {
        require("ffmpeg");
        List<Future<?>> checks = new ArrayList<>();
        for (String fixture : Fixtures.ALL) {
            ExternalTool.Result file = framemd5(Fixtures.media(fixture).toString());
            assertEquals(0, file.exitCode(), file.describe());
            List<String> want = frameLines(file.stdoutText());
            for (InetSocketAddress port : List.of(origin.http(), origin.mms())) {
                checks.add(pool.submit(() -> {
                    ExternalTool.Result r = framemd5(url("mmsh", port, fixture));
                    String what = fixture + " via mmsh on " + port;
                    assertEquals(0, r.exitCode(), what + ": " + r.describe());
                    assertFalse(r.stderr().toLowerCase().contains("error"), what + ": " + r.stderr());
                    assertEquals(want, frameLines(r.stdoutText()), what);
                    return null;
                }));
            }
        }
        for (Future<?> f : checks) {
            f.get();
        }
    }

    @Test
    void ffmpegSeeksOnTheServerWithStreamTime() throws Exception {
        // FFmpeg's mmsh seek reconnects: a new Describe, then a Play with stream-time; the server
        // starts at the key frame the file's own seek starts at. FFmpeg then takes its position
        // from the first $D's LocationId (the absolute packet number, §2.2.3.1.2) plus the bytes
        // it has buffered, which puts it one packet ahead: it stops one packet before the end of
        // the data object, so the frames of the file's last packet are missing after a seek (a
        // local seek in the file keeps them). Everything before must be the file's, frame for frame.
        require("ffmpeg");
        ExternalTool.Result r = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-ss", "5", "-i",
                url("mmsh", origin.http(), "av.asf"), "-map", "0:v", "-c", "copy", "-f", "framemd5", "-"), TIMEOUT);
        assertEquals(0, r.exitCode(), r.describe());
        ExternalTool.Result local = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-ss", "5", "-i",
                Fixtures.media("av.asf").toString(), "-map", "0:v", "-c", "copy", "-f", "framemd5", "-"), TIMEOUT);
        List<String> want = hashes(local.stdoutText());
        List<String> got = hashes(r.stdoutText());
        assertTrue(!got.isEmpty() && got.size() <= want.size() && want.size() - got.size() <= 8,
                "the local seek's " + want.size() + " frames but the last packet's, got " + got.size());
        assertEquals(want.subList(0, got.size()), got, "the file's frames from the same key frame");
    }

    /** The md5 column of framemd5 lines. */
    private static List<String> hashes(String framemd5) {
        return frameLines(framemd5).stream().map(l -> l.substring(l.lastIndexOf(',') + 1).strip()).toList();
    }

    @Test
    void rtspOnTheSharedPortFailsAtOnceAndHttpOnTheSamePortPlays() throws Exception {
        // Windows Media Player 11/12 try RTSP, then HTTP, on an mms:// URL's port. FFmpeg 5.1 has no
        // mms:// (only mmsh:// and mmst://), so its RTSP client stands in for the first attempt: it
        // must get an RTSP error at once, not a hang, and MMSH on the same port must then play.
        require("ffmpeg");
        long t0 = System.nanoTime();
        ExternalTool.Result rtsp = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport",
                "tcp", "-i", url("rtsp", origin.mms(), "av.asf"), "-f", "null", "-"), TIMEOUT);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(rtsp.exitCode() != 0, rtsp.describe());
        assertTrue(rtsp.stderr().contains("501"), "the RTSP error reached the player: " + rtsp.stderr());
        assertTrue(ms < 10_000, "RTSP refused at once, took " + ms + " ms");
        ExternalTool.Result file = framemd5(Fixtures.media("av.asf").toString());
        ExternalTool.Result r = framemd5(url("mmsh", origin.mms(), "av.asf"));
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(frameLines(file.stdoutText()), frameLines(r.stdoutText()));
    }

    @Test
    void vlcAndMplayerMmsUrlsOnTheSharedPortPlay() throws Exception {
        // VLC's and MPlayer's mms:// try MMS/TCP first (VLC: TCP, then UDP), which the shared port
        // still serves; neither tries RTSP or HTTP first.
        require("mplayer");
        require("cvlc");
        Path dir = Files.createTempDirectory("mms-url");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (UnsupportedOperationException ignored) {
            // VLC then runs as ourselves
        }
        try (LogCapture logs = LogCapture.begin()) {
            Path out = dir.resolve("mplayer.asf");
            ExternalTool.Result r = ExternalTool.run(List.of("mplayer", "-really-quiet", "-noconsolecontrols",
                    "-dumpstream", "-dumpfile", out.toString(), url("mms", origin.mms(), "av.asf")), TIMEOUT);
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(Files.size(out) > 100_000, "MPlayer dumped the stream: " + r.describe());
            Path vlcOut = dir.resolve("vlc.asf");
            ExternalTool.Result v = vlc(url("mms", origin.mms(), "av.asf"), vlcOut);
            assertEquals(0, v.exitCode(), v.describe());
            assertTrue(Files.size(vlcOut) > 100_000, "VLC wrote the stream: " + v.describe());
            // What they did: both opened over MMS/TCP (NSPlayer/7.0.0.1956 is their MMS client token).
            assertEquals(2, logs.lines().stream().filter(l -> l.contains("event=open")).count(), logs.lines()
                    .toString());
            assertFalse(logs.lines().stream().anyMatch(l -> l.contains("proto=mmsh")), logs.lines().toString());
        }
    }

    @Test
    void mplayerDumpsEveryFixtureOverMmsh() throws Exception {
        require("mplayer");
        Path dir = Files.createTempDirectory("mplayer-mmsh");
        for (String fixture : List.of("av.asf", "audio.asf")) {
            Path out = dir.resolve(fixture);
            ExternalTool.Result r = ExternalTool.run(List.of("mplayer", "-really-quiet", "-noconsolecontrols",
                    "-dumpstream", "-dumpfile", out.toString(), url("mmsh", origin.http(), fixture)), TIMEOUT);
            assertEquals(0, r.exitCode(), fixture + ": " + r.describe());
            assertTrue(Files.size(out) > 0, fixture + ": empty dump");
            ExternalTool.Result want = framemd5(Fixtures.media(fixture).toString());
            ExternalTool.Result got = framemd5(out.toString());
            assertEquals(0, got.exitCode(), got.describe());
            List<String> w = frameLines(want.stdoutText());
            List<String> h = frameLines(got.stdoutText());
            assertEquals(w.size(), h.size(), fixture + ": frame count");
            assertEquals(w.subList(0, w.size() - 1), h.subList(0, h.size() - 1), fixture + " (MPlayer dump)");
        }
    }

    @Test
    void vlcPlaysToTheEndOverMmsh() throws Exception {
        require("cvlc");
        Path dir = Files.createTempDirectory("vlc-mmsh");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (UnsupportedOperationException ignored) {
            // VLC then runs as ourselves
        }
        // Baseline: VLC's own remux of the file (its ASF muxer drops a frame or two at the ends).
        Path local = dir.resolve("local.asf");
        Files.copy(Fixtures.media("av.asf"), local);
        local.toFile().setReadable(true, false);
        Path baseline = dir.resolve("baseline.asf");
        assertEquals(0, vlc(local.toString(), baseline).exitCode());
        Map<String, Integer> original = packetCounts(Fixtures.media("av.asf"));
        Map<String, Integer> expected = packetCounts(baseline);
        for (InetSocketAddress port : List.of(origin.http(), origin.mms())) {
            Path out = dir.resolve(port.getPort() + ".asf");
            ExternalTool.Result r = vlc(url("mmsh", port, "av.asf"), out);
            assertEquals(0, r.exitCode(), r.describe());
            assertFalse(r.stderr().contains("access error") || r.stderr().contains("cannot"), r.stderr());
            Map<String, Integer> got = packetCounts(out);
            for (String type : original.keySet()) {
                int have = got.getOrDefault(type, 0);
                int localLoss = Math.max(0, original.get(type) - expected.getOrDefault(type, 0));
                assertTrue(have <= original.get(type) && original.get(type) - have <= localLoss + 1,
                        "via mmsh on " + port + ": " + type + " frames " + got + ", file " + original
                                + ", VLC's local remux " + expected);
            }
        }
    }

    private static ExternalTool.Result vlc(String input, Path out) throws Exception {
        return ExternalTool.run(ExternalTool.asUnprivileged(List.of("cvlc", "-q", "--intf", "dummy",
                "--play-and-exit", "--no-video-title-show", "--sout", "#std{access=file,mux=asf,dst=" + out + "}",
                input)), TIMEOUT);
    }

    /** Packet count per codec type ("video"/"audio") of a file, by ffprobe. */
    private static Map<String, Integer> packetCounts(Path file) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("ffprobe", "-v", "error", "-show_entries",
                "packet=codec_type", "-of", "csv=p=0", file.toString()), TIMEOUT);
        assertEquals(0, r.exitCode(), r.describe());
        Map<String, Integer> counts = new TreeMap<>();
        for (String l : r.stdoutText().split("\n")) {
            if (!l.isBlank()) {
                counts.merge(l.strip(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
