package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VLC's {@code mmsu://} in a live split shared with a TCP player (issue #14): one edge splits a
 * broadcast to VLC, taking its Data by UDP (MS-MMSP §3.2.5.5), and to FFmpeg over {@code mmst://}
 * at once, from one origin session. What each stores is a run of the broadcast's own frames, in
 * order, byte for byte: VLC's {@code --sout} file as FFmpeg reads it back, and FFmpeg's framemd5.
 */
class UdpSplitPlayersTest {

    private static final int SECONDS = 10;
    /** At least this much of the broadcast in what each player stores (they start after connecting and prebuffering). */
    private static final int MIN_SECONDS = 3;

    @BeforeAll
    static void players() {
        Players.require("cvlc");
        Players.require("ffmpeg");
    }

    private static CompletableFuture<ExternalTool.Result> async(List<String> command) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ExternalTool.run(command, Players.PLAYER_TIMEOUT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** "size md5" of each frame of one kind of stream ("0:v", "0:a") of an input, by FFmpeg. */
    private static List<String> frames(String input, String map) throws Exception {
        ExternalTool.Result r = Players.framemd5(input, map);
        assertEquals(0, r.exitCode(), input + ": " + r.describe());
        return sizeAndHash(r.stdoutText());
    }

    private static List<String> sizeAndHash(String framemd5) {
        List<String> out = new ArrayList<>();
        for (String l : Players.frameLines(framemd5)) {
            String[] f = l.split(",");
            out.add(f[4].strip() + " " + f[5].strip()); // stream, dts, pts, duration, size, hash
        }
        return out;
    }

    /**
     * {@code got} is a run of the looped content's frames {@code file}, in order, none missing or
     * changed; its first and last frame may be cut (joined mid-frame, stopped mid-frame).
     */
    static void assertRunOfTheContent(List<String> file, List<String> got, int minFrames, String what) {
        assertTrue(got.size() >= minFrames, what + ": " + got.size() + " frames, fewer than " + minFrames);
        List<String> inner = got.subList(1, got.size() - 1);
        for (int start = 0; start < file.size(); start++) {
            boolean all = true;
            for (int k = 0; k < inner.size() && all; k++) {
                all = file.get((start + k) % file.size()).equals(inner.get(k));
            }
            if (all) {
                return;
            }
        }
        throw new AssertionError(what + ": not a run of the content's frames in order; got " + inner.size()
                + " frames starting " + inner.subList(0, Math.min(5, inner.size())));
    }

    private static double counter(EdgeApplication app, String name) {
        var c = app.registry().find(name).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void vlcByUdpAndFfmpegByTcpShareOneSplitAndBothStoreTheBroadcast() throws Exception {
        Path dir = Players.playerWritableDir();
        Path vlcOut = dir.resolve("vlc-live.asf");
        try (EdgeApplication origin = Players.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1}
                publishingPoints:
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(Fixtures.media("av.asf")));
             EdgeApplication edge = Players.start("""
                     server: {pacingSpeed: 1}
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       reverse:
                         - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                     """.formatted(origin.mmsAddress().getPort()))) {
            int port = edge.edgeAddress().getPort();
            CompletableFuture<ExternalTool.Result> vlc = async(ExternalTool.asUnprivileged(List.of("cvlc", "-q",
                    "--intf", "dummy", "--play-and-exit", "--run-time=" + SECONDS, "--no-video-title-show", "--sout",
                    "#std{access=file,mux=asf,dst=" + vlcOut + "}", "mmsu://127.0.0.1:" + port + "/live")));
            CompletableFuture<ExternalTool.Result> ffmpeg = async(List.of("ffmpeg", "-nostdin", "-v", "error",
                    "-i", "mmst://127.0.0.1:" + port + "/live", "-map", "0", "-c", "copy", "-t",
                    Integer.toString(SECONDS), "-f", "framemd5", "-"));
            ExternalTool.Result v = vlc.get(120, TimeUnit.SECONDS);
            ExternalTool.Result f = ffmpeg.get(120, TimeUnit.SECONDS);
            assertEquals(0, v.exitCode(), "VLC: " + v.describe());
            assertEquals(0, f.exitCode(), "FFmpeg: " + f.describe());
            assertTrue(Files.size(vlcOut) > 0, "VLC stored the broadcast");

            String fixture = Fixtures.media("av.asf").toString();
            // av.asf: 25 video frames and about 21 audio frames a second.
            List<String> fileVideo = frames(fixture, "0:v");
            List<String> fileAudio = frames(fixture, "0:a");
            assertRunOfTheContent(fileVideo, frames(vlcOut.toString(), "0:v"), MIN_SECONDS * 25, "VLC video");
            assertRunOfTheContent(fileAudio, frames(vlcOut.toString(), "0:a"), MIN_SECONDS * 21, "VLC audio");
            List<String> byTcp = sizeAndHash(f.stdoutText()); // stream 0 video, 1 audio, interleaved
            assertTrue(byTcp.size() >= MIN_SECONDS * 46, "FFmpeg's frames: " + byTcp.size());
            List<String> tcpVideo = new ArrayList<>();
            List<String> tcpAudio = new ArrayList<>();
            for (String l : Players.frameLines(f.stdoutText())) {
                (l.startsWith("0,") ? tcpVideo : tcpAudio).add(sizeAndHash(l).get(0));
            }
            assertRunOfTheContent(fileVideo, tcpVideo, MIN_SECONDS * 25, "FFmpeg video");
            assertRunOfTheContent(fileAudio, tcpAudio, MIN_SECONDS * 21, "FFmpeg audio");

            assertEquals(1.0, origin.registry().find("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one origin session for both players");
            assertTrue(counter(edge, "mmsedge.udp.datagrams.sent") > SECONDS * 5,
                    "VLC's packets went by UDP: " + counter(edge, "mmsedge.udp.datagrams.sent"));
        }
    }
}
