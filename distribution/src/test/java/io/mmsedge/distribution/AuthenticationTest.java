package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.auth.PasswordHash;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic authentication per publishing point (MS-MMSP §4.6.1), direct and relayed by the edge. */
class AuthenticationTest {

    private static final String PASSWORD = "s3cret-Pa55";

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static EdgeApplication protectedOrigin(Path dir) throws Exception {
        Path users = dir.resolve("users.txt");
        Files.writeString(users, "# test users\nalice:" + PasswordHash.hash(PASSWORD.toCharArray()) + "\n");
        String yaml = """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 0}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                  - name: vip
                    type: directory
                    path: "%s"
                    auth: {realm: "VIP lounge", usersFile: "%s"}
                """.formatted(Fixtures.mediaDir(), Fixtures.mediaDir(), users);
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test", dir);
        return EdgeApplication.start(cfg, dir);
    }

    @Test
    void aProtectedPointChallengesAndAdmitsOnlyValidUsers(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("users.txt"), "");
        try (EdgeApplication origin = protectedOrigin(dir); LogCapture logs = LogCapture.begin()) {
            try (MmsTestClient c = MmsTestClient.connect(origin.mmsAddress(), Duration.ofSeconds(10))) {
                ReportConnectedEx cx = c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                assertEquals("BASIC", cx.authenPackage(), "AuthenPackage announced when authentication is configured");
                ReportOpenFile of = c.openWithCredentials("vip/av.asf", basic("alice", PASSWORD), 1);
                assertEquals(0, of.hr());
                String realm = new String(c.lastChallenge().token(), StandardCharsets.UTF_16LE);
                assertEquals("realm=\"VIP lounge\"\0", realm);
                c.readHeader(2);
            }
            try (MmsTestClient c = MmsTestClient.connect(origin.mmsAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                ReportOpenFile of = c.openWithCredentials("vip/av.asf", basic("alice", "wrong"), 10);
                assertEquals(Hresults.E_ACCESS_DENIED, of.hr(), "refused after repeated failures");
                // the session stays usable for unprotected content
                assertEquals(0, c.open("av.asf").hr());
            }
            try (MmsTestClient c = MmsTestClient.connect(origin.mmsAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                c.send(new io.mmsedge.protocol.mms.message.OpenFile(1, 0, 16, "vip/av.asf",
                        (basic("alice", PASSWORD) + "\0").getBytes(StandardCharsets.US_ASCII)));
                assertEquals(0, c.expect(ReportOpenFile.class).hr(), "credentials in OpenFile tokenData");
            }
            assertNotNull(logs.await(1000, "event=auth-ok", "user=\"alice\""), logs.lines().toString());
            assertNotNull(logs.await(1000, "event=auth-failed", "user=\"alice\""), logs.lines().toString());
            for (String line : logs.lines()) {
                assertFalse(line.contains(PASSWORD) || line.contains(basic("alice", PASSWORD)),
                        "credentials must never be logged: " + line);
            }
        }
    }

    @Test
    void theEdgeRelaysTheChallengeAndTheResponse(@TempDir Path dir) throws Exception {
        try (EdgeApplication origin = protectedOrigin(dir);
             EdgeApplication edge = EdgeProxyTest.reverseEdge(origin.mmsAddress().getPort(), "auth")) {
            try (MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                ReportOpenFile of = c.openWithCredentials("vip/audio.asf", basic("alice", PASSWORD), 1);
                assertEquals(0, of.hr());
                assertTrue(new String(c.lastChallenge().token(), StandardCharsets.UTF_16LE).contains("VIP lounge"),
                        "the origin's realm reaches the player");
                c.readHeader(2);
                c.selectStreams(1);
                c.startPlaying(0, 4);
                MmsTestClient.PlayResult r = c.readUntilEnd(false, 10_000);
                assertFalse(r.packets.isEmpty());
                assertEquals(0, r.lastEndOfStream().hr());
            }
            try (MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                ReportOpenFile of = c.openWithCredentials("vip/audio.asf", basic("mallory", "guess"), 10);
                assertTrue(Hresults.failed(of.hr()), "wrong credentials are refused through the edge too");
            }
        }
    }

    @Test
    void passwdPrintsAVerifiableHashAndNeverThePassword() {
        String line = "bob:" + PasswordHash.hash("pw".toCharArray());
        assertTrue(PasswordHash.verify("pw".toCharArray(), line.substring(4)));
        assertFalse(PasswordHash.verify("pW".toCharArray(), line.substring(4)));
        assertFalse(line.contains(":pw"));
    }
}
