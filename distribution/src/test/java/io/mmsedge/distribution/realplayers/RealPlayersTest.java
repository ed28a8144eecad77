package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real players against a real origin and a real edge on loopback: FFmpeg's framemd5 must equal
 * the file's (byte-identical media), MPlayer's dump must hold the same frames, and VLC must
 * play every fixture to the end. Players run concurrently to keep CI short.
 */
class RealPlayersTest {

    private static final double PACING = 20;
    private static EdgeApplication origin;
    private static EdgeApplication edge;
    private static ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        origin = Players.origin(PACING);
        edge = Players.edge(origin, PACING);
        pool = Executors.newFixedThreadPool(4);
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        edge.close();
        origin.close();
    }

    private static List<InetSocketAddress> servers() {
        return List.of(origin.mmsAddress(), edge.edgeAddress());
    }

    @Test
    void ffmpegGetsByteIdenticalFramesForEveryFixtureDirectAndThroughTheEdge() throws Exception {
        Players.require("ffmpeg");
        List<Future<String>> checks = new ArrayList<>();
        for (String fixture : Fixtures.ALL) {
            String expected = Players.fileFramemd5(fixture);
            for (InetSocketAddress server : servers()) {
                checks.add(pool.submit(() -> {
                    ExternalTool.Result r = Players.framemd5(Players.url(server, fixture));
                    assertEquals(0, r.exitCode(), fixture + " via " + server + ": " + r.describe());
                    assertFalse(r.stderr().contains("Corrupt") || r.stderr().toLowerCase().contains("error"),
                            fixture + " via " + server + ": " + r.stderr());
                    Players.assertSameFrames(Players.frameLines(expected), Players.frameLines(r.stdoutText()),
                            fixture + " via " + server + " (ffmpeg)");
                    return fixture;
                }));
            }
        }
        for (Future<String> f : checks) {
            f.get();
        }
        double mediaPackets = origin.registry().get("mmsedge.data.packets.sent").tag("kind", "media").counter().count();
        assertTrue(mediaPackets > 0, "the origin's own counters saw the media packets");
    }

    @Test
    void ffmpegStartsWithinOneKeyFrameIntervalOf5Seconds() throws Exception {
        // FFmpeg's mmst protocol cannot seek (it implements open/read/close only), so an input
        // -ss reads forward and fails with any MMS server; -ss on the output discards up to 5 s
        // and, copying, starts at the next key frame. Server-side seeking (StopPlaying +
        // StartPlaying at a position) is covered by the test client in OnDemandSessionTest.
        Players.require("ffmpeg");
        ExternalTool.Result r = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i",
                Players.url(origin.mmsAddress(), "av.asf"), "-ss", "5", "-map", "0:v", "-c", "copy", "-f", "framemd5",
                "-"), Players.PLAYER_TIMEOUT);
        assertEquals(0, r.exitCode(), r.describe());
        List<String> frames = Players.frameLines(r.stdoutText());
        assertFalse(frames.isEmpty());
        ExternalTool.Result probe = ExternalTool.run(List.of("ffprobe", "-v", "error", "-select_streams", "v",
                "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", Fixtures.media("av.asf").toString()),
                Players.PLAYER_TIMEOUT);
        // The file's first key frame at or after 5 s: the copy must start there.
        double firstKeyAfter5 = -1;
        for (String l : probe.stdoutText().split("\n")) {
            String[] p = l.split(",");
            if (p.length >= 2 && p[1].startsWith("K") && Double.parseDouble(p[0]) >= 5.0) {
                firstKeyAfter5 = Double.parseDouble(p[0]);
                break;
            }
        }
        assertTrue(firstKeyAfter5 >= 5.0 && firstKeyAfter5 < 6.0, "fixture has a key frame each second");
        int videoFramesAfter = 0;
        for (String l : probe.stdoutText().split("\n")) {
            String[] p = l.split(",");
            if (p.length >= 1 && !p[0].isBlank() && Double.parseDouble(p[0]) >= firstKeyAfter5) {
                videoFramesAfter++;
            }
        }
        assertEquals(videoFramesAfter, frames.size(), "starts at the key frame within 1 s after 5 s, then every frame");
    }

    @Test
    void mplayerDumpsEveryFixtureWithTheSameFramesDirectAndThroughTheEdge() throws Exception {
        Players.require("mplayer");
        Path dir = Files.createTempDirectory("mplayer");
        List<Future<String>> checks = new ArrayList<>();
        for (String fixture : Fixtures.ALL) {
            String expected = Players.fileFramemd5(fixture);
            for (InetSocketAddress server : servers()) {
                checks.add(pool.submit(() -> {
                    Path out = dir.resolve(server.getPort() + "-" + fixture);
                    // MPlayer ignores EndOfStream; the server closes its session at the end
                    // (ClientQuirks, EndOfContentTest).
                    ExternalTool.Result r = ExternalTool.run(List.of("mplayer", "-really-quiet", "-noconsolecontrols",
                            "-dumpstream", "-dumpfile", out.toString(), Players.url(server, fixture)),
                            Players.PLAYER_TIMEOUT);
                    assertEquals(0, r.exitCode(), fixture + " via " + server + ": " + r.describe());
                    assertTrue(Files.size(out) > 0, fixture + ": empty dump");
                    ExternalTool.Result got = Players.framemd5(out.toString());
                    assertEquals(0, got.exitCode(), got.describe());
                    // MPlayer's -dumpstream writes the stream in 2 KiB blocks and drops the tail of
                    // the final block when EndOfStream arrives, so the last ASF packet (shortened by
                    // padding stripping, §2.2.2) can end up truncated in the dump: the final frame may
                    // differ. The same happens directly and through the edge; every other frame must
                    // be identical, and no frame may be missing.
                    List<String> want = Players.frameLines(expected);
                    List<String> have = Players.frameLines(got.stdoutText());
                    assertEquals(want.size(), have.size(), fixture + " via " + server + ": frame count");
                    Players.assertSameFrames(want.subList(0, want.size() - 1), have.subList(0, have.size() - 1),
                            fixture + " via " + server + " (MPlayer dump)");
                    return fixture;
                }));
            }
        }
        for (Future<String> f : checks) {
            f.get();
        }
    }

    @Test
    void vlcPlaysEveryFixtureToTheEndDirectAndThroughTheEdge() throws Exception {
        Players.require("cvlc");
        Path dir = Players.playerWritableDir();
        List<Future<String>> checks = new ArrayList<>();
        for (String fixture : Fixtures.ALL) {
            // Baseline: VLC's own remux of the file (its ASF muxer drops a frame or two at the
            // ends); over MMS the same pipeline must produce exactly the same frame counts.
            Path local = dir.resolve("local-" + fixture);
            Files.copy(Fixtures.media(fixture), local);
            local.toFile().setReadable(true, false);
            Path baseline = dir.resolve("baseline-" + fixture);
            ExternalTool.Result b = ExternalTool.run(ExternalTool.asUnprivileged(List.of("cvlc", "-q", "--intf",
                    "dummy", "--play-and-exit", "--no-video-title-show", "--sout",
                    "#std{access=file,mux=asf,dst=" + baseline + "}", local.toString())), Players.PLAYER_TIMEOUT);
            assertEquals(0, b.exitCode(), b.describe());
            Map<String, Integer> expected = Players.packetCounts(baseline);
            Map<String, Integer> original = Players.packetCounts(Fixtures.media(fixture));
            for (String type : original.keySet()) {
                // Sanity check on the baseline itself (a few frames per stream at the ends).
                assertTrue(expected.getOrDefault(type, 0) >= original.get(type) * 95 / 100,
                        fixture + ": VLC's local remux lost too much of " + type + ": " + expected + " vs " + original);
            }
            for (InetSocketAddress server : servers()) {
                checks.add(pool.submit(() -> {
                    Path out = dir.resolve(server.getPort() + "-" + fixture);
                    // VLC remuxes into a new ASF file, so timestamps and packetisation may
                    // change; the frame counts per stream type must not.
                    ExternalTool.Result r = ExternalTool.run(ExternalTool.asUnprivileged(List.of("cvlc", "-q",
                            "--intf", "dummy", "--play-and-exit", "--no-video-title-show",
                            "--sout", "#std{access=file,mux=asf,dst=" + out + "}", Players.url(server, fixture))),
                            Players.PLAYER_TIMEOUT);
                    assertEquals(0, r.exitCode(), fixture + " via " + server + ": " + r.describe());
                    assertFalse(r.stderr().contains("mmstu") || r.stderr().contains("access error")
                            || r.stderr().contains("cannot"), fixture + ": " + r.stderr());
                    assertTrue(Files.exists(out) && Files.size(out) > 0, fixture + ": no output");
                    Map<String, Integer> got = Players.packetCounts(out);
                    if (fixture.equals("mbr.asf")) {
                        // Over MMS VLC selects ONE of the two video bit rates with StreamSwitch (a
                        // multi-bit-rate client), and the server sends only that stream; its local
                        // remux keeps both. So: one stream's worth of video, all of the audio.
                        int perStream = expected.get("video") / 2;
                        assertTrue(Math.abs(got.get("video") - perStream) <= 3,
                                "mbr.asf via " + server + ": one video stream expected, got " + got + " vs " + expected);
                        assertTrue(Math.abs(got.get("audio") - expected.get("audio")) <= 1,
                                "mbr.asf via " + server + ": audio " + got + " vs " + expected);
                    } else {
                        // VLC's remux varies by a frame at the stream ends from run to run: over MMS it
                        // must lose no more than its own local remux did, plus one frame.
                        for (String type : original.keySet()) {
                            int have = got.getOrDefault(type, 0);
                            int localLoss = Math.max(0, original.get(type) - expected.getOrDefault(type, 0));
                            assertTrue(have <= original.get(type) && original.get(type) - have <= localLoss + 1,
                                    fixture + " via " + server + ": " + type + " frames " + got + ", file " + original
                                            + ", VLC's local remux " + expected);
                        }
                    }
                    return fixture;
                }));
            }
        }
        for (Future<String> f : checks) {
            f.get();
        }
    }
}
