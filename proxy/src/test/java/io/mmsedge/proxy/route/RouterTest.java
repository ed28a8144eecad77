package io.mmsedge.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.proxy.ProxySettings;
import io.mmsedge.proxy.ViaToken;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The routing rules, without sockets or DNS: names and addresses are only compared. */
class RouterTest {

    private static final ViaToken VIA = ViaToken.of("1.0", "cafe0001");
    private static final InetSocketAddress LISTENER = new InetSocketAddress("127.0.0.1", 17550);

    /** Single-label names, *.example and loopback addresses ("*" alone matches names without a dot). */
    private static final List<String> ALLOW_TEST_NAMES = List.of("*", "*.example", "127.0.0.0/8");

    private static ReverseRule reverse(String prefix, String... origins) {
        return new ReverseRule(prefix, Stream.of(origins).map(OriginUrl::parse).toList(), false);
    }

    private static ProxySettings settings(List<ReverseRule> reverse, List<String> allow, Set<String> localNames,
                                          List<RedirectRule> redirects, OriginUrl upstreamProxy) {
        return new ProxySettings(reverse, !allow.isEmpty(), allow.stream().map(AllowRule::parse).toList(), localNames,
                true, 5, redirects, 0, VIA, Duration.ofSeconds(5), upstreamProxy);
    }

    private static ProxySettings forwardOnly(String... allow) {
        return ProxySettings.reverseTo(List.of(), VIA).withForward(Stream.of(allow).map(AllowRule::parse).toList());
    }

    private static Router router(ProxySettings s) {
        return new Router(s, () -> LISTENER);
    }

    /** A player's subscriberName naming {@code host} in its "; Host: " part (no port: the URL's host). */
    private static SubscriberName naming(String host) {
        return SubscriberName.parse("NSPlayer/9.0.0.2980; {3300AD50-2C39-46c0-AE0A-5A4AB0B2B0F1}; Host: " + host);
    }

    /** A subscriberName with an explicit HOST string (host:port) as a proxy-configured player sends. */
    private static SubscriberName hostString(String hostPort) {
        return SubscriberName.parse("NSPlayer/9.0.0.2980; {3300AD50-2C39-46c0-AE0A-5A4AB0B2B0F1}\0HOST: " + hostPort);
    }

    private static Route.Upstream upstream(Route r) {
        return assertInstanceOf(Route.Upstream.class, r);
    }

    private static Route.Denied denied(Route r) {
        return assertInstanceOf(Route.Denied.class, r);
    }

    // ------------------------------------------------------------------ reverse rules

    @Test
    void reverseRuleMapsThePathBelowItsPrefixOntoEachOriginInOrder() {
        Router r = router(ProxySettings.reverseTo(List.of(
                reverse("live", "mms://o1.example:1755/pub", "mms://o2.example:8080/")), VIA));
        Route.Upstream up = upstream(r.route("live/news.asf", null));
        assertEquals(2, up.candidates().size());
        Hop first = up.candidates().get(0);
        assertEquals("o1.example:1755/pub/news.asf", first.key());
        assertEquals(InetSocketAddress.createUnresolved("o1.example", 1755), first.connectTo());
        assertTrue(first.connectTo().isUnresolved(), "no DNS while routing");
        assertEquals("o2.example:8080/news.asf", up.candidates().get(1).key());
        assertNull(up.forwardHost());
        assertFalse(first.playerNamed(), "an operator's origin");
        assertEquals("upstream:o1.example:1755", first.displayName());
    }

    @Test
    void reverseRulesAreTriedInOrderAndTheFirstMatchWins() {
        // ProxySettings: "reverse-proxy rules, first match wins": a more specific prefix must come first.
        Router specificFirst = router(ProxySettings.reverseTo(List.of(
                reverse("live/sports", "mms://sports.example"), reverse("live", "mms://live.example"),
                reverse("", "mms://default.example")), VIA));
        assertEquals("sports.example:1755/a.asf", upstream(specificFirst.route("live/sports/a.asf", null))
                .candidates().get(0).key());
        assertEquals("live.example:1755/news.asf", upstream(specificFirst.route("live/news.asf", null))
                .candidates().get(0).key());
        assertEquals("default.example:1755/vod/x.wmv", upstream(specificFirst.route("vod/x.wmv", null))
                .candidates().get(0).key());

        Router broadFirst = router(ProxySettings.reverseTo(List.of(
                reverse("live", "mms://live.example"), reverse("live/sports", "mms://sports.example")), VIA));
        assertEquals("live.example:1755/sports/a.asf", upstream(broadFirst.route("live/sports/a.asf", null))
                .candidates().get(0).key());
    }

