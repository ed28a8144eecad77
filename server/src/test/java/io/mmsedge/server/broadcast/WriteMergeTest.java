package io.mmsedge.server.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * server.writeMergeMillis: a broadcast's packets reach a player in a few large writes, not one
 * write per packet. Judged by how they arrive over real TCP: packets of one flush come
 * back-to-back, and the flushes are a window apart.
 */
class WriteMergeTest {

    private static final int MERGE_MS = 250;
    private static final int PACKETS = 120;

    @Test
    void aBroadcastIsFlushedToAPlayerOncePerWindow() throws Exception {
        // av.asf at 8× real time: a packet about every 12 ms, so about 120 runs unmerged and one
        // per 250 ms window (about 7 in 1.5 s) merged.
        int runs = runsOfArrivals(8, MmsTestClient.DEFAULT_SUBSCRIBER, PACKETS);
        assertTrue(runs <= PACKETS / 5, runs + " runs of arrivals for " + PACKETS + " packets: not merged");
    }

    @Test
    void aProxysUpstreamSessionIsNotMerged() throws Exception {
        // A proxy (VIA, §2.2.4.17) merges its own players' writes: its one upstream session gets
        // every packet at once. At 2× real time packets are about 50 ms apart: about one run each.
        String proxy = MmsTestClient.DEFAULT_SUBSCRIBER + "\0VIA: 1.0 edge.example (mms-edge/test)\0";
        int packets = 40;
        int runs = runsOfArrivals(2, proxy, packets);
        assertTrue(runs > packets / 2, runs + " runs of arrivals for " + packets + " packets: merged");
    }

    /**
     * Plays the broadcast (av.asf at {@code speed}) with {@code subscriberName} and counts the runs
     * in which {@code packets} Data packets arrive: a new run starts after a 5 ms gap, far more
     * than between the packets of one write read back-to-back, less than between packets sent
     * one by one at these speeds.
     */
    private static int runsOfArrivals(double speed, String subscriberName, int packets) throws Exception {
        ServerSettings settings = ServerSettings.defaults().withPacingSpeed(0).withWriteMergeMillis(MERGE_MS);
        try (AsfFile av = AsfFile.open(BroadcastTestServer.av());
             BroadcastTestServer server = new BroadcastTestServer(settings,
                     Map.of("live", List.of(BroadcastTestServer.av())), Map.of(), speed);
             MmsTestClient c = MmsTestClient.connect(server.address(), Duration.ofSeconds(10))) {
            c.handshake(subscriberName);
            assertEquals(0, c.open("live").hr());
            c.readHeader(2);
            c.selectStreams(BroadcastSessionTest.streams(av, null));
            assertEquals(0, c.startPlaying(0, 4).hr());
            int runs = 0;
            long last = Long.MIN_VALUE;
            for (int got = 0; got < packets; ) {
                Received r = c.nextAnsweringPings();
                long now = System.nanoTime();
                if (r instanceof Received.Data) {
                    if (last == Long.MIN_VALUE || now - last > 5_000_000) {
                        runs++;
                    }
                    last = now;
                    got++;
                }
            }
            return runs;
        }
    }
}
