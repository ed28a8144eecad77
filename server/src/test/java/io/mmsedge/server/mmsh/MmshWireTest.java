package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.TsharkCapture;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.server.ServerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MMSH on the wire as third-party tools see it: curl, and tshark's HTTP dissector. */
class MmshWireTest {

    @Test
    void curlShowsHThenDFrames() throws Exception {
        MmshRealPlayersTest.require("curl");
        try (MmshOrigin origin = MmshOrigin.fast()) {
            Path out = Files.createTempFile("curl", ".bin");
            ExternalTool.Result r = ExternalTool.run(List.of("curl", "-s", "-i", "-H", "Pragma: xPlayStrm=1",
                    "-o", out.toString(), "http://127.0.0.1:" + origin.http().getPort() + "/av.asf"),
                    Duration.ofSeconds(60));
            assertEquals(0, r.exitCode(), r.describe());
            MmshTestClient.Response resp = MmshTestClient.parse(Files.readAllBytes(out), true);
            assertTrue(resp.statusLine().startsWith("HTTP/1.1 200"), resp.statusLine());
            assertEquals("$H", new String(resp.body(), 0, 2, StandardCharsets.US_ASCII));
            List<MmshFrame> frames = resp.frames();
            try {
                assertEquals('H', frames.get(0).packetId());
                assertEquals('D', frames.get(1).packetId());
                assertEquals('E', frames.get(frames.size() - 1).packetId());
            } finally {
                frames.forEach(MmshFrame::release);
            }
            Files.deleteIfExists(out);
        }
    }

    @Test
    void tsharkSeesWellFormedHttpForAnFfmpegSession() throws Exception {
        MmshRealPlayersTest.require("tshark");
        MmshRealPlayersTest.require("ffmpeg");
        assumeTrue(ExternalTool.runningAsRoot(), "capturing on lo needs root (CI runs as root)");
        try (MmshOrigin origin = new MmshOrigin(ServerSettings.defaults().withPacingSpeed(20))) {
            int port = origin.http().getPort();
            Path cap;
            try (TsharkCapture capture = TsharkCapture.start(port)) {
                cap = capture.file();
                ExternalTool.Result play = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i",
                        "mmsh://127.0.0.1:" + port + "/audio.asf", "-map", "0", "-c", "copy", "-f", "null", "-"),
                        MmshRealPlayersTest.TIMEOUT);
                assertEquals(0, play.exitCode(), play.describe());
                Thread.sleep(500);
            }
            List<String> decode = List.of("tshark", "-r", cap.toString(), "-d", "tcp.port==" + port + ",http");
            ExternalTool.Result summary = ExternalTool.run(decode, Duration.ofSeconds(60));
            assertEquals(0, summary.exitCode(), summary.describe());
            String text = summary.stdoutText();
            assertTrue(text.contains("GET /audio.asf HTTP/1.1"), "the requests:\n" + text);
            assertTrue(text.contains("HTTP/1.1 200 OK"), "the responses:\n" + text);
            ExternalTool.Result malformed = ExternalTool.run(List.of("tshark", "-r", cap.toString(), "-d",
                    "tcp.port==" + port + ",http", "-Y", "_ws.malformed || _ws.expert.severity == error"),
                    Duration.ofSeconds(60));
            assertEquals(0, malformed.exitCode(), malformed.describe());
            assertFalse(malformed.stdoutText().strip().length() > 0, "malformed HTTP:\n" + malformed.stdoutText());
            Files.deleteIfExists(cap);
        }
    }
}
