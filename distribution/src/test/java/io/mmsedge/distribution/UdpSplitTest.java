package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.fixtures.client.UdpReceiver;
import io.mmsedge.protocol.mms.MmsConstants;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A live split at the edge shared by a TCP player and a UDP player (MS-MMSP §3.2.5.5): one
 * session at the origin, and the UDP player gets the very packets the TCP player gets, by datagram.
 */
class UdpSplitTest {

    @Test
    void aSplitFeedsTcpAndUdpPlayersTheSamePackets() throws Exception {
        try (EdgeApplication origin = liveOrigin();
             EdgeApplication edge = splittingEdge(origin);
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
            while (r.packets().size() < 60) {
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
            int common = assertSameAsTcpFromItsFirstKeyFrame(r.packets(), byTcp, 5);
            assertTrue(common >= 30, "packets both players got: " + common);
            assertEquals(1.0, origin.registry().find("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one origin session for both players");
            assertEquals(2, edge.proxy().splits().splits().get(0).broadcast().subscriberCount());
            assertEquals(1.0, edge.registry().find("mmsedge.udp.sessions").gauge().value());
        }
    }

    /**
     * Until its video's first key frame a player joining a split gets packets without their video
     * payloads (§3.2.5.10: a selected stream starts at a key frame; the TCP player that came first
     * got them whole): from the first packet alike on, every packet the UDP player got, with its
     * own incarnation, is byte for byte the TCP player's of the same LocationId.
     *
     * @return how many packets were compared
     */
    private static int assertSameAsTcpFromItsFirstKeyFrame(Map<Long, Received.Data> udp, Map<Long, byte[]> byTcp,
                                                          int incarnation) {
        int common = 0;
        int before = 0;
        for (Received.Data d : udp.values()) {
            assertEquals(incarnation, d.playIncarnation(), "the UDP player's own incarnation");
            byte[] same = byTcp.get(d.locationId());
            if (common == 0 && (same == null || !java.util.Arrays.equals(same, d.payload()))) {
                before++;
                continue;
            }
            if (same != null) {
                common++;
                assertArrayEquals(same, d.payload(), "packet " + d.locationId() + " by UDP and by TCP");
            }
        }
        assertTrue(before <= 20, before + " packets before the first key frame (av.asf has one a second)");
        return common;
    }

    /** An origin broadcasting av.asf, looped, in real time, at /live. */
    static EdgeApplication liveOrigin() throws Exception {
        return TestServers.liveOrigin(0, 1);
    }

    /** An edge splitting {@code origin}'s broadcasts. */
    static EdgeApplication splittingEdge(EdgeApplication origin) throws Exception {
        return EdgeProxyTest.edge("""
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(origin.mmsAddress().getPort()));
    }

    private static double resends(EdgeApplication app, String outcome) {
        var c = app.registry().find("mmsedge.udp.resend.packets").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static void awaitHeader(UdpReceiver r) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (r.header().length == 0 || r.headerParts().stream().noneMatch(Received.Data::lastHeaderPart)) {
            assertTrue(System.nanoTime() < end, "the live header by UDP");
            Thread.sleep(10);
        }
    }

    /** Reads the TCP player's Data packets (by LocationId) for a moment, answering Pings. */
    private static void readTcp(MmsTestClient tcp, Map<Long, byte[]> into, int packets) throws Exception {
        for (int i = 0; i < packets; i++) {
            if (tcp.nextAnsweringPings() instanceof Received.Data d) {
                into.put(d.locationId(), d.payload());
            }
        }
    }

    /**
     * "Keep the last few seconds of sent packets: shared for a split" (issue #14): two UDP
     * players of one split drop a fifth of their datagrams on purpose and ask for them again;
     * each gets every packet, byte for byte what the split's TCP player got, the resends taken
     * from the split's one window behind each player's own header, within the resend limits.
     */
    @Test
    void resendsThroughASplitComeFromItsSharedWindowExactly() throws Exception {
        try (EdgeApplication origin = liveOrigin();
             EdgeApplication edge = splittingEdge(origin);
             MmsTestClient tcp = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10));
             UdpReceiver r1 = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             UdpReceiver r2 = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             MmsTestClient u1 = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10));
             MmsTestClient u2 = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            tcp.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, tcp.open("live").hr());
            tcp.readHeader(2);
            tcp.selectStreams(1, 2);
            tcp.startPlaying(0, 4);
            Map<Long, byte[]> byTcp = new HashMap<>();
            readTcp(tcp, byTcp, 5);
            var split = edge.proxy().splits().splits().get(0);
            var window = split.broadcast().resendWindow();

            InetSocketAddress edgeUdp = edge.edgeAddress(); // UDP on the MMS port's number
            UdpReceiver[] receivers = {r1, r2};
            MmsTestClient[] players = {u1, u2};
            int[] clientIds = new int[2];
            for (int i = 0; i < 2; i++) {
                MmsTestClient.Funnel f = players[i].funnel(MmsTestClient.DEFAULT_SUBSCRIBER,
                        MmsConstants.PACKET_PAIR_OFF, receivers[i].funnelName("10.9.8." + i));
                assertTrue(f.connected());
                assertEquals(0, players[i].open("live").hr());
                players[i].readHeaderByUdp(2);
                awaitHeader(receivers[i]);
                players[i].selectStreams(1, 2);
                players[i].startPlaying(0, 5 + i);
                clientIds[i] = f.clientId();
                receivers[i].loseAndRecover(0.2, 7 + i, edgeUdp, f.clientId());
            }
            // A player becomes a user of the window on its event loop, just after its StartPlaying reply.
            long joined = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (window.users() < 2 && System.nanoTime() < joined) {
                Thread.sleep(10);
            }
            assertEquals(2, window.users(), "both UDP players use the split's window");
            long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (r1.packets().size() < 60 || r2.packets().size() < 60) {
                assertTrue(System.nanoTime() < end, "UDP packets: " + r1.packets().size() + ", "
                        + r2.packets().size());
                readTcp(tcp, byTcp, 1);
            }
            for (int i = 0; i < 2; i++) { // no more losses; what is still lost is asked for
                receivers[i].loseAndRecover(0, 0, edgeUdp, clientIds[i]);
                receivers[i].recoverRemaining();
            }
            readTcp(tcp, byTcp, 10); // a second for the last resends to arrive
            List<Map<Long, Received.Data>> snapshots = List.of(r1.packets(), r2.packets());
            long newest = snapshots.stream().flatMap(m -> m.values().stream()).mapToLong(Received.Data::locationId)
                    .max().orElseThrow();
            while (!byTcp.containsKey(newest)) { // the TCP player catches up with what the UDP ones have
                assertTrue(System.nanoTime() < end, "TCP packets up to " + newest);
                readTcp(tcp, byTcp, 1);
            }
            assertTrue(window.packets() > 0 && window.bytes() <= 16L << 20, "bounded: " + window.bytes());

            int dropped = 0;
            for (int i = 0; i < 2; i++) {
                UdpReceiver r = receivers[i];
                Map<Long, Received.Data> got = snapshots.get(i);
                assertTrue(r.dropped() >= 5, "lost on purpose: " + r.dropped());
                dropped += r.dropped();
                long first = got.keySet().iterator().next();
                long last = ((java.util.TreeMap<Long, Received.Data>) got).lastKey();
                assertEquals(last - first + 1, got.size(), "every sequence from " + first + " to " + last
                        + ", the dropped ones resent: " + got.keySet());
                assertEquals(0, r.duplicates());
                int common = assertSameAsTcpFromItsFirstKeyFrame(got, byTcp, 5 + i);
                assertTrue(common >= 40, "the same as the TCP player's: " + common);
            }
            assertEquals(dropped, resends(edge, "served"), "each lost packet resent once");
            assertEquals(0, resends(edge, "refused") + resends(edge, "too_old"));
            assertTrue(window.served() > 0 && window.served() <= dropped,
                    "resends taken from the split's window: " + window.served() + " of " + dropped);
            assertEquals(1.0, origin.registry().find("mmsedge.pp.sessions.opened").tag("publishing_point", "live")
                    .counter().count(), "one origin session for all three players");
        }
    }
}
