package io.mmsedge.server.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.UdpReceiver;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.accesslog.AccessField;
import io.mmsedge.server.accesslog.AccessLog;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A session whose Data went over a UDP funnel (§3.2.5.5) is logged with transport UDP. */
class UdpAccessLogTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void theCloseLineSaysUdp() throws Exception {
        try (UdpOrigin origin = new UdpOrigin(ServerSettings.defaults().withPacingSpeed(8),
                UdpSettings.defaults().withPort(0));
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"));
             LogCapture logs = LogCapture.begin();
             UdpReceiver r = UdpReceiver.bind(InetAddress.getLoopbackAddress());
             MmsTestClient c = MmsTestClient.connect(origin.tcp(), TIMEOUT)) {
            assertTrue(c.funnel(MmsTestClient.DEFAULT_SUBSCRIBER, MmsConstants.PACKET_PAIR_OFF,
                    r.funnelName("10.0.0.1")).connected(), "UDP funnel accepted");
            // The play as UdpPlayTest's: the header arrives by UDP before StartPlaying goes (a
            // StartPlaying while the header is still being sent is refused, §3.2.5.8).
            UdpPlayTest.playToTheEnd(c, r, f, "av.asf");
            c.send(new CloseFile(1, 1));
            String line = logs.await(5000, "INFO " + AccessLog.LOGGER + " ");
            assertNotNull(line, logs.lines().toString());
            String[] v = line.substring(("INFO " + AccessLog.LOGGER + " ").length()).split(" ", -1);
            assertEquals("UDP", v[AccessField.TRANSPORT.ordinal()], line);
            assertEquals("mms", v[AccessField.PROTOCOL.ordinal()], line);
            assertEquals(Long.toString(f.packetCount()), v[AccessField.S_PKTS_SENT.ordinal()], line);
        }
    }
}
