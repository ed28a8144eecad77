package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.auth.PasswordHash;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Content the origin protects with a Basic challenge (§2.2.4.14): not cached unless the rule
 * says so, and when cached, every player still passes the origin's authentication before a
 * single cached packet is served.
 */
class EdgeCacheAuthTest {

    private static final String PASSWORD = "s3cret-Pa55";

    @TempDir
    Path tmp;

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private CacheRig rig(boolean cacheProtected) throws Exception {
        Path users = Files.createDirectories(tmp.resolve("auth")).resolve("users.txt");
        Files.writeString(users, "alice:" + PasswordHash.hash(PASSWORD.toCharArray()) + "\n");
        String points = """
                  - name: vip
                    type: directory
                    path: "%s"
                    auth: {realm: "VIP", usersFile: "%s"}
                """.formatted(tmp.resolve("media"), users);
        return new CacheRig(tmp, 0, 0, "    size: 16m\n", points, cacheProtected ? ", cacheProtected: true" : "");
    }

    /** Opens vip/audio.asf with credentials; returns the open's hr and, if it played, the packets. */
    private static List<Received.Data> play(CacheRig rig, String credentials) throws Exception {
        try (MmsTestClient c = MmsTestClient.connect(rig.edgeAddress(), Duration.ofSeconds(20))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            if (credentials == null) {
                c.send(new io.mmsedge.protocol.mms.message.OpenFile(1, 0, 0, "vip/audio.asf", new byte[0]));
                Received r = c.nextAnsweringPings();
                assertTrue(r instanceof Received.Command cmd
                        && cmd.message() instanceof io.mmsedge.protocol.mms.message.SecurityChallenge,
                        "a player without credentials is challenged, as by the origin: " + r);
                return null;
            }
            ReportOpenFile of = c.openWithCredentials("vip/audio.asf", credentials, 10);
            if (Hresults.failed(of.hr())) {
                return null;
            }
            c.readHeader(2);
            c.selectStreams(1);
            c.startPlaying(0, 4);
            MmsTestClient.PlayResult r = c.readUntilEnd(false, 10_000);
            assertEquals(0, r.lastEndOfStream().hr());
            return r.packets;
        }
    }

    @Test
    void protectedContentIsRelayedButNotCachedByDefault() throws Exception {
        try (CacheRig rig = rig(false)) {
            assertNotNull(play(rig, basic("alice", PASSWORD)), "an authorized player plays through the edge");
            assertNull(rig.item("vip/audio.asf"), "protected content is not cached unless the rule allows it");
            assertTrue(rig.edge().cache().store().items().isEmpty());
        }
    }

    @Test
    void cachedProtectedContentStillNeedsTheOriginsConsentForEachPlayer() throws Exception {
        try (CacheRig rig = rig(true)) {
            List<Received.Data> first = play(rig, basic("alice", PASSWORD));
            assertNotNull(first);
            CacheItem item = rig.awaitComplete("vip/audio.asf", Duration.ofSeconds(20));
            assertTrue(item.protectedContent(), "marked protected: the origin challenged");
            double packets = rig.originMediaPackets();

            // Another authorized player: the origin authorizes it, the packets come from the cache.
            List<Received.Data> second = play(rig, basic("alice", PASSWORD));
            assertNotNull(second);
            assertEquals(packets, rig.originMediaPackets(), "served from the cache");
            assertEquals(first.size(), second.size());
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i).payload(), second.get(i).payload());
            }

            // No credentials, or wrong ones: nothing cached is served.
            assertNull(play(rig, null), "no credentials: challenged, not served");
            assertNull(play(rig, basic("alice", "wrong")), "wrong credentials: refused, not served");
            // Even with the origin down, protected content is never served stale.
            rig.stopOrigin();
            assertNull(play(rig, basic("alice", PASSWORD)), "no stale serving of protected content");
        }
    }
}
