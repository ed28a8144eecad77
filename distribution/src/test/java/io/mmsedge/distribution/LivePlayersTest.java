package io.mmsedge.distribution;

import io.mmsedge.distribution.realplayers.Players;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Real players watch a looped broadcast published with {@code origin --live NAME=FILE.asf}. */
class LivePlayersTest {

    private static EdgeApplication live() throws Exception {
        return EdgeApplication.start(Main.originConfig(new String[] {"origin", "--port", "0", "--pacing-speed", "1",
                "--live", "live=" + Fixtures.media("av.asf")}), Fixtures.mediaDir());
    }

    private static ExternalTool.Result run(List<String> cmd) {
        try {
            return ExternalTool.run(cmd, Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoFfmpegPlayersWatchTogetherAndALateJoinerDecodesFromAKeyFrame() throws Exception {
        assumeTrue(ExternalTool.available("ffmpeg"));
        try (EdgeApplication app = live()) {
            String url = TestServers.url(app, "live");
            CompletableFuture<ExternalTool.Result> copy = CompletableFuture.supplyAsync(() -> run(List.of(
                    "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-t", "3", "-i", url, "-map", "0", "-c", "copy",
                    "-f", "null", "-")));
            Thread.sleep(1500);
            // A late joiner decodes (no -c copy): starting anywhere but a key frame shows as decode errors.
            ExternalTool.Result late = run(List.of("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-t", "3",
                    "-i", url, "-map", "0", "-f", "null", "-"));
            ExternalTool.Result f = copy.get();
            assertEquals(0, f.exitCode(), f.describe());
            assertTrue(f.stderr().isBlank(), f.describe());
            assertEquals(0, late.exitCode(), late.describe());
            assertTrue(late.stderr().isBlank(), "decode errors: " + late.describe());
        }
    }

    @Test
    void mplayerDumpsTheLivePointDirectAndThroughTheSplittingEdge() throws Exception {
        assumeTrue(ExternalTool.available("mplayer") || "true".equals(System.getenv("CI")));
        try (EdgeApplication origin = live(); EdgeApplication edge = EdgeProxyTest.reverseEdge(
                origin.mmsAddress().getPort(), "mp")) {
            java.nio.file.Path dir = Players.playerWritableDir();
            for (var server : List.of(origin.mmsAddress(), edge.edgeAddress())) {
                java.nio.file.Path out = dir.resolve("mplayer-" + server.getPort() + ".asf");
                // A live dump never ends by itself: stop it after 5 s (real-time pacing).
                ExternalTool.Result r = ExternalTool.run(List.of("mplayer", "-really-quiet", "-noconsolecontrols",
                        "-dumpstream", "-dumpfile", out.toString(), "mmst://127.0.0.1:" + server.getPort() + "/live"),
                        Duration.ofSeconds(5));
                assertTrue(r.timedOut(), "still streaming when stopped: " + r.describe());
                var got = Players.packetCounts(out);
                assertTrue(got.getOrDefault("video", 0) >= 50 && got.getOrDefault("audio", 0) >= 40,
                        "MPlayer via " + server + " dumped " + got);
            }
        }
    }

    @Test
    void vlcWatchesTheLivePoint() throws Exception {
        assumeTrue(ExternalTool.available("cvlc") || "true".equals(System.getenv("CI")));
        // Direct from the origin; through the splitting edge together with FFmpeg players below.
        // Stopped by SIGINT, not --run-time: VLC compares --run-time with the stream's own clock,
        // which on a live point runs from the start of the broadcast (so a player joining after
        // run-time seconds of broadcast stopped at once: what looked like "VLC stops after ~30
        // packets through the edge").
        try (EdgeApplication app = live()) {
            java.nio.file.Path out = Players.playerWritableDir().resolve("vlc-live.asf");
            ExternalTool.Result r = run(ExternalTool.asUnprivileged(List.of("timeout", "-s", "INT", "6", "cvlc", "-q",
                    "--intf", "dummy", "--sout", "#std{access=file,mux=asf,dst=" + out + "}",
                    TestServers.url(app, "live"))));
            assertEquals(124, r.exitCode(), "still playing when stopped: " + r.describe());
            var got = Players.packetCounts(out);
            assertTrue(got.getOrDefault("video", 0) >= 40 && got.getOrDefault("audio", 0) >= 30,
                    "VLC kept playing the live point: " + got + "\n" + r.describe());
        }
    }

    @Test
    void threeFfmpegPlayersThroughTheEdgeCostTheOriginOneSession() throws Exception {
        assumeTrue(ExternalTool.available("ffmpeg"));
        try (EdgeApplication origin = live(); EdgeApplication edge = EdgeProxyTest.reverseEdge(
                origin.mmsAddress().getPort(), "ff3")) {
            String url = "mmst://127.0.0.1:" + edge.edgeAddress().getPort() + "/live";
            List<CompletableFuture<ExternalTool.Result>> players = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                players.add(CompletableFuture.supplyAsync(() -> run(List.of("ffmpeg", "-nostdin", "-hide_banner",
                        "-v", "error", "-t", "3", "-i", url, "-map", "0", "-f", "null", "-"))));
                Thread.sleep(400); // late joiners start at a key frame: decoding shows errors otherwise
            }
            for (CompletableFuture<ExternalTool.Result> p : players) {
                ExternalTool.Result r = p.get();
                assertEquals(0, r.exitCode(), r.describe());
                assertTrue(r.stderr().isBlank(), "decode errors: " + r.describe());
            }
            assertEquals(1.0, origin.registry().get("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one session at the origin for three players");
        }
    }

    /** The MD5s of av.asf's video key frames (ffmpeg framemd5, stream copy): a dump starting at a key frame starts with one. */
    private static java.util.Set<String> keyFrameMd5s() throws Exception {
        String file = Fixtures.media("av.asf").toString();
        List<String> md5 = videoFrameMd5s(java.nio.file.Path.of(file));
        ExternalTool.Result flags = ExternalTool.run(List.of("ffprobe", "-v", "error", "-select_streams", "v",
                "-show_entries", "packet=flags", "-of", "csv=p=0", file), Duration.ofSeconds(30));
        assertEquals(0, flags.exitCode(), flags.describe());
        List<String> f = flags.stdoutText().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(md5.size(), f.size(), "one flags line per video frame");
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i < f.size(); i++) {
            if (f.get(i).startsWith("K")) {
                keys.add(md5.get(i));
            }
        }
        assertTrue(keys.size() >= 10 && keys.size() < md5.size() / 10, "av.asf has a key frame every second: " + keys.size());
        return keys;
    }

    /** MD5 of each video frame of a file, in order (the last column of ffmpeg's framemd5). */
    private static List<String> videoFrameMd5s(java.nio.file.Path file) throws Exception {
        ExternalTool.Result r = Players.framemd5(file.toString(), "0:v");
        assertEquals(0, r.exitCode(), r.describe());
        return Players.frameLines(r.stdoutText()).stream().map(l -> l.substring(l.lastIndexOf(',') + 1).strip())
                .toList();
    }

    /**
     * VLC log lines (--verbose 2) that report a problem with the stream while it played: anything
     * its ASF demuxer, its MMS access or a decoder warns about, and any demux error, up to the
     * moment we stopped it. Its shutdown (reads interrupted: "cannot fill buffer") and its
     * start-up noise (D-Bus, no interface, font cache) are not about the stream.
     */
    private static List<String> vlcStreamProblems(String log) {
        List<String> lines = log.lines().toList();
        int stop = 0;
        while (stop < lines.size() && !lines.get(stop).contains("stopping current input")) {
            stop++;
        }
        assertTrue(stop < lines.size(), "VLC was stopped by the signal, not by the end of the stream; log tail:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        return lines.subList(0, stop).stream()
                .filter(l -> l.matches(".*\\b(asf|access_mms|mms|demux|decoder|avcodec)\\b.*\\b(error|warning)\\b.*")
                        || l.toLowerCase(java.util.Locale.ROOT).contains("corrupt"))
                .toList();
    }

    /**
     * Issue acceptance: three FFmpeg and two VLC players watch the live point through a splitting
     * edge at the same time, started 0.7 s apart so that all but the first join a split that is
     * already running. Each decodes without error (FFmpeg exit 0 and nothing on stderr at
     * -v error; VLC decodes to its dummy outputs until stopped, with no complaint from its ASF
     * demuxer, MMS access or decoders), each one's first video frame is a key frame of the file
     * (the dump each player writes beside decoding starts with one), the five were connected at
     * once, and the origin saw exactly one session.
     *
     * <p>VLC is stopped with SIGINT (timeout) rather than --run-time: VLC turns --run-time into a
     * stop time on the stream's own clock, and a live point's timestamps keep running from when the
     * broadcast started, so a player joining after run-time seconds of broadcast would stop at once.
     */
    @Test
    void threeFfmpegAndTwoVlcPlayersWatchThroughTheSplittingEdgeAtOnce() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        assumeTrue((ExternalTool.available("ffmpeg") && ExternalTool.available("cvlc")) || ci);
        java.util.Set<String> keyFrames = keyFrameMd5s();
        try (EdgeApplication origin = live(); EdgeApplication edge = EdgeProxyTest.reverseEdge(
                origin.mmsAddress().getPort(), "mix5")) {
            String url = "mmst://127.0.0.1:" + edge.edgeAddress().getPort() + "/live";
            java.nio.file.Path dir = Players.playerWritableDir();
            List<String> names = List.of("ffmpeg-1", "vlc-1", "ffmpeg-2", "vlc-2", "ffmpeg-3");
            java.util.Map<String, CompletableFuture<ExternalTool.Result>> players = new java.util.LinkedHashMap<>();
            int maxTogether = 0;
            long nextStart = System.nanoTime();
            for (String name : names) {
                java.nio.file.Path dump = dir.resolve(name + ".asf");
                List<String> cmd = name.startsWith("ffmpeg")
                        // Decode everything (errors show on stderr) and, beside it, keep the stream as received.
                        ? List.of("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-t", "6", "-i", url,
                                "-map", "0", "-f", "null", "-", "-map", "0", "-c", "copy", "-f", "asf", dump.toString())
                        : ExternalTool.asUnprivileged(List.of("timeout", "-s", "INT", "8", "cvlc", "--intf", "dummy",
                                "--vout", "dummy", "--aout", "dummy", "--verbose", "2", "--sout",
                                "#duplicate{dst=display,dst=std{access=file,mux=asf,dst=" + dump + "}}", url));
                players.put(name, CompletableFuture.supplyAsync(() -> run(cmd)));
                nextStart += 700_000_000L;
                while (System.nanoTime() < nextStart) {
                    maxTogether = Math.max(maxTogether, splitPlayers(edge));
                    Thread.sleep(20);
                }
            }
            while (!players.values().stream().allMatch(CompletableFuture::isDone)) {
                maxTogether = Math.max(maxTogether, splitPlayers(edge));
                Thread.sleep(20);
            }
            for (var e : players.entrySet()) {
                String name = e.getKey();
                ExternalTool.Result r = e.getValue().get();
                if (name.startsWith("ffmpeg")) {
                    assertEquals(0, r.exitCode(), name + ": " + r.describe());
                    assertTrue(r.stderr().isBlank(), name + " decode errors: " + r.describe());
                } else {
                    assertEquals(124, r.exitCode(), name + " still playing when stopped: " + r.describe());
                    assertEquals(List.of(), vlcStreamProblems(r.stderr()), name + " reported problems with the stream");
                }
                java.nio.file.Path dump = dir.resolve(name + ".asf");
                var got = Players.packetCounts(dump);
                assertTrue(got.getOrDefault("video", 0) >= 50 && got.getOrDefault("audio", 0) >= 40,
                        name + " received " + got + "\n" + r.describe());
                List<String> frames = videoFrameMd5s(dump);
                assertTrue(keyFrames.contains(frames.get(0)), name + " starts at a key frame of av.asf, not "
                        + frames.get(0));
            }
            assertEquals(names.size(), maxTogether, "all five players were connected to the split at once");
            assertEquals(1.0, origin.registry().get("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one session at the origin for five players");
        }
    }

    /** Players of the edge's splits now. */
    private static int splitPlayers(EdgeApplication edge) {
        var splits = edge.proxy().splits();
        return splits == null ? 0 : splits.splits().stream().mapToInt(s -> s.broadcast().subscriberCount()).sum();
    }
}
