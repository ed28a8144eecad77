package io.mmsedge.distribution.realplayers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.TsharkCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wireshark's MMS dissector ({@code tshark -d tcp.port==PORT,msmms}) decodes every command of
 * a real player's session with our server, and reports nothing malformed.
 */
class WireFormatTest {

    /** Commands of an FFmpeg session, in both directions (tshark's names). */
    private static final List<String> EXPECTED = List.of(
            "--> Connect info", "<-- Server info",
            "--> Timing test data request", "<-- Timing test data response",
            "--> Transport info", "<-- Transport info ack",
            "--> Request server file", "<-- Media details",
            "--> Header request", "<-- Sending header response",
            "--> Media Stream MBR selector", "<-- Stream selection indicator",
            "--> Start sending from", "<-- Sending media file now",
            "<-- End of media stream", "--> Cancel protocol");

    @Test
    void tsharkDecodesEveryCommandOfAnFfmpegSessionWithoutMalformedPackets() throws Exception {
        Players.require("tshark");
        Players.require("ffmpeg");
        assumeTrue(ExternalTool.runningAsRoot(), "capturing on lo needs root (CI runs as root)");
        try (EdgeApplication origin = Players.origin(20)) {
            int port = origin.mmsAddress().getPort();
            Path cap;
            try (TsharkCapture capture = TsharkCapture.start(port)) {
                cap = capture.file();
                ExternalTool.Result play = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i",
                        Players.url(origin.mmsAddress(), "audio.asf"), "-map", "0", "-c", "copy", "-f", "null", "-"),
                        Players.PLAYER_TIMEOUT);
                assertEquals(0, play.exitCode(), play.describe());
                Thread.sleep(500);
            }
            ExternalTool.Result summary = ExternalTool.run(List.of("tshark", "-r", cap.toString(), "-d",
                    "tcp.port==" + port + ",msmms"), Duration.ofSeconds(60));
            assertEquals(0, summary.exitCode(), summary.describe());
            String text = summary.stdoutText();
            for (String command : EXPECTED) {
                assertTrue(text.contains(command), "tshark did not decode '" + command + "':\n" + text);
            }
            ExternalTool.Result verbose = ExternalTool.run(List.of("tshark", "-r", cap.toString(), "-d",
                    "tcp.port==" + port + ",msmms", "-V"), Duration.ofSeconds(60));
            assertFalse(verbose.stdoutText().contains("Malformed"), "malformed packet reported:\n"
                    + verbose.stdoutText().lines().filter(l -> l.contains("Malformed")).toList());
            assertFalse(verbose.stdoutText().contains("[Expert Info (Error"), "expert error reported");
            Files.deleteIfExists(cap);
        }
    }
}