    @Test
    void aPrefixMatchesWholePathSegmentsOnly() {
        Router r = router(ProxySettings.reverseTo(List.of(reverse("live", "mms://o.example/feed")), VIA));
        assertEquals("o.example:1755/feed", upstream(r.route("live", null)).candidates().get(0).key());
        Route.Denied d = denied(r.route("lively/x.asf", null));
        assertEquals("no_route", d.token());
        assertEquals(Hresults.E_ACCESS_DENIED, d.hr());
        assertEquals("no reverse rule serves 'lively/x.asf'", d.reason());
    }

    @Test
    void cacheProtectedFollowsTheRule() {
        Router r = router(ProxySettings.reverseTo(List.of(
                new ReverseRule("paid", List.of(OriginUrl.parse("mms://o.example")), true),
                reverse("", "mms://o.example")), VIA));
        assertTrue(upstream(r.route("paid/a.asf", null)).cacheProtected());
        assertEquals(false, upstream(r.route("free/a.asf", null)).cacheProtected());
    }

    @Test
    void anUpstreamProxyIsTheFirstHopToEveryOrigin() {
        OriginUrl proxy = OriginUrl.parse("mms://parent.example:1756");
        Router r = router(settings(List.of(reverse("", "mms://o.example")), List.of("*.example.com"), Set.of(),
                List.of(), proxy));
        Hop hop = upstream(r.route("a.asf", null)).candidates().get(0);
        assertEquals(InetSocketAddress.createUnresolved("parent.example", 1756), hop.connectTo());
        assertEquals("o.example:1755/a.asf", hop.key());
        Hop fwd = upstream(r.route("b.asf", naming("media.example.com"))).candidates().get(0);
        assertEquals(InetSocketAddress.createUnresolved("parent.example", 1756), fwd.connectTo());
        assertEquals("media.example.com:1755/b.asf", fwd.key());
    }

    // ------------------------------------------------------------------ forward mode

    @Test
    void forwardModeGoesToTheServerThePlayerNamed() {
        Router r = router(forwardOnly("*.example.com", "*.example.com:8080"));
        Route.Upstream up = upstream(r.route("live/a.asf", naming("Media.Example.com")));
        assertEquals(1, up.candidates().size());
        assertEquals("Media.Example.com", up.forwardHost());
        assertEquals("Media.Example.com:1755/live/a.asf", up.candidates().get(0).key());
        assertTrue(up.candidates().get(0).playerNamed(), "a player's target stays under the allow rules");
        // The NUL-separated HOST string wins over the host-param, and carries the port.
        SubscriberName both = SubscriberName.parse("NSPlayer/9.0; {g}; Host: other.example.com\0HOST: a.example.com:8080");
        assertEquals("a.example.com:8080/x", upstream(r.route("x", both)).candidates().get(0).key());
    }

    @Test
    void aRuleWithoutAPortAllowsOnlyTheStreamingPorts() {
        // Issue #17, finding 5: --allow 127.0.0.1 let players make the edge connect to :22.
        // (A host other than the edge's own address: naming the edge itself means the edge.)
        Router r = router(forwardOnly("origin.example", "media.example.com:8080", "*.any.example:*"));
        assertEquals("origin.example:1755/a.asf", upstream(r.route("a.asf", naming("origin.example"))).candidates().get(0).key());
        assertEquals("origin.example:1755/a.asf", upstream(r.route("a.asf", hostString("origin.example:1755")))
                .candidates().get(0).key());
        for (String port : List.of("22", "2024", "8755", "1756")) {
            Route.Denied d = denied(r.route("a.asf", hostString("origin.example:" + port)));
            assertEquals("forward_not_allowed", d.token(), port);
        }
        // A named port is allowed alone; ":*" allows any port on purpose.
        assertEquals("media.example.com:8080/a.asf", upstream(r.route("a.asf", hostString("media.example.com:8080")))
                .candidates().get(0).key());
        assertEquals("forward_not_allowed", denied(r.route("a.asf", hostString("media.example.com:1755"))).token());
        assertEquals("a.any.example:22/a.asf", upstream(r.route("a.asf", hostString("a.any.example:22")))
                .candidates().get(0).key());
        // Over MMSH (an absolute URI through the HTTP proxy) the streaming port is 80.
        assertEquals("origin.example:80/a.asf", upstream(r.route("a.asf", hostString("http://origin.example")))
                .candidates().get(0).key());
        assertEquals("forward_not_allowed", denied(r.route("a.asf", hostString("http://origin.example:8080"))).token());
    }

