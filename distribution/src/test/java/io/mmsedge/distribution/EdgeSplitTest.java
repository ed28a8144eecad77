package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Splitting: a broadcast watched through the edge by many players costs the origin one session
 * (MS-MSSOD §1.1 "split stream"), lingers after the last player, and survives an origin restart.
 */
class EdgeSplitTest {

    private static EdgeApplication splittingEdge(int originPort) throws Exception {
        return splittingEdge(originPort, "  split: {lingerSeconds: 1, graceSeconds: 10}\n");
    }

    /** An edge splitting the broadcasts of the origin at {@code originPort}; {@code split}: its split section, or "". */
    static EdgeApplication splittingEdge(int originPort, String split) throws Exception {
        return EdgeProxyTest.edge("""
                edge:
                  bind: 127.0.0.1
                  port: 0
                  connectTimeoutSeconds: 2
                %s  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(split, originPort));
    }

    private static double originSessionsOpened(EdgeApplication origin) {
        var c = origin.registry().find("mmsedge.pp.sessions.opened").tag("publishing_point", "live").counter();
        return c == null ? 0 : c.count();
    }

    private static double originSessionsOpen(EdgeApplication origin) {
        var g = origin.registry().find("mmsedge.pp.sessions").tag("publishing_point", "live").gauge();
        return g == null ? 0 : g.value();
    }

    /** A player watching the live point through the edge. */
    private static MmsTestClient watch(EdgeApplication edge, int pi) throws Exception {
        MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10));
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        ReportOpenFile of = c.open("live");
        assertEquals(0, of.hr());
        assertEquals(ContentInfo.ATTR_BROADCAST, of.fileAttributes(), "a broadcast, as the origin said");
        c.readHeader(2);
        c.selectStreams(1, 2);
        c.startPlaying(0, pi);
        return c;
    }

    /** Reads n Data packets, checking the player's own header fields and LocationId order. */
    private static List<Received.Data> read(MmsTestClient c, int n, int pi) throws Exception {
        List<Received.Data> out = new ArrayList<>();
        while (out.size() < n) {
            Received r = c.nextAnsweringPings();
            if (r instanceof Received.Data d) {
                assertEquals(pi, d.playIncarnation());
                if (!out.isEmpty()) {
                    assertTrue(d.locationId() > out.get(out.size() - 1).locationId(), "LocationId moves forward");
                    assertEquals((out.get(out.size() - 1).afFlags() + 1) & 0xFF, d.afFlags(), "AFFlags sequence");
                }
                out.add(d);
            }
        }
        return out;
    }

    private static boolean startsVideoKeyFrame(Received.Data d, int packetSize) {
        ByteBuf b = Unpooled.wrappedBuffer(d.payload());
        try {
            for (AsfPayload p : AsfPacket.parse(b, packetSize).payloads()) {
                if (p.streamNumber() == 1 && p.isKeyFrameStart()) {
                    return true;
                }
            }
            return false;
        } finally {
            b.release();
        }
    }

    @Test
    void manyPlayersCostTheOriginOneSessionThatLingersAfterTheLast() throws Exception {
        try (EdgeApplication origin = TestServers.liveOrigin(0, 4);
             EdgeApplication edge = splittingEdge(origin.mmsAddress().getPort())) {
            List<MmsTestClient> players = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    MmsTestClient c = watch(edge, 4 + i);
                    players.add(c);
                    List<Received.Data> got = read(c, 20, 4 + i);
                    assertTrue(startsVideoKeyFrame(got.get(0), 3200), "player " + i + " starts at a key frame");
                }
                for (int i = 0; i < players.size(); i++) {
                    read(players.get(i), 10, 4 + i); // everyone keeps receiving
                }
                assertEquals(1.0, originSessionsOpened(origin), "exactly one session at the origin for 6 players");
                assertEquals(1.0, originSessionsOpen(origin));
                assertEquals(1, edge.proxy().splits().splits().size());
                assertEquals(6, edge.proxy().splits().splits().get(0).broadcast().subscriberCount());
                var gauge = edge.registry().find("mmsedge.broadcast.subscribers").gauge();
                assertTrue(gauge != null && gauge.getId().getTag("broadcast").startsWith("split:"), "the split's gauge");
                assertEquals(6.0, gauge.value(), "the split's subscribers");
            } finally {
                for (MmsTestClient c : players) {
                    c.close();
                }
            }
            // The upstream lingers (1 s here), then closes.
            long deadline = System.currentTimeMillis() + 6000;
            while (System.currentTimeMillis() < deadline && originSessionsOpen(origin) > 0) {
                Thread.sleep(50);
            }
            assertEquals(0.0, originSessionsOpen(origin), "the split closed its upstream after the linger");
            assertTrue(edge.proxy().splits().splits().isEmpty());
            // A closed split leaves no meters behind (splits come and go with the URLs players ask for).
            long metersGone = System.currentTimeMillis() + 2000;
            while (System.currentTimeMillis() < metersGone
                    && edge.registry().find("mmsedge.broadcast.subscribers").gauge() != null) {
                Thread.sleep(20);
            }
            assertNull(edge.registry().find("mmsedge.broadcast.subscribers").gauge(), "the split's gauge is gone");
            assertNull(edge.registry().find("mmsedge.broadcast.dropped.packets").counter(), "and its counters");
        }
    }

    @Test
    void playersKeepGoingWhenTheOriginRestartsWithinTheGracePeriod() throws Exception {
        int port = EdgeProxyTest.freePort();
        EdgeApplication origin = TestServers.liveOrigin(port, 4);
        try (EdgeApplication edge = splittingEdge(port)) {
            try (MmsTestClient a = watch(edge, 4); MmsTestClient b = watch(edge, 5)) {
                List<Received.Data> before = read(a, 20, 4);
                read(b, 20, 5);
                origin.close();
                Thread.sleep(700);
                origin = TestServers.liveOrigin(port, 4);
                // Both players continue on the same sessions: more packets, LocationIds still
                // increasing (the split rebases them across the reconnect).
                a.setReadTimeout(Duration.ofSeconds(15));
                b.setReadTimeout(Duration.ofSeconds(15));
                List<Received.Data> after = read(a, 40, 4);
                assertTrue(after.get(0).locationId() > before.get(before.size() - 1).locationId());
                read(b, 40, 5);
                assertTrue(edge.proxy().splits().splits().get(0).reconnects() >= 1, "the split reconnected");
                assertEquals(1.0, originSessionsOpen(origin), "still one session at the (new) origin");
            }
        } finally {
            origin.close();
        }
    }

    @Test
    void theSplitsPerPlayerLimitsAreTheConfigured() throws Exception {
        try (EdgeApplication origin = TestServers.liveOrigin(0, 4); EdgeApplication edge = EdgeProxyTest.edge("""
                edge:
                  bind: 127.0.0.1
                  port: 0
                  split: {queueBytes: 65536, maxLagSeconds: 3}
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(origin.mmsAddress().getPort()))) {
            try (MmsTestClient c = watch(edge, 4)) {
                read(c, 5, 4);
                var limits = edge.proxy().splits().splits().get(0).broadcast().settings();
                assertEquals(65536, limits.maxQueueBytes(), "edge.split.queueBytes");
                assertEquals(Duration.ofSeconds(3), limits.maxLag(), "edge.split.maxLagSeconds");
            }
        }
    }
}
