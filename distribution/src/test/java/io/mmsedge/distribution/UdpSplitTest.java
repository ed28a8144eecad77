package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.fixtures.client.UdpReceiver;
import io.mmsedge.protocol.mms.MmsConstants;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A live split at the edge shared by a TCP player and a UDP player (MS-MMSP §3.2.5.5): one
 * session at the origin, and the UDP player gets the very packets the TCP player gets, by datagram.
 */
class UdpSplitTest {

    @Test
    void aSplitFeedsTcpAndUdpPlayersTheSamePackets() throws Exception {
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
                     """.formatted(origin.mmsAddress().getPort()));
             MmsTestClient tcp = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10));
             UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             MmsTestClient udp = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            tcp.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, tcp.open("live").hr());
            tcp.readHeader(2);
            tcp.selectStreams(1, 2);
            tcp.startPlaying(0, 4);

            assertTrue(udp.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_OFF,
                    r.funnelName("10.1.2.3")).connected());
            assertEquals(0, udp.open("live").hr());
            udp.readHeaderByUdp(2);
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (r.header().length == 0 || r.headerParts().stream().noneMatch(Received.Data::lastHeaderPart)) {
                assertTrue(System.nanoTime() < end, "the live header by UDP");
                Thread.sleep(10);
            }
            udp.selectStreams(1, 2);
            udp.startPlaying(0, 5);

            Map<Long, byte[]> byTcp = new HashMap<>();
            while (r.packets().size() < 40) {
                assertTrue(System.nanoTime() < end, "UDP packets: " + r.packets().size());
                Received got = tcp.nextAnsweringPings();
                if (got instanceof Received.Data d) {
                    byTcp.put(d.locationId(), d.payload());
                }
            }
            for (int i = 0; i < 40; i++) { // the TCP player catches up with what the UDP one has
                Received got = tcp.nextAnsweringPings();
                if (got instanceof Received.Data d) {
                    byTcp.put(d.locationId(), d.payload());
                }
            }
            int common = 0;
            for (Received.Data d : r.packets().values()) {
                assertEquals(5, d.playIncarnation(), "the UDP player's own incarnation");
                byte[] same = byTcp.get(d.locationId());
                if (same != null) {
                    common++;
                    assertArrayEquals(same, d.payload(), "packet " + d.locationId() + " by UDP and by TCP");
                }
            }
            assertTrue(common >= 30, "packets both players got: " + common);
            assertEquals(1.0, origin.registry().find("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one origin session for both players");
            assertEquals(2, edge.proxy().splits().splits().get(0).broadcast().subscriberCount());
            assertEquals(1.0, edge.registry().find("mmsedge.udp.sessions").gauge().value());
        }
    }
}
