package io.mmsedge.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real player at an allowed and at a denied address. FFmpeg can't choose its source address
 * (its tcp protocol has no local address option, and connecting to 127.0.0.2 still leaves from
 * 127.0.0.1), so FFmpeg is always 127.0.0.1: it is the denied address under one policy and the
 * allowed one under the next, with the test client bound to 127.0.0.2 as the other address.
 */
class AccessRealPlayerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static void requireFfmpeg() {
        assumeTrue(ExternalTool.available("ffmpeg") || !"true".equals(System.getenv("CI")), "ffmpeg is not installed");
        if (!ExternalTool.available("ffmpeg")) {
            throw new AssertionError("ffmpeg is required (see .ci/run)");
        }
    }

    private static ExternalTool.Result framemd5(String input) throws Exception {
        return ExternalTool.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", input, "-map", "0", "-c", "copy",
                "-f", "framemd5", "-"), TIMEOUT);
    }

    private static AccessPolicy policy(List<String> allow, List<String> deny) {
        return new AccessPolicy(new AccessRules(allow.stream().map(Cidr::parse).toList(),
                deny.stream().map(Cidr::parse).toList(), 0, 0, 0, 0, null), List.of());
    }

    private static int openFrom(MmsServer s, String address) throws Exception {
        try (MmsTestClient c = MmsTestClient.connectFrom(s.localAddress(), InetAddress.getByName(address), TIMEOUT)) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            return c.open("av.asf").hr();
        }
    }

    @Test
    void ffmpegIsRefusedAtADeniedAddressAndPlaysAtAnAllowedOne() throws Exception {
        requireFfmpeg();
        AccessControl control = new AccessControl(new DirectoryCatalog("/", Fixtures.mediaDir(),
                ByteBufAllocator.DEFAULT), policy(List.of(), List.of("127.0.0.1/32")), ServerMetrics.NONE, "server");
        try (MmsServer s = new MmsServer(ServerSettings.defaults().withPacingSpeed(20), control, ServerMetrics.NONE,
                null).start(new InetSocketAddress("127.0.0.1", 0))) {
            String mmst = "mmst://127.0.0.1:" + s.localAddress().getPort() + "/av.asf";
            String mmsh = "mmsh://127.0.0.1:" + s.localAddress().getPort() + "/av.asf";
            try (LogCapture logs = LogCapture.begin()) {
                ExternalTool.Result refused = framemd5(mmst);
                assertNotEquals(0, refused.exitCode(), "FFmpeg from a denied address: " + refused.describe());
                logs.await(5000, "peer=/127.0.0.1", "access_denied", "deny 127.0.0.1/32");
                ExternalTool.Result refusedHttp = framemd5(mmsh);
                assertNotEquals(0, refusedHttp.exitCode(), refusedHttp.describe());
                assertTrue(refusedHttp.stderr().contains("403"), "MMSH answers 403: " + refusedHttp.stderr());
            }
            assertEquals(Hresults.S_OK, openFrom(s, "127.0.0.2"), "the other address is served");

            // The next policy allows FFmpeg's address only.
            control.replace(policy(List.of("127.0.0.1/32"), List.of()));
            ExternalTool.Result file = framemd5(Fixtures.media("av.asf").toString());
            ExternalTool.Result played = framemd5(mmst);
            assertEquals(0, played.exitCode(), played.describe());
            assertEquals(file.stdoutText(), played.stdoutText(), "frame for frame the file's");
            assertEquals(Hresults.E_ACCESS_DENIED, openFrom(s, "127.0.0.2"));
        }
    }
}