    @Test
    void malformedHostTokensAreRefusedNotReadAsTheDefaultPort() {
        Router r = router(forwardOnly("127.0.0.1:*"));
        for (String bad : List.of("127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:+17560", "127.0.0.1:17560/evil",
                "127.0.0.1:", "127.0.0.1 :1755", "a b", "host\r\nX: y", "[::1", "127.0.0.1:17560:1")) {
            Route.Denied d = denied(r.route("a.asf", hostString(bad)));
            assertEquals("bad_host", d.token(), bad);
            assertTrue(d.reason().contains("malformed host token"), d.reason());
        }
        assertEquals("127.0.0.1:17560/a.asf", upstream(r.route("a.asf", hostString("127.0.0.1:17560")))
                .candidates().get(0).key());
        assertEquals("[::1]:1755/a.asf", upstream(router(forwardOnly("::1/128")).route("a.asf", hostString("[::1]")))
                .candidates().get(0).key());
    }

    @Test
    void anAllowRuleWithABadPortIsRefusedAtStartUp() {
        for (String bad : List.of("h:0", "h:65536", "h:+1", "h:x", "h:")) {
            assertThrows(IllegalArgumentException.class, () -> AllowRule.parse(bad), bad);
        }
    }

    @Test
    void aForwardProxyWithoutAllowRulesRelaysNothing() {
        Router r = router(forwardOnly());
        Route.Denied d = denied(r.route("a.asf", naming("media.example.com")));
        assertEquals("forward_not_allowed", d.token());
        assertEquals(Hresults.E_ACCESS_DENIED, d.hr());
        assertTrue(d.reason().contains("not an open relay"), d.reason());
    }

    @Test
    void aDeniedForwardRequestDoesNotFallBackToTheReverseRules() {
        Router r = router(settings(List.of(reverse("", "mms://o.example")), List.of("*.example.com"), Set.of(),
                List.of(), null));
        assertEquals("forward_not_allowed", denied(r.route("a.asf", naming("evil.example.net"))).token());
        // Without a name, or naming this edge, the reverse rules serve it.
        assertEquals("o.example:1755/a.asf", upstream(r.route("a.asf", null)).candidates().get(0).key());
    }

    @Test
    void reverseOnlyEdgesIgnoreTheNamedServer() {
        Router r = router(ProxySettings.reverseTo(List.of(reverse("", "mms://o.example")), VIA));
        assertEquals("o.example:1755/a.asf", upstream(r.route("a.asf", naming("elsewhere.example.net")))
                .candidates().get(0).key());
        Route.Denied d = denied(router(ProxySettings.reverseTo(List.of(reverse("live", "mms://o.example")), VIA))
                .route("vod/a.asf", naming("x.example")));
        assertEquals("no reverse rule serves 'vod/a.asf'", d.reason());
    }

    @Test
    void hostPatternsMatchWholeLabels() {
        Router r = router(forwardOnly("*.example.com", "exact.example.org"));
        for (String ok : List.of("a.example.com", "a.b.example.com", "A.EXAMPLE.COM", "exact.example.org")) {
            upstream(r.route("x", naming(ok)));
        }
        for (String no : List.of("example.com", "evilexample.com", "a.example.com.evil.net", "a-example.com",
                "sub.exact.example.org", "exact.example.org.evil.net")) {
            assertEquals("forward_not_allowed", denied(r.route("x", naming(no))).token(), no);
        }
    }

    @Test
    void aPortInAnAllowRuleRestrictsThePort() {
        Router r = router(forwardOnly("media.example.com:1755"));
        upstream(r.route("x", hostString("media.example.com:1755")));
        upstream(r.route("x", naming("media.example.com"))); // no port: the default 1755
        denied(r.route("x", hostString("media.example.com:8080")));
    }

    @Test
    void cidrRulesAllowAddressesInTheirBlock() {
        Router r = router(forwardOnly("10.0.0.0/8", "192.168.4.0/22", "fd00::/8"));
        for (String ok : List.of("10.1.2.3", "10.255.255.255", "192.168.7.1", "fd00::1", "[fd12:3456::9]")) {
            upstream(r.route("x", naming(ok)));
        }
        for (String no : List.of("11.0.0.1", "192.168.8.1", "192.168.3.255", "fe80::1", "::1")) {
            assertEquals("forward_not_allowed", denied(r.route("x", naming(no))).token(), no);
        }
    }

