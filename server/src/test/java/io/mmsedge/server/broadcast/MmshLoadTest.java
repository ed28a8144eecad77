package io.mmsedge.server.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.load.LoadGenerator;
import io.mmsedge.server.ServerSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The load generator's MMSH mode against a real broadcast, served on the MMS port (the first
 * bytes of a connection pick MMSH): every player plays, and every $D packet passes the same
 * checks as an MMS/TCP Data packet, so that the split benchmark's MMSH figures mean something.
 */
class MmshLoadTest {

    private static final int PLAYERS = 20;

    @Test
    void mmshPlayersAllPlayWithoutGapsOrContinuityErrors() throws Exception {
        try (BroadcastTestServer server = new BroadcastTestServer(ServerSettings.defaults(),
                Map.of("live", List.of(BroadcastTestServer.av())), Map.of(), 4)) {
            LoadGenerator.Result r = new LoadGenerator(server.address(), "live").withMmsh().withContentSpeed(4)
                    .run(PLAYERS, 3, 1, 1, null);
            assertEquals(0, r.failures(), r.summary());
            assertEquals(PLAYERS, r.playing(), r.summary());
            assertEquals(0, r.continuityErrors(), r.summary());
            assertEquals(0, r.missedPackets(), r.summary());
            assertTrue(r.minPacketsPerPlayer() > 0, r.summary());
            assertTrue(r.lagMillisSorted().length > 0, "lag was sampled: " + r.summary());
        }
    }
}
