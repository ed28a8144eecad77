package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-side playlists with the real players, over MMS/TCP and MMSH (issue #13 §4; what this
 * asserts is what README.md and docs/players.md say each player gets):
 * <ul>
 *   <li>{@code joined} = av.asf, indexed.asf: the same streams and packet size, so the server
 *       sends them as one stream (server/play JoinedEntries) and every player gets both entries,
 *       FFmpeg frame for frame;</li>
 *   <li>{@code changing} = audio.asf, av.asf: different streams, so the server announces a stream
 *       change, which FFmpeg, MPlayer and VLC do not follow: each gets exactly the first entry.</li>
 * </ul>
 */
class PlaylistPlayersTest {

    private static EdgeApplication origin;
    private static EdgeApplication edge;

    @BeforeAll
    static void start() throws Exception {
        origin = CacheRig.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 20, idleTimeoutSeconds: 10}
                publishingPoints:
                  - {name: joined, type: playlist, entries: ["%1$s/av.asf", "%1$s/indexed.asf"]}
                  - {name: changing, type: playlist, entries: ["%1$s/audio.asf", "%1$s/av.asf"]}
                """.formatted(Fixtures.mediaDir()), Fixtures.mediaDir());
        edge = CacheRig.start("""
                server: {pacingSpeed: 20, idleTimeoutSeconds: 10}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(origin.mmsAddress().getPort()), Fixtures.mediaDir());
    }

    @AfterAll
    static void stop() {
        edge.close();
        origin.close();
    }

    private static String url(String scheme, EdgeApplication server, String path) {
        int port = server == origin ? origin.mmsAddress().getPort() : edge.edgeAddress().getPort();
        return scheme + "://127.0.0.1:" + port + "/" + path;
    }

    @Test
    void ffmpegPlaysBothJoinedEntriesFrameForFrameOverMmsAndMmshAndThroughTheEdge() throws Exception {
        Players.require("ffmpeg");
        List<String> want = new ArrayList<>(payloads(Players.fileFramemd5("av.asf")));
        want.addAll(payloads(Players.fileFramemd5("indexed.asf")));
        for (String u : List.of(url("mmst", origin, "joined"), url("mmsh", origin, "joined"),
                url("mmst", edge, "joined"))) {
            ExternalTool.Result r = Players.framemd5(u);
            assertEquals(0, r.exitCode(), u + ": " + r.describe());
            assertFalse(r.stderr().toLowerCase().contains("error"), u + ": " + r.stderr());
            List<String> frames = Players.frameLines(r.stdoutText());
            Players.assertSameFrames(want, payloads(r.stdoutText()), u + " (stream, size, md5 of each frame)");
            // The second entry's times follow the first's: one stream of about 20 s.
            Map<String, Long> last = new TreeMap<>();
            for (String f : frames) {
                String[] c = f.split(",");
                long pts = Long.parseLong(c[2].strip());
                Long before = last.put(c[0].strip(), pts);
                assertTrue(before == null || pts > before, u + ": pts goes back at " + f);
            }
            assertTrue(last.values().stream().allMatch(t -> t > 19_900), u + ": last pts " + last);
        }
    }

    @Test
    void ffmpegGetsExactlyTheFirstEntryWhenTheEntriesStreamsDiffer() throws Exception {
        Players.require("ffmpeg");
        List<String> want = Players.frameLines(Players.fileFramemd5("audio.asf"));
        for (String u : List.of(url("mmst", origin, "changing"), url("mmsh", origin, "changing"))) {
            ExternalTool.Result r = Players.framemd5(u);
            assertEquals(0, r.exitCode(), u + ": " + r.describe());
            Players.assertSameFrames(want, Players.frameLines(r.stdoutText()), u);
        }
    }

    @Test
    void mplayerDumpsBothJoinedEntriesAndOnlyTheFirstOfAChange() throws Exception {
        Players.require("mplayer");
        Path dir = Files.createTempDirectory("playlist-mplayer");
        Map<String, Integer> joined = sum(Players.packetCounts(Fixtures.media("av.asf")),
                Players.packetCounts(Fixtures.media("indexed.asf")));
        Map<String, Integer> first = Players.packetCounts(Fixtures.media("audio.asf"));
        for (String scheme : List.of("mms", "mmsh")) {
            assertEquals(joined, mplayerDump(dir, url(scheme, origin, "joined")), scheme + " joined");
            assertEquals(first, mplayerDump(dir, url(scheme, origin, "changing")), scheme + " changing");
        }
    }

    private static Map<String, Integer> mplayerDump(Path dir, String url) throws Exception {
        Path out = dir.resolve(url.replaceAll("[^a-z0-9]", "_") + ".asf");
        ExternalTool.Result r = ExternalTool.run(List.of("mplayer", "-really-quiet", "-noconsolecontrols",
                "-dumpstream", "-dumpfile", out.toString(), url), Players.PLAYER_TIMEOUT);
        assertFalse(r.timedOut(), url + ": " + r.describe());
        assertEquals(0, r.exitCode(), url + ": " + r.describe());
        return Players.packetCounts(out);
    }

    @Test
    void vlcPlaysBothJoinedEntriesAndOnlyTheFirstOfAChange() throws Exception {
        Players.require("cvlc");
        Path dir = Players.playerWritableDir();
        Map<String, Integer> joined = sum(Players.packetCounts(Fixtures.media("av.asf")),
                Players.packetCounts(Fixtures.media("indexed.asf")));
        Map<String, Integer> first = Players.packetCounts(Fixtures.media("audio.asf"));
        for (String scheme : List.of("mms", "mmsh")) {
            // VLC's ASF remux drops a frame or two at a stream's ends (see RealPlayersTest).
            assertClose(joined, vlcRemux(dir, url(scheme, origin, "joined")), 3, scheme + " joined");
            assertClose(first, vlcRemux(dir, url(scheme, origin, "changing")), 1, scheme + " changing");
        }
    }

    private static Map<String, Integer> vlcRemux(Path dir, String url) throws Exception {
        Path out = dir.resolve(url.replaceAll("[^a-z0-9]", "_") + ".asf");
        ExternalTool.Result r = ExternalTool.run(ExternalTool.asUnprivileged(List.of("cvlc", "-q", "--intf", "dummy",
                "--play-and-exit", "--no-video-title-show", "--sout", "#std{access=file,mux=asf,dst=" + out + "}",
                url)), Players.PLAYER_TIMEOUT);
        assertFalse(r.timedOut(), url + ": " + r.describe());
        assertEquals(0, r.exitCode(), url + ": " + r.describe());
        assertTrue(Files.exists(out), url + ": no output");
        return Players.packetCounts(out);
    }

    private static void assertClose(Map<String, Integer> want, Map<String, Integer> have, int slack, String what) {
        assertEquals(want.keySet(), have.keySet(), what + ": stream types " + have + " vs " + want);
        for (String type : want.keySet()) {
            int w = want.get(type);
            int h = have.get(type);
            assertTrue(h <= w && w - h <= slack, what + ": " + type + " frames " + have + ", files " + want);
        }
    }

    private static Map<String, Integer> sum(Map<String, Integer> a, Map<String, Integer> b) {
        Map<String, Integer> s = new TreeMap<>(a);
        b.forEach((k, v) -> s.merge(k, v, Integer::sum));
        return s;
    }

    /** Each frame's stream, size and md5 from a framemd5 (times left out: a joined entry's are shifted). */
    private static List<String> payloads(String framemd5) {
        List<String> out = new ArrayList<>();
        for (String l : Players.frameLines(framemd5)) {
            String[] c = l.split(",");
            out.add(c[0].strip() + "," + c[4].strip() + "," + c[5].strip());
        }
        return out;
    }
}
