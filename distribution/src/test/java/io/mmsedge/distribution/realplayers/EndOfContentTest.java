package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Players finish when the content ends with the servers' default idle timeout of an hour
 * (the other player tests use 10 s and would not notice a session left open): MPlayer, which
 * ignores ReportEndOfStream and waits for the server to close (ClientQuirks), FFmpeg copying
 * the stream, which stops at the last packet by itself, and FFmpeg decoding it, which reads on past
 * the last packet (FfmpegStop) — directly and through the edge (cache miss, then hits).
 */
class EndOfContentTest {

    /** What FFmpeg's mmst.c prints when it meets the EndOfStream (0x1e) reading past the last packet. */
    private static final String FFMPEG_AT_END_OF_STREAM =
            "Corrupt stream (unexpected packet type 0x1e, expected 0x10001)";

    private static EdgeApplication start(String yaml) throws Exception {
        return CacheRig.start(yaml, Fixtures.mediaDir());
    }

    @Test
    void playersFinishAtTheEndWithoutWaitingForTheIdleTimeout() throws Exception {
        Players.require("ffmpeg");
        Players.require("mplayer");
        try (EdgeApplication origin = start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 20}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir()));
             EdgeApplication edge = start("""
                     server: {pacingSpeed: 20}
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       reverse:
                         - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                     """.formatted(origin.mmsAddress().getPort()))) {
            Path dir = Files.createTempDirectory("end-of-content");
            var want = Players.frameLines(Players.fileFramemd5("av.asf"));
            ExternalTool.Result fileDecoded = decodedFramemd5(Fixtures.media("av.asf").toString());
            assertEquals(0, fileDecoded.exitCode(), fileDecoded.describe());
            var decoded = Players.frameLines(fileDecoded.stdoutText());
            assertFalse(decoded.isEmpty(), "frames decoded from the file itself");
            for (InetSocketAddress server : List.of(origin.mmsAddress(), edge.edgeAddress())) {
                String url = Players.url(server, "av.asf");
                // Decoding audio, ffmpeg reads past the last packet: it prints "Corrupt stream (unexpected
                // packet type 0x1e ...)" on the EndOfStream, and used to wait there for ever.
                ExternalTool.Result decoding = decodedFramemd5(url);
                assertFalse(decoding.timedOut(), "decoding ffmpeg still waiting at the end via " + server + ": "
                        + decoding.describe());
                assertEquals(0, decoding.exitCode(), decoding.describe());
                assertEquals(List.of(), decoding.stderr().lines().filter(l -> !l.equals(FFMPEG_AT_END_OF_STREAM))
                        .toList(), "decoding ffmpeg's other messages via " + server);
                assertEquals(decoded, Players.frameLines(decoding.stdoutText()), "decoded frames via " + server);

                ExternalTool.Result ffmpeg = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", url,
                        "-c", "copy", "-f", "null", "-"), Players.PLAYER_TIMEOUT);
                assertFalse(ffmpeg.timedOut(), "ffmpeg still waiting at the end via " + server + ": " + ffmpeg.describe());
                assertEquals(0, ffmpeg.exitCode(), ffmpeg.describe());

                Path out = dir.resolve(server.getPort() + ".asf");
                ExternalTool.Result mplayer;
                try (LogCapture logs = LogCapture.begin()) {
                    mplayer = ExternalTool.run(List.of("mplayer", "-really-quiet", "-noconsolecontrols", "-dumpstream",
                            "-dumpfile", out.toString(), url), Players.PLAYER_TIMEOUT);
                    // MPlayer also gives up by itself after half a minute or so: what shows that the
                    // server ended it is the server closing the session right after the content.
                    assertNotNull(logs.await(2000, "event=close", "finishes only when the server closes"),
                            "the server closed MPlayer's session at the end via " + server);
                }
                assertFalse(mplayer.timedOut(), "mplayer still waiting at the end via " + server);
                assertEquals(0, mplayer.exitCode(), mplayer.describe());
                // As in RealPlayersTest: every frame but MPlayer's possibly cut last one is the file's.
                var have = Players.frameLines(Players.framemd5(out.toString()).stdoutText());
                assertEquals(want.size(), have.size(), "frames in MPlayer's dump via " + server);
                Players.assertSameFrames(want.subList(0, want.size() - 1), have.subList(0, have.size() - 1),
                        "MPlayer's dump via " + server);
            }
        }
    }

    /** ffmpeg decoding every stream (video and audio) of {@code input}: a checksum per decoded frame. */
    private static ExternalTool.Result decodedFramemd5(String input) throws Exception {
        return ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", input, "-map", "0",
                "-f", "framemd5", "-"), Players.PLAYER_TIMEOUT);
    }
}
