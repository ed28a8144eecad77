package io.mmsedge.server.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.fixtures.client.UdpReceiver;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.codec.DataDatagram;
import io.mmsedge.server.ServerSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MMS with Data over UDP (MS-MMSP §3.2.5.5, §3.2.5.8, §3.2.5.11.1, §3.2.5.13) against a real
 * server on loopback: the test client's UDP mode receives every packet, drops some on purpose and
 * gets them again, byte for byte.
 */
class UdpPlayTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    static byte[] expectedPayload(AsfFile f, long n) throws Exception {
        ByteBuf raw = f.readPacket(n, ByteBufAllocator.DEFAULT);
        try {
            ByteBuf stripped = AsfPackets.stripPadding(raw, f.packetSize(), ByteBufAllocator.DEFAULT);
            try {
                return ByteBufUtil.getBytes(stripped);
            } finally {
                stripped.release();
            }
        } finally {
            raw.release();
        }
    }

    static int[] allStreams(AsfFile f) {
        return f.header().streams().stream().mapToInt(AsfStream::number).toArray();
    }

    /** Open, header by UDP, all streams, StartPlaying 4, until EndOfStream on TCP and the datagrams stop. */
    static void playToTheEnd(MmsTestClient c, UdpReceiver r, AsfFile f, String name) throws Exception {
        assertEquals(0, c.open(name).hr());
        c.readHeaderByUdp(2);
        long end = System.nanoTime() + TIMEOUT.toNanos();
        while (r.header().length < f.header().fileHeaderSize() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertArrayEquals(f.header().fileHeader(), r.header(), "the header, by UDP");
        c.selectStreams(allStreams(f));
        assertEquals(0, c.startPlaying(0, 4).hr());
        MmsTestClient.PlayResult tcp = c.readUntilEnd(false, 0);
        assertEquals(0, tcp.lastEndOfStream().hr());
        r.recoverRemaining();
        r.awaitQuiet(Duration.ofMillis(500), TIMEOUT);
    }

    static void assertEveryPacketExact(AsfFile f, Map<Long, Received.Data> got) throws Exception {
        assertEquals(f.packetCount(), got.size(), "every ASF packet, once: " + got.keySet());
        for (long i = 0; i < f.packetCount(); i++) {
            Received.Data d = got.get(i);
            assertEquals(i, d.locationId(), "LocationId of sequence " + i);
            assertEquals(4, d.playIncarnation());
            assertEquals(i & 0xFF, d.afFlags(), "AFFlags is the sequence's low byte");
            assertArrayEquals(expectedPayload(f, i), d.payload(), "packet " + i);
        }
    }

    @Test
    void aFilePlaysOverUdpAfterTheUdpPacketPair() throws Exception {
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults().withPacingSpeed(8),
                UdpSettings.defaults().withPort(0));
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
            MmsTestClient.Funnel funnel = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_UDP,
                    r.funnelName("192.168.0.129"));
            assertTrue(funnel.connected(), "UDP funnel accepted");
            assertEquals(MmsConstants.PACKET_PAIR_UDP, funnel.packetPairMode(), "§3.2.5.4: UDP packet-pair accepted");
            playToTheEnd(c, r, f, "av.asf");
            assertEveryPacketExact(f, r.packets());
            // §3.2.5.8: two packet-pair packets of 1,464 random bytes, before the header.
            assertEquals(2, r.packetPairs().size());
            Received.Data p0 = r.packetPairs().get(0);
            Received.Data p1 = r.packetPairs().get(1);
            assertEquals(Integer.toUnsignedLong(DataDatagram.PACKET_PAIR_LOCATION), p0.locationId());
            assertEquals(Integer.toUnsignedLong(DataDatagram.PACKET_PAIR_LOCATION + 1), p1.locationId());
            assertEquals(DataPacket.PACKET_PAIR_INCARNATION, p0.playIncarnation());
            assertEquals(DataDatagram.PACKET_PAIR_PAYLOAD, p0.payload().length);
            assertFalse(Arrays.equals(p0.payload(), p1.payload()), "different random bytes");
            assertEquals(0, r.malformed());
            assertEquals(0, r.duplicates());
            assertEquals(r.datagrams(), origin.counts.datagrams.get(), "every datagram counted was received");
            c.send(new io.mmsedge.protocol.mms.message.CloseFile(1, 1));
        }
    }

    @Test
    void packetsDroppedOnPurposeAreResentExactly() throws Exception {
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults().withPacingSpeed(4),
                UdpSettings.defaults().withPort(0));
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
            MmsTestClient.Funnel funnel = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_OFF,
                    r.funnelName("10.0.0.1"));
            assertTrue(funnel.connected());
            r.loseAndRecover(0.2, 42, origin.udp(), funnel.clientId());
            playToTheEnd(c, r, f, "av.asf");
            assertTrue(r.dropped() >= 5, "some packets were lost on purpose: " + r.dropped());
            assertEveryPacketExact(f, r.packets());
            assertEquals(r.dropped(), r.resendsAsked(), "each lost packet asked for once");
            assertEquals(r.dropped(), origin.counts.served.get(), "and resent once");
            assertEquals(0, origin.counts.refused.get() + origin.counts.tooOld.get());
        }
    }

    @Test
    void severalPlayersAtOnceEachLosingSomeGetEveryPacket() throws Exception {
        // Each loses a fifth of its packets, the preroll's burst included, and asks again once
        // per packet that arrives after a gap: bursts of requests within a millisecond, which a
        // queue bound of 4 per player refused (the player never asks twice). Four at once, so
        // that the session loops are busy when the requests come.
        int n = 4;
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults().withPacingSpeed(4),
                UdpSettings.defaults().withPort(0))) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
            try {
                List<java.util.concurrent.Future<Integer>> plays = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long seed = 100 + i;
                    plays.add(pool.submit(() -> {
                        try (AsfFile mine = AsfFile.open(Fixtures.media("av.asf"));
                             UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
                             MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
                            MmsTestClient.Funnel funnel = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER,
                                    MmsConstants.PACKET_PAIR_OFF, r.funnelName("10.0.0.1"));
                            assertTrue(funnel.connected());
                            r.loseAndRecover(0.2, seed, origin.udp(), funnel.clientId());
                            playToTheEnd(c, r, mine, "av.asf");
                            assertEveryPacketExact(mine, r.packets());
                            assertEquals(r.dropped(), r.resendsAsked(), "each lost packet asked for once");
                            return r.dropped();
                        }
                    }));
                }
                int lost = 0;
                for (var p : plays) {
                    try {
                        lost += p.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new AssertionError("a player failed; the server was asked for " + origin.counts.asked.get()
                                + " packets, resent " + origin.counts.served.get() + ", refused "
                                + origin.counts.refused.get() + ", too old " + origin.counts.tooOld.get(), e.getCause());
                    }
                }
                assertTrue(lost >= 5 * n, "packets were lost on purpose: " + lost);
                assertEquals(lost, origin.counts.served.get(), "every one resent");
                assertEquals(0, origin.counts.refused.get(), "none refused");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void withEpollEveryEventLoopHasASocketOfItsOwnOnTheOnePort() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.mmsedge.server.net.Transports.epollUsable()
                        && !Boolean.getBoolean("mmsedge.udp.noEpoll"),
                "a socket per loop (SO_REUSEPORT) is for servers on the epoll transport");
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults(), UdpSettings.defaults().withPort(0))) {
            UdpTransport udp = origin.server.udp();
            int loops = 0;
            for (var ignored : origin.server.group()) {
                loops++;
            }
            assertEquals(loops, udp.sockets(), "one socket per event loop of the server");
            for (java.net.InetSocketAddress a : udp.localAddresses()) {
                assertEquals(udp.localAddress(), a, "every socket on the one advertised port");
            }
        }
    }
}