    /**
     * Spellings of an address in the allowed block that the CIDR check does not take: it parses
     * only plain dotted or colon-hex literals, and never resolves a name (no DNS on the decision
     * path, and a name could resolve anywhere).
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "0x0a.0.0.1",        // hex octets
            "012.0.0.1",         // a leading zero is decimal here (12.0.0.1), not octal 10
            "::ffff:10.0.0.1",   // IPv4-mapped IPv6 in mixed notation
            "::a00:1",           // IPv4-compatible IPv6: 16 bytes, not the IPv4 block
            "10.0.0.1.nip.io",   // a name that a wildcard DNS would resolve into the block
            "10-0-0-1.example"})
    void cidrRulesDenyOtherSpellingsAndNames(String host) {
        Router r = router(forwardOnly("10.0.0.0/8"));
        assertEquals("forward_not_allowed", denied(r.route("x", naming(host))).token(), host);
    }

    @Test
    void cidrRulesMatchTheAddressTheEdgeWillConnectTo() {
        // Forms Java parses to an address in the block are allowed: the connect parses them alike.
        Router r = router(forwardOnly("10.0.0.0/8"));
        for (String ok : List.of("10.1", "167772161", "::ffff:a00:1")) {
            upstream(r.route("x", naming(ok)));
        }
    }

    @Test
    void hostPatternsDoNotMatchAddresses() {
        Router r = router(forwardOnly("*.example.com"));
        denied(r.route("x", naming("10.0.0.1")));
        denied(r.route("x", naming("::1")));
    }

    // ------------------------------------------------------------------ names of this edge

    @Test
    void aHostParamNamingThisEdgeIsNotAForwardRequest() {
        Router r = router(settings(List.of(reverse("", "mms://o.example")), ALLOW_TEST_NAMES, Set.of("edge.example.net"),
                List.of(), null));
        for (String self : List.of("127.0.0.1", "localhost", "LOCALHOST", "edge.example.net", "Edge.Example.Net")) {
            assertNull(upstream(r.route("a.asf", naming(self))).forwardHost(), self);
        }
        // A port is trusted only when the player gave one: ours is this edge, another is forwarded.
        assertNull(upstream(r.route("a.asf", hostString("127.0.0.1:17550"))).forwardHost());
        assertEquals("127.0.0.1", upstream(r.route("a.asf", hostString("127.0.0.1:1755"))).forwardHost());
        assertEquals("other", upstream(r.route("a.asf", naming("other"))).forwardHost());
    }

    @Test
    void localNamesApplyBeforeTheListenerIsBound() {
        Router r = new Router(settings(List.of(reverse("", "mms://o.example")), ALLOW_TEST_NAMES,
                Set.of("edge.example.net"), List.of(), null), () -> null);
        assertNull(upstream(r.route("a.asf", hostString("edge.example.net:9999"))).forwardHost());
        assertEquals("other", upstream(r.route("a.asf", naming("other"))).forwardHost());
    }

    @Test
    void onAWildcardListenerEveryNameWithoutAPortIsThisEdge() {
        Router r = new Router(settings(List.of(reverse("", "mms://o.example")), ALLOW_TEST_NAMES, Set.of(), List.of(),
                null), () -> new InetSocketAddress("0.0.0.0", 17550));
        assertNull(upstream(r.route("a.asf", naming("anything.example"))).forwardHost());
        assertNull(upstream(r.route("a.asf", hostString("anything.example:17550"))).forwardHost());
        assertEquals("anything.example", upstream(r.route("a.asf", hostString("anything.example:1755")))
                .forwardHost());
    }

    // ------------------------------------------------------------------ VIA loops

    @Test
    void ourOwnViaTokenIsAProxyLoop() {
        Router r = router(forwardOnly("*.example"));
        SubscriberName looped = naming("o.example").withViaAppended("other-proxy/2.0")
                .withViaAppended(VIA.value().toUpperCase());
        Route.Denied d = denied(r.route("a.asf", looped));
        assertEquals("loop", d.token());
        assertEquals(Hresults.NS_E_PROTOCOL_MISMATCH, d.hr());
        assertTrue(d.reason().contains(VIA.value()), d.reason());
        // Another mms-edge instance in the chain is not a loop.
        upstream(r.route("a.asf", naming("o.example").withViaAppended(ViaToken.of("1.0", "beef0002").value())));
    }

    // ------------------------------------------------------------------ redirects to players

    @Test
    void playerRedirectRulesMatchByPathOriginAndLoad() {
        RedirectRule moved = new RedirectRule("old", null, 1, "mms://new.example/old", false);
        RedirectRule intranet = new RedirectRule(null, "*.intranet.example", 2, "", false);
        RedirectRule sibling = new RedirectRule(null, null, 1, "mms://sibling.example/", true);
        Router r = router(settings(List.of(), ALLOW_TEST_NAMES, Set.of(), List.of(moved, intranet, sibling), null));
        assertEquals(moved, r.playerRedirect("old/a.asf", null, false));
        assertEquals(moved, r.playerRedirect("old/a.asf", "x.intranet.example", true), "first match wins");
        assertEquals(intranet, r.playerRedirect("new/a.asf", "Media.Intranet.Example", false));
        assertNull(r.playerRedirect("new/a.asf", null, false), "origin patterns apply to forward requests only");
        assertNull(r.playerRedirect("new/a.asf", "media.example.com", false));
        assertEquals(sibling, r.playerRedirect("new/a.asf", "media.example.com", true));
    }

    @Test
    void forwardRouteBuildsTheOriginItNames() {
        Router r = router(forwardOnly("[::1]", "::1/128"));
        Route.Upstream up = upstream(r.forward("::1", 1755, "a.asf"));
        assertEquals("[::1]:1755/a.asf", up.candidates().get(0).key());
        assertEquals("::1", up.forwardHost());
        denied(r.forward("::2", 1755, "a.asf"));
    }

    // ------------------------------------------------------------------ MMSH origins and HTTP forward proxying

    @Test
    void httpAndMmshOriginUrlsDefaultToPort80AndSayTheyAreMmsh() {
        OriginUrl h = OriginUrl.parse("http://origin.example/live");
        assertEquals(80, h.port());
        assertTrue(h.http());
        assertEquals("live", h.path());
        assertEquals(8080, OriginUrl.parse("mmsh://origin.example:8080/").port());
        assertTrue(OriginUrl.parse("MMSH://o/").http());
        assertEquals(1755, OriginUrl.parse("mms://origin.example").port());
        assertTrue(!OriginUrl.parse("mmst://o/").http());
    }

    @Test
    void aReverseRuleToAnHttpOriginKeepsItsScheme() {
        Route.Upstream up = upstream(router(ProxySettings.reverseTo(List.of(reverse("", "http://a.example:8080/base",
                "mms://b.example")), VIA)).route("x.asf", null));
        assertEquals("http", up.candidates().get(0).origin().scheme());
        assertEquals("base/x.asf", up.candidates().get(0).path());
        assertEquals("mms", up.candidates().get(1).origin().scheme(), "failover may change protocol");
    }

    @Test
    void anAbsoluteUriThroughTheHttpProxyIsAForwardRequestOverMmsh() {
        Router r = router(forwardOnly("*.example", "*.example:8080"));
        Route.Upstream up = upstream(r.route("live/a.asf", hostString("http://origin.example:8080")));
        Hop hop = up.candidates().get(0);
        assertTrue(hop.origin().http());
        assertEquals("origin.example:8080", hop.origin().hostPort());
        assertEquals("live/a.asf", hop.path());
        assertEquals("origin.example", up.forwardHost());
        assertEquals(80, upstream(r.route("a.asf", hostString("http://origin.example"))).candidates().get(0)
                .origin().port());
    }

    @Test
    void anAbsoluteUriToAHostNoRuleAllowsIsDeniedNotRelayed() {
        Route.Denied d = assertInstanceOf(Route.Denied.class,
                router(forwardOnly("*.example")).route("a.asf", hostString("http://evil.test:80")));
        assertEquals(Hresults.E_ACCESS_DENIED, d.hr());
        assertEquals("forward_not_allowed", d.token());
    }

    @Test
    void ourOwnTokenInAViaHeaderIsALoopOverHttpToo() {
        SubscriberName looped = SubscriberName.parse("NSPlayer/9.0; {3300AD50-2C39-46c0-AE0A-5A4AB0B2B0F1}"
                + "\0HOST: http://origin.example:80\0VIA: " + VIA.value());
        Route.Denied d = assertInstanceOf(Route.Denied.class, router(forwardOnly("*.example")).route("a", looped));
        assertEquals("loop", d.token());
    }
}
