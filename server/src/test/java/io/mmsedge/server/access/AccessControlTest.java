package io.mmsedge.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Access lists and limits on a real server with the test client; "another IP" is a client
 * socket bound to 127.0.0.2 and up. Refusals must carry the WMS HRESULT (or a type 2 redirect),
 * be logged with peer, rule and reason, and be counted.
 */
class AccessControlTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    private final ServerMetrics metrics = new ServerMetrics() {
        @Override
        public void error(String reason) {
            errors.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
        }
    };
    private final List<MmsServer> servers = new ArrayList<>();
    private final List<MmsTestClient> clients = new ArrayList<>();
    private AccessControl control;

    @AfterEach
    void close() throws IOException {
        for (MmsTestClient c : clients) {
            c.close();
        }
        servers.forEach(MmsServer::close);
    }

    private static DirectoryCatalog files() {
        return new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT);
    }

    private MmsServer server(AccessPolicy policy, ServerSettings settings) throws InterruptedException {
        control = new AccessControl(files(), policy, metrics, "server");
        MmsServer s = new MmsServer(settings, control, metrics, null).start(new InetSocketAddress("127.0.0.1", 0));
        servers.add(s);
        return s;
    }

    private MmsServer server(AccessPolicy policy) throws InterruptedException {
        return server(policy, ServerSettings.defaults());
    }

    private static AccessPolicy listener(AccessRules rules) {
        return new AccessPolicy(rules, List.of());
    }

    private static AccessRules rules(List<String> allow, List<String> deny, int maxPlayers, long maxBps, long playerBps,
                                     int perSecond, String redirect) {
        return new AccessRules(allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList(),
                maxPlayers, maxBps, playerBps, perSecond, redirect);
    }

    private MmsTestClient player(MmsServer s, String from) throws IOException {
        MmsTestClient c = MmsTestClient.connectFrom(s.localAddress(), InetAddress.getByName(from), WAIT);
        clients.add(c);
        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
        return c;
    }

    static int[] avStreams() throws IOException {
        try (io.mmsedge.protocol.asf.AsfFile f = io.mmsedge.protocol.asf.AsfFile.open(Fixtures.media("av.asf"))) {
            return f.header().streams().stream().mapToInt(io.mmsedge.protocol.asf.AsfStream::number).toArray();
        }
    }

    private int errors(String reason) {
        AtomicInteger n = errors.get(reason);
        return n == null ? 0 : n.get();
    }

    @Test
    void aDeniedAddressGetsAccessDeniedAndAnotherAddressPlays() throws Exception {
        MmsServer s = server(listener(rules(List.of(), List.of("127.0.0.2/32"), 0, 0, 0, 0, "mms://sibling.example")));
        try (LogCapture logs = LogCapture.begin()) {
            ReportOpenFile denied = player(s, "127.0.0.2").open("av.asf");
            assertEquals(Hresults.E_ACCESS_DENIED, denied.hr(), "a denial is never redirected");
            logs.await(5000, "peer=/127.0.0.2", "path=av.asf", "access_denied", "deny 127.0.0.2/32");
        }
        assertEquals(1, errors("access_denied"));
        MmsTestClient ok = player(s, "127.0.0.3");
        assertEquals(Hresults.S_OK, ok.open("av.asf").hr());
        ok.readHeader(1);
        ok.selectStreams(avStreams());
        ok.startPlaying(0, 2);
        assertTrue(ok.readUntilEnd(false, 100_000).packets.size() > 10, "the allowed address plays to the end");
    }

    @Test
    void anAllowListAdmitsOnlyItsBlocksIncludingAMappedRule() throws Exception {
        MmsServer s = server(listener(rules(List.of("::ffff:127.0.0.3/128", "10.0.0.0/8"), List.of(), 0, 0, 0, 0,
                null)));
        assertEquals(Hresults.S_OK, player(s, "127.0.0.3").open("av.asf").hr());
        assertEquals(Hresults.E_ACCESS_DENIED, player(s, "127.0.0.2").open("av.asf").hr());
    }

    @Test
    void aScopeAddsItsOwnRulesToTheListeners() throws Exception {
        // The fixtures directory is the root; "av.asf" and "audio.asf" are two scopes of their own.
        MmsServer s = server(new AccessPolicy(AccessRules.NONE, List.of(
                new AccessPolicy.Scope("av", "av.asf", rules(List.of(), List.of("127.0.0.4"), 0, 0, 0, 0, null)),
                new AccessPolicy.Scope("default", "", AccessRules.NONE))));
        assertEquals(Hresults.E_ACCESS_DENIED, player(s, "127.0.0.4").open("av.asf").hr());
        assertEquals(Hresults.S_OK, player(s, "127.0.0.4").open("audio.asf").hr());
    }

    @Test
    void atThePlayerLimitTheNextPlayerGetsMaxClientsUntilOneLeaves() throws Exception {
        MmsServer s = server(listener(rules(List.of(), List.of(), 1, 0, 0, 0, null)));
        MmsTestClient first = player(s, "127.0.0.2");
        assertEquals(Hresults.S_OK, first.open("av.asf").hr());
        try (LogCapture logs = LogCapture.begin()) {
            assertEquals(Hresults.NS_E_MAX_CLIENTS, player(s, "127.0.0.3").open("av.asf").hr());
            logs.await(5000, "peer=/127.0.0.3", "access_max_players", "maxPlayers 1");
        }
        assertEquals(1, errors("access_max_players"));
        first.close();
        long end = System.nanoTime() + WAIT.toNanos();
        while (control.players() != 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(0, control.players(), "a closed session gives its place back");
        assertEquals(Hresults.S_OK, player(s, "127.0.0.3").open("av.asf").hr());
    }

    @Test
    void aLimitSwappedInLaterCountsThePlayersAlreadyIn() throws Exception {
        MmsServer s = server(AccessPolicy.OPEN);
        assertEquals(Hresults.S_OK, player(s, "127.0.0.2").open("av.asf").hr());
        AccessPolicy before = control.replace(listener(rules(List.of(), List.of(), 1, 0, 0, 0, null)));
        assertEquals(AccessPolicy.OPEN, before);
        assertEquals(1, control.players());
        assertEquals(Hresults.NS_E_MAX_CLIENTS, player(s, "127.0.0.3").open("av.asf").hr());
    }

    @Test
    void atThePlayerLimitAConfiguredSiblingGetsThePlayerByATypeTwoRedirect() throws Exception {
        MmsServer sibling = server(AccessPolicy.OPEN);
        String location = "mms://127.0.0.1:" + sibling.localAddress().getPort();
        MmsServer s = server(listener(rules(List.of(), List.of(), 1, 0, 0, 0, location)));
        assertEquals(Hresults.S_OK, player(s, "127.0.0.2").open("av.asf").hr());
        MmsTestClient second = player(s, "127.0.0.3");
        second.send(new OpenFile(1, 0, 0, "av.asf", new byte[0]));
        ReportRedirect redirect = second.expect(ReportRedirect.class);
        assertEquals(0x0002, redirect.redirectType());
        assertEquals(location, redirect.location());
        assertEquals(1, errors("access_max_players"));
        // The player follows: the same open at the sibling plays.
        MmsTestClient followed = player(sibling, "127.0.0.3");
        assertEquals(Hresults.S_OK, followed.open("av.asf").hr());
        followed.readHeader(1);
        followed.selectStreams(avStreams());
        followed.startPlaying(0, 2);
        assertTrue(followed.readUntilEnd(false, 100_000).packets.size() > 10);
    }

    @Test
    void aNewPlayerOverTheAggregateBandwidthGetsMaxBitrate() throws Exception {
        long bitRate;
        try (Media m = ((OpenResult.Opened) files().open(new OpenRequest("av.asf", null,
                new InetSocketAddress("127.0.0.1", 1), null, null))).media()) {
            bitRate = m.info().bitRate();
        }
        assertTrue(bitRate > 0);
        MmsServer s = server(AccessPolicy.OPEN);
        // The policy is swapped on the running listener: new sessions are checked against it.
        control.replace(listener(rules(List.of(), List.of(), 0, bitRate + bitRate / 2, 0, 0, null)));
        assertEquals(Hresults.S_OK, player(s, "127.0.0.2").open("av.asf").hr());
        assertEquals(bitRate, control.bandwidthBps());
        assertEquals(Hresults.NS_E_MAX_BITRATE, player(s, "127.0.0.3").open("av.asf").hr());
        assertEquals(1, errors("access_max_bandwidth"));
        assertEquals(bitRate, control.bandwidthBps(), "the refused player took nothing");
    }

    @Test
    void tooManyNewSessionsFromOneAddressGetTooManySessAndOtherAddressesDoNot() throws Exception {
        MmsServer s = server(listener(rules(List.of(), List.of(), 0, 0, 0, 2, null)));
        int refused = 0;
        // A bucket of 2 refilled at 2 a second: 20 opens in a row from one address are refused
        // unless they take over 9 seconds.
        for (int i = 0; i < 20; i++) {
            int hr = player(s, "127.0.0.5").open("av.asf").hr();
            if (hr == Hresults.NS_E_TOO_MANY_SESS) {
                refused++;
            } else {
                assertEquals(Hresults.S_OK, hr);
            }
        }
        assertTrue(refused > 0, "no open was refused");
        assertEquals(refused, errors("access_connection_rate"));
        assertEquals(Hresults.S_OK, player(s, "127.0.0.6").open("av.asf").hr(), "another address has its own bucket");
    }

    /** The Data packets of one whole play of av.asf, and how long they took from the first. */
    private record Play(List<Received.Data> packets, long nanos) {
        long bytes() {
            return packets.stream().mapToLong(d -> d.payload().length).sum();
        }
    }

    private Play playAll(MmsServer s, String from) throws IOException {
        MmsTestClient c = player(s, from);
        assertEquals(Hresults.S_OK, c.open("av.asf").hr());
        c.readHeader(1);
        c.selectStreams(avStreams());
        c.startPlaying(0, 2);
        long start = System.nanoTime();
        MmsTestClient.PlayResult r = c.readUntilEnd(false, 100_000);
        return new Play(r.packets, System.nanoTime() - start);
    }

    @Test
    void aPlayerOverItsBandwidthIsSlowedNotCut() throws Exception {
        // Unpaced (pacingSpeed 0): without a limit the file goes as fast as loopback takes it.
        MmsServer s = server(AccessPolicy.OPEN, ServerSettings.defaults().withPacingSpeed(0));
        Play free = playAll(s, "127.0.0.2");
        long limitBps = 400_000; // 50,000 bytes a second
        control.replace(listener(rules(List.of(), List.of(), 0, 0, limitBps, 0, null)));
        Play slowed = playAll(s, "127.0.0.2");
        // Every packet, whole and in order: the same bytes as the unlimited play.
        assertEquals(free.packets().size(), slowed.packets().size());
        for (int i = 0; i < free.packets().size(); i++) {
            assertEquals(free.packets().get(i).locationId(), slowed.packets().get(i).locationId());
            assertTrue(java.util.Arrays.equals(free.packets().get(i).payload(), slowed.packets().get(i).payload()),
                    "packet " + i);
        }
        // The bucket lets a burst of 64 KiB through, then limit/8 bytes a second: the play can't
        // be quicker than that allows (a slow machine only makes it slower), and must still
        // flow (generously: at a quarter of the limit).
        double bytesPerSecond = limitBps / 8.0;
        double minSeconds = (slowed.bytes() - ThrottledCursor.MIN_BURST_BYTES - 16 * 1024) / bytesPerSecond;
        double seconds = slowed.nanos() / 1e9;
        assertTrue(minSeconds > 2, "the fixture is too small to measure: " + minSeconds);
        assertTrue(seconds >= minSeconds * 0.9, "came at " + (slowed.bytes() / seconds) + " B/s, over the limit");
        assertTrue(seconds <= slowed.bytes() / (bytesPerSecond / 4) + 5, "took " + seconds + " s");
    }
}
