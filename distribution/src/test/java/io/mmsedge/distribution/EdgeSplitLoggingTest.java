package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The logs of a split broadcast's players reach the origin (issue 13 §5), as a WMS splitting
 * proxy forwards them so that the origin's viewer statistics count the players behind the edge:
 * one upstream log per player log, all through the split's one upstream session, and bounded
 * so that a flood of player logs does not flood the origin.
 */
class EdgeSplitLoggingTest {

    private static final Pattern PEER = Pattern.compile("peer=(\\S+) ");

    private static EdgeApplication splittingEdge(EdgeApplication origin) throws Exception {
        return EdgeSplitTest.splittingEdge(origin.mmsAddress().getPort(), "");
    }

    /** A player watching the live point through the edge, with a few packets read. */
    private static MmsTestClient watch(EdgeApplication edge, int pi) throws Exception {
        MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(10));
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        assertEquals(0, c.open("live").hr());
        c.readHeader(2);
        c.selectStreams(1, 2);
        c.startPlaying(0, pi);
        for (int got = 0; got < 5; ) {
            if (c.nextAnsweringPings() instanceof Received.Data) {
                got++;
            }
        }
        return c;
    }

    /** The client-log lines carrying {@code pid} that the origin wrote: not from a player's own connection. */
    private static List<String> atOrigin(LogCapture logs, String pid, MmsTestClient... players) {
        return logs.lines().stream().filter(l -> l.contains("event=client-log") && l.contains(pid))
                .filter(l -> {
                    for (MmsTestClient p : players) {
                        if (l.contains("peer=/127.0.0.1:" + p.localPort() + " ")) {
                            return false; // the edge's own access-log line for its player
                        }
                    }
                    return true;
                }).toList();
    }

    private static String peer(String line) {
        Matcher m = PEER.matcher(line);
        assertTrue(m.find(), line);
        return m.group(1);
    }

    @Test
    void eachPlayersLogReachesTheOriginOnceThroughTheSplitsSession() throws Exception {
        try (EdgeApplication origin = TestServers.liveOrigin(0, 4); EdgeApplication edge = splittingEdge(origin);
             LogCapture logs = LogCapture.begin();
             MmsTestClient a = watch(edge, 4); MmsTestClient b = watch(edge, 5)) {
            assertEquals(1, edge.proxy().splits().splits().size(), "both players watch one split");
            a.send(EdgeProxyTest.playersLog("{pid-a}"));
            b.send(EdgeProxyTest.playersLog("{pid-b}"));
            for (String pid : List.of("{pid-a}", "{pid-b}")) {
                assertNotNull(logs.await(5000, l -> l.contains("event=client-log") && l.contains(pid)
                        && !l.contains("peer=/127.0.0.1:" + a.localPort() + " ")
                        && !l.contains("peer=/127.0.0.1:" + b.localPort() + " ")),
                        "the origin logged " + pid + ": " + logs.lines());
            }
            Thread.sleep(300); // a second copy would have arrived by now
            List<String> fromA = atOrigin(logs, "{pid-a}", a, b);
            List<String> fromB = atOrigin(logs, "{pid-b}", a, b);
            assertEquals(1, fromA.size(), "one upstream log per player log: " + fromA);
            assertEquals(1, fromB.size(), "one upstream log per player log: " + fromB);
            assertEquals(peer(fromA.get(0)), peer(fromB.get(0)), "both came through the split's one upstream session");
            assertTrue(fromA.get(0).contains("path=live"), fromA.get(0));
        }
    }

    @Test
    void aFloodOfPlayerLogsDoesNotFloodTheOrigin() throws Exception {
        int flood = 2000;
        try (EdgeApplication origin = TestServers.liveOrigin(0, 4); EdgeApplication edge = splittingEdge(origin);
             LogCapture logs = LogCapture.begin();
             MmsTestClient a = watch(edge, 4); MmsTestClient b = watch(edge, 5)) {
            var log = EdgeProxyTest.playersLog("{pid-flood}");
            for (int i = 0; i < flood; i++) {
                a.send(log);
            }
            assertNotNull(logs.await(10_000, "player log(s) not forwarded to the origin", "more than"),
                    "the edge says it dropped logs");
            // The queue drains: the origin gets logs, and far fewer than were sent.
            assertNotNull(logs.await(5000, l -> !atOrigin(logs, "{pid-flood}", a, b).isEmpty()));
            Thread.sleep(1500);
            int forwarded = atOrigin(logs, "{pid-flood}", a, b).size();
            assertTrue(forwarded > 0 && forwarded < flood / 2, forwarded + " of " + flood + " reached the origin");
            // The other player's stream goes on.
            for (int got = 0; got < 10; ) {
                if (b.nextAnsweringPings() instanceof Received.Data) {
                    got++;
                }
            }
        }
    }
}
