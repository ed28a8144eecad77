package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.load.LoadGenerator;
import org.junit.jupiter.api.Test;

/**
 * The load generator's UDP mode (issue #14) through a splitting edge, as the split benchmark
 * uses it: every player opens a UDP funnel and plays, and every datagram passes the same checks
 * as an MMS/TCP Data packet (incarnation, AFFlags sequence, LocationIds forward, nothing missed),
 * so that the benchmark's UDP figures mean something.
 */
class UdpLoadTest {

    private static final int PLAYERS = 20;

    @Test
    void udpPlayersOfASplitAllPlayWithoutGapsOrContinuityErrors() throws Exception {
        try (EdgeApplication origin = UdpSplitTest.liveOrigin();
             EdgeApplication edge = UdpSplitTest.splittingEdge(origin)) {
            LoadGenerator.Result r = new LoadGenerator(edge.edgeAddress(), "live").withUdp()
                    .run(PLAYERS, 3, 1, 2, null);
            assertEquals(0, r.failures(), r.summary());
            assertEquals(PLAYERS, r.playing(), r.summary());
            assertEquals(0, r.continuityErrors(), r.summary());
            assertEquals(0, r.missedPackets(), r.summary());
            assertTrue(r.minPacketsPerPlayer() > 0, r.summary());
            assertTrue(r.lagMillisSorted().length > 0, "lag was sampled: " + r.summary());
            double datagrams = edge.registry().find("mmsedge.udp.datagrams.sent").counter().count();
            assertTrue(datagrams >= r.packets(), "the players' packets came by UDP: " + datagrams + " datagrams, "
                    + r.summary());
            assertEquals(1.0, origin.registry().find("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one split for all");
        }
    }
}
