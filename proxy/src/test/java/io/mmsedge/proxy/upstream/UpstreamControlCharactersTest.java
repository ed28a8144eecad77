package io.mmsedge.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #17: what a player sent never carries a CR, LF or other control character to the
 * origin, where it would forge lines of the origin's log. The subscriberName's tokens are
 * stripped (with a warning), a path holding one is refused before connecting.
 */
class UpstreamControlCharactersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String GUID = "3300AD50-2C39-46C0-AE0A-60A1B9F20D02";

    private static EventLoopGroup group;
    private static Origin origin;

    @BeforeAll
    static void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        origin = Origin.fast();
    }

    @AfterAll
    static void stop() {
        origin.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static UpstreamOpenResult open(String path, SubscriberName player) throws Exception {
        return UpstreamSession.open(new UpstreamRequest(origin.address(), origin.hostPort(), path, player,
                "mms-edge/test", null, TIMEOUT, 65535), group).get(30, TimeUnit.SECONDS);
    }

    private static boolean hasControl(String s) {
        return s != null && s.chars().anyMatch(c -> c < 0x20 || c == 0x7F);
    }

    @Test
    void crLfInThePlayersTokensNeverReachTheOrigin() throws Exception {
        SubscriberName player = SubscriberName.parse("NSPlayer/7.0\r\n06:00:00 INFO forged line; {" + GUID
                + "\r\n}; Host: edge\r\nX\0HOST: edge\t:1755\0VIA: a/1\r\n, b\u007F/2");
        try (LogCapture logs = LogCapture.begin()) {
            UpstreamOpenResult r = open("audio.asf", player);
            UpstreamOpenResult.Opened o = assertInstanceOf(UpstreamOpenResult.Opened.class, r, () -> "" + r);
            try (Upstream s = o.session()) {
                String sent = s.subscriberNameSent();
                assertFalse(hasControl(sent.replace("\0", "")), "sent: " + sent.replace("\0", "|"));
                assertTrue(sent.startsWith("NSPlayer/7.006:00:00 INFO forged line; {" + GUID + "}"), sent);
            }
            String warning = logs.await(2000, "subscriberName from the player carried", "stripped");
            assertNotNull(warning, "a warning: " + logs.lines());
            assertFalse(hasControl(warning), warning);
        }
        SubscriberName atOrigin = origin.lastRequest().subscriber();
        assertEquals("NSPlayer/7.006:00:00 INFO forged line", atOrigin.clientToken());
        assertEquals(GUID, atOrigin.guid());
        assertFalse(hasControl(atOrigin.hostString()), atOrigin.hostString());
        assertFalse(atOrigin.via().stream().anyMatch(UpstreamControlCharactersTest::hasControl), "" + atOrigin.via());
        assertEquals("audio.asf", origin.lastRequest().path());
    }

    @Test
    void aPathWithACrLfIsRefusedWithoutConnecting() throws Exception {
        int before = origin.requests.size();
        for (String path : new String[] {"audio.asf\r\n06:00:00 INFO forged", "a\nb.asf", "audio\u0007.asf",
                "audio.asf\0"}) {
            UpstreamOpenResult r = open(path, null);
            UpstreamOpenResult.Failed f = assertInstanceOf(UpstreamOpenResult.Failed.class, r, () -> "" + r);
            assertEquals(Hresults.E_INVALID_ARG, f.hr(), f.reason());
            assertTrue(f.reason().contains("invalid path"), f.reason());
        }
        assertEquals(before, origin.requests.size(), "the origin was never asked");
    }
}
