package io.mmsedge.server.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.server.ServerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A player that stops reading: its queue stays within its bound, it skips ahead (counted), it is
 * disconnected after the lag limit, and a player watching at the same time never misses a packet.
 */
class SlowSubscriberTest {

    private static final long QUEUE = 512 * 1024;
    private static final Duration LAG = Duration.ofSeconds(1);

    @Test
    void aStalledPlayerIsBoundedDroppedAndDisconnectedWhileOthersPlayOn() throws Exception {
        BroadcastSettings limits = BroadcastSettings.defaults().withMaxQueueBytes(QUEUE).withMaxLag(LAG);
        try (AsfFile av = AsfFile.open(BroadcastTestServer.av());
             BroadcastTestServer server = new BroadcastTestServer(ServerSettings.defaults().withPacingSpeed(0),
                     Map.of("live", List.of(BroadcastTestServer.av())), Map.of("live", limits), 50)) {
            int[] all = BroadcastSessionTest.streams(av, null);
            MmsTestClient slow = MmsTestClient.connect(server.address(), Duration.ofSeconds(10));
            MmsTestClient normal = MmsTestClient.connect(server.address(), Duration.ofSeconds(10));
            try {
                for (MmsTestClient c : List.of(slow, normal)) {
                    c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                    assertEquals(0, c.open("live").hr());
                    c.readHeader(2);
                    c.selectStreams(all);
                    c.startPlaying(0, 4);
                }
                BroadcastMedia slowMedia = server.opened.get(0);
                BroadcastMedia normalMedia = server.opened.get(1);
                // The slow player reads nothing from here on; the normal one reads everything.
                long last = -1;
                long received = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                long afterFailure = -1;
                while (afterFailure < 200) {
                    assertTrue(System.nanoTime() < deadline, "the stalled player was never disconnected");
                    Received r = normal.nextAnsweringPings();
                    if (!(r instanceof Received.Data d)) {
                        throw new AssertionError("normal player got " + r);
                    }
                    if (last >= 0) {
                        assertEquals(last + 1, d.locationId(), "the normal player misses nothing");
                    }
                    last = d.locationId();
                    received++;
                    BroadcastSubscriber s = slowMedia.subscriber();
                    if (afterFailure >= 0 || (s != null && s.failure() != null)) {
                        afterFailure++;
                    }
                }
                BroadcastSubscriber s = slowMedia.subscriber();
                assertNotNull(s.failure());
                assertTrue(s.failure().contains("lags"), s.failure());
                assertTrue(s.peakQueuedBytes() <= QUEUE, "queue bound kept: " + s.peakQueuedBytes());
                assertTrue(s.peakQueuedBytes() > QUEUE / 2, "the queue did fill: " + s.peakQueuedBytes());
                assertTrue(s.droppedPackets() > 0, "drops are counted");
                assertEquals(0, s.queuedBytes(), "a disconnected player holds no buffers");
                assertEquals(0, normalMedia.subscriber().droppedPackets());
                assertTrue(received > 500, "normal player kept receiving: " + received);

                // The slow player, reading again, finds what was already in its socket buffers and
                // then the closed connection: the server doesn't wait for a stalled player to drain.
                BroadcastTestServer.assertServerCloses(slow, Duration.ofSeconds(5));
                // The server no longer counts the stalled player.
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (server.broadcast("live").subscriberCount() != 1 && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertEquals(1, server.broadcast("live").subscriberCount());
            } finally {
                slow.close();
                normal.close();
            }
        }
    }
}
