package io.mmsedge.server.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.UdpReceiver;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.server.ServerSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MMS over UDP must not be a reflector or an amplifier (MS-MMSP §5.1 and the cases):
 * datagrams go only to the address of the player's TCP connection, resends stay within their
 * limits, and datagrams from anyone else change nothing. 127.0.0.2 and up stand for other hosts.
 */
class UdpSecurityTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aFunnelNamingAnotherAddressStillSendsOnlyToThePlayer() throws Exception {
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults().withPacingSpeed(8),
                UdpSettings.defaults().withPort(0));
             AsfFile f = AsfFile.open(Fixtures.media("audio.asf"));
             UdpReceiver player = UdpReceiver.bind(ip("127.0.0.2"));
             UdpReceiver victim = UdpReceiver.bind(ip("127.0.0.3"), player.port());
             MmsTestClient c = MmsTestClient.connectFrom(origin.tcp(), ip("127.0.0.2"), TIMEOUT)) {
            // The player at .2 names .3, at the very port .3 listens on.
            MmsTestClient.Funnel funnel = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_UDP,
                    victim.funnelName("127.0.0.3"));
            assertTrue(funnel.connected());
            UdpPlayTest.playToTheEnd(c, player, f, "audio.asf");
            UdpPlayTest.assertEveryPacketExact(f, player.packets());
            victim.awaitQuiet(Duration.ofMillis(300), TIMEOUT);
            assertEquals(0, victim.datagrams(), "nothing went to the address the funnel named");
            assertEquals(origin.counts.datagrams.get(), player.datagrams(), "everything went to the player");
        }
    }

    @Test
    void aResendFloodStaysWithinTheResendLimit() throws Exception {
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults(), UdpSettings.defaults().withPort(0));
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
            MmsTestClient.Funnel funnel = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_OFF,
                    r.funnelName("10.0.0.1"));
            c.open("av.asf");
            c.readHeaderByUdp(2);
            while (r.header().length < f.header().fileHeaderSize()) {
                Thread.sleep(10);
            }
            c.selectStreams(UdpPlayTest.allStreams(f));
            c.startPlaying(0, 4);
            while (r.packets().size() < 20) { // the preroll has arrived: there is something to resend
                Thread.sleep(10);
            }
            long t0 = System.nanoTime();
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                all.add(i); // 32 distinct packets, the last ones perhaps not sent yet
            }
            // A request naming one packet 32 times gets it at most once.
            r.requestResend(origin.udp(), funnel.clientId(), Collections.nCopies(32, 3));
            for (int i = 0; i < 300; i++) {
                r.requestResend(origin.udp(), funnel.clientId(), all);
            }
            r.awaitQuiet(Duration.ofMillis(300), TIMEOUT);
            double seconds = (System.nanoTime() - t0) / 1e9;
            c.send(new CloseFile(1, 1));
            long asked = origin.counts.asked.get();
            long served = origin.counts.served.get();
            // UDP may lose some of the flood on the way in; most of it arrives.
            assertTrue(asked > 100 * 32 && asked <= 32 + 300 * 32, "requests seen: " + asked / 32);
            // §5.1: at most a burst of 32 and 4 a second (av.asf's quarter packet rate is below 4).
            assertTrue(served <= 32 + 4 * (seconds + 1), "served " + served + " in " + seconds + " s");
            assertTrue(served >= 20, "the first request's distinct packets were served: " + served);
            assertEquals(asked, served + origin.counts.refused.get() + origin.counts.tooOld.get() + (32 - 1),
                    "every packet asked for was served, refused or too old (less the 31 repeats of packet 3)");
            assertTrue(origin.counts.refused.get() > asked / 2, "most refused: " + origin.counts.refused.get());
            assertEquals(served, r.duplicates(), "resends were of packets the player had: each arrived twice");
        }
    }

    @Test
    void datagramsFromStrangersAreDroppedAndCountedWithoutHarm() throws Exception {
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults().withPacingSpeed(8),
                UdpSettings.defaults().withPort(0));
             AsfFile f = AsfFile.open(Fixtures.media("audio.asf"));
             UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             UdpReceiver spoofer = UdpReceiver.bind(ip("127.0.0.5"));
             MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
            MmsTestClient.Funnel funnel = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_OFF,
                    r.funnelName("10.0.0.1"));
            InetSocketAddress udp = origin.udp();
            // The right Client-ID from the wrong address, a wrong Client-ID, a wrong wSourceId, garbage.
            spoofer.requestResend(udp, funnel.clientId(), List.of(0, 1, 2));
            r.requestResend(udp, funnel.clientId() ^ 0x5A5A5A5A, List.of(0, 1, 2));
            r.sendRaw(udp, UdpReceiver.encode(funnel.clientId(), 7, List.of(0)));
            r.sendRaw(udp, new byte[] {0x0D, (byte) 0xF0, (byte) 0xEF, (byte) 0xBE, 1, 2, 3});
            r.sendRaw(udp, new byte[0]);
            UdpPlayTest.playToTheEnd(c, r, f, "audio.asf");
            UdpPlayTest.assertEveryPacketExact(f, r.packets());
            assertEquals(1, origin.counts.dropped("foreign_source"));
            assertEquals(1, origin.counts.dropped("unknown_client"));
            assertEquals(1, origin.counts.dropped("wrong_source_id"));
            assertEquals(2, origin.counts.dropped("malformed"));
            assertEquals(0, origin.counts.asked.get(), "none of them reached the player's session");
            assertEquals(0, spoofer.datagrams(), "and nothing went to the spoofer");
            assertEquals(0, r.duplicates());
        }
    }

    @Test
    void aRefusedOrAbandonedUdpFunnelRollsOverToTcp() throws Exception {
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults().withPacingSpeed(0),
                UdpSettings.defaults().withPort(0));
             AsfFile f = AsfFile.open(Fixtures.media("audio.asf"))) {
            // 1. A well-known port is refused (ReportDisconnectedFunnel); the player's next
            //    ConnectFunnel, TCP, is accepted on the same connection (§3.1.5.3) and plays.
            try (MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
                MmsTestClient.Funnel refused = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER,
                        MmsConstants.PACKET_PAIR_OFF, "\\\\127.0.0.1\\UDP\\53");
                assertFalse(refused.connected(), "UDP port 53 refused");
                assertTrue(c.connectFunnel(refused.clientId(), 0, "\\\\192.168.0.1\\TCP\\1242").connected());
                assertEquals(f.packetCount(), playOverTcp(c, f));
            }
            // 2. A UDP funnel, then TCP instead before opening: the UDP side is gone at once.
            try (UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
                 MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
                MmsTestClient.Funnel udp = c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_OFF,
                        r.funnelName("127.0.0.1"));
                assertTrue(udp.connected());
                assertEquals(1, origin.server.udp().playerCount());
                assertTrue(c.connectFunnel(udp.clientId(), 0, "\\\\192.168.0.1\\TCP\\1242").connected());
                assertEquals(0, origin.server.udp().playerCount());
                assertEquals(f.packetCount(), playOverTcp(c, f));
                assertEquals(0, r.datagrams());
            }
            // 3. A player whose UDP data never arrives (its socket is gone: NAT, firewall) gives up
            //    and connects again over TCP, as Windows Media Player does; the first session's UDP
            //    side goes with its connection.
            UdpReceiver lost = UdpReceiver.bind(InetAddress.getLoopbackAddress());
            try (MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
                assertTrue(c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_OFF,
                        lost.funnelName("127.0.0.1")).connected());
                lost.close();
                c.open("audio.asf");
                c.readHeaderByUdp(2);
            }
            try (MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                assertEquals(f.packetCount(), playOverTcp(c, f));
            }
            long end = System.nanoTime() + TIMEOUT.toNanos();
            while (origin.server.udp().playerCount() > 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertEquals(0, origin.server.udp().playerCount());
            assertEquals(0, origin.counts.sessions.get(), "every UDP session counted out");
        }
    }

    private static int playOverTcp(MmsTestClient c, AsfFile f) throws Exception {
        c.open("audio.asf");
        c.readHeader(2);
        c.selectStreams(UdpPlayTest.allStreams(f));
        c.startPlaying(0, 4);
        return c.readUntilEnd(false, 100_000).packets.size();
    }
}
