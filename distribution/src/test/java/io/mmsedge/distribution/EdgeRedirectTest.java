package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.ScriptedMmsServer;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redirects from upstream (MS-MMSP §2.2.4.9, §3.1.5.7): scripted upstream peers that answer
 * OpenFile with LinkMacToViewerReportRedirect, and a real origin behind them.
 */
class EdgeRedirectTest {

    /** An upstream that answers every OpenFile with a redirect. */
    private static ScriptedMmsServer redirecting(int type, String location) throws InterruptedException {
        return new ScriptedMmsServer((m, ch) -> {
            if (m instanceof OpenFile) {
                ch.writeAndFlush(new ReportRedirect(0, type, location));
            }
        });
    }

    private static EdgeApplication edgeTo(int upstreamPort, String extra) throws Exception {
        return EdgeProxyTest.edge("""
                edge:
                  bind: 127.0.0.1
                  port: 0
                  connectTimeoutSeconds: 2
                  reverse:
                    - prefix: ""
                      origins: ["mms://127.0.0.1:%d"]
                %s""".formatted(upstreamPort, extra));
    }

    @Test
    void aType1RedirectIsFollowedByTheEdge() throws Exception {
        try (EdgeProxyTest.RecordingOrigin origin = new EdgeProxyTest.RecordingOrigin(0);
             ScriptedMmsServer mover = redirecting(1, "mmst://127.0.0.1:" + origin.port() + "/av.asf");
             EdgeApplication edge = edgeTo(mover.address().getPort(), "");
             MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            ReportOpenFile of = c.open("old-name.asf");
            assertEquals(0, of.hr(), "the edge followed the redirect");
            assertEquals(1, origin.subscribers.size(), "and opened the new URL at the origin");
            assertEquals(1, mover.received.stream().filter(OpenFile.class::isInstance).count());
        }
    }

    @Test
    void aType1RedirectIsPassedToThePlayerWhenConfigured() throws Exception {
        try (ScriptedMmsServer mover = redirecting(1, "mmst://media.example:1755/new.asf");
             EdgeApplication edge = edgeTo(mover.address().getPort(), "  followRedirects: false\n");
             MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.send(new OpenFile(1, 0, 0, "old.asf", new byte[0]));
            ReportRedirect rd = c.expect(ReportRedirect.class);
            assertEquals(1, rd.redirectType());
            assertEquals("mmst://media.example:1755/new.asf", rd.location());
            assertTrue(c.closedByServer(), "session closed after a redirect (§3.2.5.6)");
        }
    }

    @Test
    void aType2RedirectWithoutLocationMakesTheEdgeGoDirectToTheOrigin() throws Exception {
        try (EdgeProxyTest.RecordingOrigin origin = new EdgeProxyTest.RecordingOrigin(0);
             ScriptedMmsServer proxy = redirecting(2, "");
             EdgeApplication edge = edgeTo(origin.port(),
                     "  upstreamProxy: \"mms://127.0.0.1:" + proxy.address().getPort() + "\"\n")) {
            EdgeProxyTest.playAndCheck(edge.edgeAddress(), MmsTestClient.DEFAULT_SUBSCRIBER, "audio.asf");
            assertEquals(1, proxy.received.stream().filter(OpenFile.class::isInstance).count(),
                    "the upstream proxy was asked first");
            assertEquals(1, origin.subscribers.size(), "then the origin, directly");
        }
    }

    @Test
    void aType2RedirectToAnotherProxyIsHonoured() throws Exception {
        try (EdgeProxyTest.RecordingOrigin origin = new EdgeProxyTest.RecordingOrigin(0);
             EdgeApplication sibling = EdgeProxyTest.edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       instanceId: sibling
                       forward: {enabled: true, allow: ["127.0.0.1:*"]}
                     """);
             ScriptedMmsServer busyProxy = redirecting(2, "mms://127.0.0.1:" + sibling.edgeAddress().getPort());
             EdgeApplication edge = EdgeProxyTest.edge("""
                     edge:
                       bind: 127.0.0.1
                       port: 0
                       instanceId: first
                       upstreamProxy: "mms://127.0.0.1:%d"
                       reverse:
                         - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                     """.formatted(busyProxy.address().getPort(), origin.port()))) {
            EdgeProxyTest.playAndCheck(edge.edgeAddress(), MmsTestClient.DEFAULT_SUBSCRIBER, "audio.asf");
            assertEquals(1, origin.subscribers.size());
            assertEquals(List.of(edge.proxy().settings().via().value(), sibling.proxy().settings().via().value()),
                    origin.subscribers.get(0).via(), "reached the origin through the named proxy");
        }
    }

    @Test
    void aRedirectLoopEndsWithAnErrorNotAHang() throws Exception {
        ScriptedMmsServer[] self = new ScriptedMmsServer[1];
        try (ScriptedMmsServer looping = new ScriptedMmsServer((m, ch) -> {
            if (m instanceof OpenFile) {
                ch.writeAndFlush(new ReportRedirect(0, 1, "mmst://127.0.0.1:" + self[0].address().getPort() + "/x.asf"));
            }
        })) {
            self[0] = looping;
            try (EdgeApplication edge = edgeTo(looping.address().getPort(), "");
                 MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                long t0 = System.nanoTime();
                ReportOpenFile of = c.open("x.asf");
                assertTrue(Hresults.failed(of.hr()), "hr=" + Hresults.hex(of.hr()));
                assertTrue((System.nanoTime() - t0) / 1e9 < 5);
                long opens = looping.received.stream().filter(OpenFile.class::isInstance).count();
                assertEquals(1, opens, "the loop is recognised before asking the same URL again");
            }
        }
    }

    @Test
    void anEndlessChainOfDistinctRedirectsStopsAtTheHopBound() throws Exception {
        // Each answer redirects to a new path on the same server: no URL repeats, so only the
        // hop bound (edge.maxRedirectHops) ends it.
        ScriptedMmsServer[] self = new ScriptedMmsServer[1];
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        try (ScriptedMmsServer chain = new ScriptedMmsServer((m, ch) -> {
            if (m instanceof OpenFile) {
                ch.writeAndFlush(new ReportRedirect(0, 1, "mmst://127.0.0.1:" + self[0].address().getPort()
                        + "/hop" + n.incrementAndGet() + ".asf"));
            }
        })) {
            self[0] = chain;
            try (EdgeApplication edge = edgeTo(chain.address().getPort(), "  maxRedirectHops: 3\n");
                 MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10))) {
                c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                ReportOpenFile of = c.open("start.asf");
                assertTrue(Hresults.failed(of.hr()), "hr=" + Hresults.hex(of.hr()));
                assertEquals(4, chain.received.stream().filter(OpenFile.class::isInstance).count(),
                        "the first request plus 3 followed redirects");
            }
        }
    }
}
