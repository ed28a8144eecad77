package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.load.LoadGenerator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        String yaml = """
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1}
                publishingPoints:
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(Fixtures.media("av.asf"));
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "origin",
                Path.of("."));
        try (EdgeApplication origin = EdgeApplication.start(cfg, Path.of("."));
             EdgeApplication edge = EdgeProxyTest.edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       reverse:
                         - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                     """.formatted(origin.mmsAddress().getPort()))) {
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
