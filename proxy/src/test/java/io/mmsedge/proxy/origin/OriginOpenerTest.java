package io.mmsedge.proxy.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.ProxySettings;
import io.mmsedge.proxy.ViaToken;
import io.mmsedge.proxy.route.AllowRule;
import io.mmsedge.proxy.route.Hop;
import io.mmsedge.proxy.route.OriginUrl;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.UpstreamRequest;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failover and redirect following, with a scripted connector instead of sockets. Origins are
 * literal addresses, so nothing is resolved.
 */
class OriginOpenerTest {

    private static final ViaToken VIA = ViaToken.of("1.0", "cafe0001");
    private static final OpenRequest REQUEST = new OpenRequest("a.asf", null, null, null, null);
    private static final UpstreamOpenResult OPENED = new UpstreamOpenResult.Opened(null, null, null);

    /** What each "connectTo origin/path" answers; unscripted ones refuse the connection. */
    private final Map<String, UpstreamOpenResult> script = new HashMap<>();
    /** The opens made, in order, as "connectTo origin/path". */
    private final List<String> opens = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final ProxyMetrics metrics = new ProxyMetrics() {
        @Override
        public void upstreamFailed() {
            events.add("failed");
        }

        @Override
        public void redirectFromUpstream(int type) {
            events.add("redirect " + type);
        }
    };
    private OriginOpener opener;

    @AfterEach
    void close() {
        if (opener != null) {
            opener.close();
        }
    }

    private OriginOpener opener(boolean followRedirects, int maxRedirectHops, OriginUrl upstreamProxy) {
        return opener(followRedirects, maxRedirectHops, upstreamProxy, List.of());
    }

    private OriginOpener opener(boolean followRedirects, int maxRedirectHops, OriginUrl upstreamProxy,
                                List<AllowRule> allow) {
        ProxySettings settings = new ProxySettings(List.of(), !allow.isEmpty(), allow, Set.of(), followRedirects,
                maxRedirectHops, List.of(), 0, VIA, Duration.ofSeconds(5), upstreamProxy);
        opener = new OriginOpener(settings, metrics, this::connect);
        return opener;
    }

    private CompletableFuture<UpstreamOpenResult> connect(UpstreamRequest request, io.netty.channel.EventLoopGroup g) {
        String key = request.connectTo().getAddress().getHostAddress() + ":" + request.connectTo().getPort() + " "
                + request.originHostPort() + "/" + request.path();
        opens.add(key);
        assertEquals(VIA.value(), request.viaToken());
        UpstreamOpenResult r = script.get(key);
        return r != null ? CompletableFuture.completedFuture(r)
                : CompletableFuture.failedFuture(new ConnectException("Connection refused: " + key));
    }

    private static Hop hop(String url) {
        OriginUrl u = OriginUrl.parse(url);
        return Hop.direct(u, u.path());
    }

    private static OriginOutcome open(OriginOpener o, Hop... candidates) throws Exception {
        return o.open(REQUEST, List.of(candidates), null).get(5, TimeUnit.SECONDS);
    }

    private static OpenResult answered(OriginOutcome outcome) {
        return assertInstanceOf(OriginOutcome.Answered.class, outcome).result();
    }

    @Test
    void connectionFailuresMoveOnToTheNextOriginInOrder() throws Exception {
        script.put("10.0.0.2:1755 10.0.0.2:1755/b/a.asf",
                new UpstreamOpenResult.Failed(Hresults.NS_E_CANNOTCONNECT, "timeout"));
        script.put("10.0.0.3:1755 10.0.0.3:1755/c/a.asf", OPENED);
        OriginOutcome outcome = open(opener(true, 5, null), hop("mms://10.0.0.1/x/a.asf"),
                hop("mms://10.0.0.2/b/a.asf"), hop("mms://10.0.0.3/c/a.asf"), hop("mms://10.0.0.4/d/a.asf"));
        OriginOutcome.Opened opened = assertInstanceOf(OriginOutcome.Opened.class, outcome);
        assertEquals("10.0.0.3:1755/c/a.asf", opened.hop().key());
        assertEquals(List.of("10.0.0.1:1755 10.0.0.1:1755/x/a.asf", "10.0.0.2:1755 10.0.0.2:1755/b/a.asf",
                "10.0.0.3:1755 10.0.0.3:1755/c/a.asf"), opens);
        assertEquals(List.of("failed", "failed"), events);
    }

    @Test
    void whenNoOriginAnswersTheLastFailureIsReported() throws Exception {
        script.put("10.0.0.2:1755 10.0.0.2:1755/a.asf",
                new UpstreamOpenResult.Failed(Hresults.NS_E_SERVER_UNAVAILABLE, "busy"));
        OriginOutcome outcome = open(opener(true, 5, null), hop("mms://10.0.0.1/a.asf"), hop("mms://10.0.0.2/a.asf"));
        OpenResult.Failed last = assertInstanceOf(OriginOutcome.Unreachable.class, outcome).lastFailure();
        assertEquals(Hresults.NS_E_SERVER_UNAVAILABLE, last.hr());
        assertEquals("origin 10.0.0.2:1755: busy", last.reason());
    }

    @Test
    void aRefusedConnectionIsNoConnection() throws Exception {
        OriginOutcome outcome = open(opener(true, 5, null), hop("mms://10.0.0.1/a.asf"));
        OpenResult.Failed last = assertInstanceOf(OriginOutcome.Unreachable.class, outcome).lastFailure();
        assertEquals(Hresults.NS_E_NOCONNECTION, last.hr());
        assertTrue(last.reason().startsWith("origin 10.0.0.1:1755: Connection refused"), last.reason());
    }

    @Test
    void contentErrorsAreTheOriginsAnswerAndStopFailover() throws Exception {
        for (int hr : new int[] {Hresults.E_FILE_NOT_FOUND, Hresults.E_ACCESS_DENIED, Hresults.E_PATH_NOT_FOUND}) {
            opens.clear();
            script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf", new UpstreamOpenResult.Failed(hr, "no"));
            OriginOutcome outcome = open(opener(true, 5, null), hop("mms://10.0.0.1/a.asf"),
                    hop("mms://10.0.0.2/a.asf"));
            assertEquals(new OpenResult.Failed(hr, "origin 10.0.0.1:1755: no"), answered(outcome));
            assertEquals(1, opens.size(), "the second origin is not asked");
        }
    }

    @Test
    void challengesArePassedOnAndNtlmIsRefused() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf", new UpstreamOpenResult.AuthenticationRequired("media", false));
        script.put("10.0.0.2:1755 10.0.0.2:1755/a.asf", new UpstreamOpenResult.AuthenticationRequired("", true));
        OriginOpener o = opener(true, 5, null);
        assertEquals(new OpenResult.AuthenticationRequired("media"),
                answered(open(o, hop("mms://10.0.0.1/a.asf"), hop("mms://10.0.0.2/a.asf"))));
        OpenResult ntlm = answered(open(o, hop("mms://10.0.0.2/a.asf"), hop("mms://10.0.0.1/a.asf")));
        assertEquals(Hresults.E_ACCESS_DENIED, assertInstanceOf(OpenResult.Failed.class, ntlm).hr());
    }

    @Test
    void aUrlRedirectIsFollowedInsteadOfTheRemainingOrigins() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "mms://10.0.0.9:8080/moved/a.asf"));
        script.put("10.0.0.9:8080 10.0.0.9:8080/moved/a.asf", OPENED);
        OriginOutcome outcome = open(opener(true, 5, null), hop("mms://10.0.0.1/a.asf"), hop("mms://10.0.0.2/a.asf"));
        assertEquals("10.0.0.9:8080/moved/a.asf", assertInstanceOf(OriginOutcome.Opened.class, outcome).hop().key());
        assertEquals(List.of("10.0.0.1:1755 10.0.0.1:1755/a.asf", "10.0.0.9:8080 10.0.0.9:8080/moved/a.asf"), opens);
        assertEquals(List.of("redirect 1"), events);

        // The redirect target failing ends the attempt: the route's other origins are not tried.
        opens.clear();
        script.remove("10.0.0.9:8080 10.0.0.9:8080/moved/a.asf");
        outcome = open(opener, hop("mms://10.0.0.1/a.asf"), hop("mms://10.0.0.2/a.asf"));
        assertEquals("origin 10.0.0.9:8080: Connection refused: 10.0.0.9:8080 10.0.0.9:8080/moved/a.asf",
                assertInstanceOf(OriginOutcome.Unreachable.class, outcome).lastFailure().reason());
        assertEquals(2, opens.size());
    }

    @Test
    void aUrlRedirectGoesThroughTheUpstreamProxy() throws Exception {
        OriginUrl parent = OriginUrl.parse("mms://10.0.0.100:1756");
        script.put("10.0.0.100:1756 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "mms://10.0.0.9/b.asf"));
        script.put("10.0.0.100:1756 10.0.0.9:1755/b.asf", OPENED);
        OriginOutcome outcome = open(opener(true, 5, parent), Hop.first(parent, OriginUrl.parse("mms://10.0.0.1"),
                "a.asf"));
        assertInstanceOf(OriginOutcome.Opened.class, outcome);
    }

    @Test
    void urlRedirectsArePassedToThePlayerWhenNotFollowed() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "mms://10.0.0.9/b.asf"));
        OpenResult r = answered(open(opener(false, 5, null), hop("mms://10.0.0.1/a.asf")));
        assertEquals(new OpenResult.Redirect(OpenResult.Redirect.TYPE_URL, "mms://10.0.0.9/b.asf", "upstream redirect"), r);
        assertEquals(1, opens.size());
    }

    @Test
    void aRedirectBackToAVisitedUrlIsALoop() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "mms://10.0.0.2/b.asf"));
        script.put("10.0.0.2:1755 10.0.0.2:1755/b.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "mms://10.0.0.1:1755/a.asf"));
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class,
                answered(open(opener(true, 5, null), hop("mms://10.0.0.1/a.asf"))));
        assertEquals(Hresults.NS_E_CANNOTCONNECT, f.hr());
        assertTrue(f.reason().startsWith("redirect loop at "), f.reason());
        assertEquals(2, opens.size());
    }

    @Test
    void redirectsAreBoundedByMaxRedirectHops() throws Exception {
        for (int i = 1; i <= 5; i++) {
            script.put("10.0.0." + i + ":1755 10.0.0." + i + ":1755/a.asf", new UpstreamOpenResult.Redirected(
                    OpenResult.Redirect.TYPE_URL, "mms://10.0.0." + (i + 1) + "/a.asf"));
        }
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class,
                answered(open(opener(true, 2, null), hop("mms://10.0.0.1/a.asf"))));
        assertEquals("too many redirects (2) starting at mms://10.0.0.3:1755/a.asf", f.reason());
        assertEquals(3, opens.size(), "the first open and two redirects");
    }

    @Test
    void aProxyRedirectReconnectsThroughTheNamedProxyToTheSameOrigin() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_PROXY, "mms://10.0.0.50:1756"));
        script.put("10.0.0.50:1756 10.0.0.1:1755/a.asf", OPENED);
        OriginOutcome.Opened opened = assertInstanceOf(OriginOutcome.Opened.class,
                open(opener(true, 5, null), hop("mms://10.0.0.1/a.asf"), hop("mms://10.0.0.2/a.asf")));
        assertEquals("10.0.0.1:1755/a.asf", opened.hop().key());
        assertEquals("10.0.0.50", opened.hop().connectTo().getHostString());
        assertEquals(List.of("redirect 2"), events);
    }

    @Test
    void anEmptyProxyRedirectBypassesTheUpstreamProxy() throws Exception {
        OriginUrl parent = OriginUrl.parse("mms://10.0.0.100:1756");
        script.put("10.0.0.100:1756 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_PROXY, ""));
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf", OPENED);
        OriginOutcome outcome = open(opener(true, 5, parent),
                Hop.first(parent, OriginUrl.parse("mms://10.0.0.1"), "a.asf"));
        assertInstanceOf(OriginOutcome.Opened.class, outcome);
        assertEquals(List.of("10.0.0.100:1756 10.0.0.1:1755/a.asf", "10.0.0.1:1755 10.0.0.1:1755/a.asf"), opens);
    }

    @Test
    void aProxyRedirectToTheSameProxyIsALoop() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_PROXY, ""));
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class,
                answered(open(opener(true, 5, null), hop("mms://10.0.0.1/a.asf"))));
        assertTrue(f.reason().startsWith("proxy redirect loops back to "), f.reason());
    }

    @Test
    void badRedirectLocationsFail() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "ftp://10.0.0.2/a.asf"));
        script.put("10.0.0.2:1755 10.0.0.2:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_PROXY, "not a url"));
        OriginOpener o = opener(true, 5, null);
        assertTrue(((OpenResult.Failed) answered(open(o, hop("mms://10.0.0.1/a.asf")))).reason()
                .startsWith("bad redirect: "));
        assertTrue(((OpenResult.Failed) answered(open(o, hop("mms://10.0.0.2/a.asf")))).reason()
                .startsWith("bad proxy redirect: "));
    }

    @Test
    void theSchemeOfEachHopPicksTheProtocolAndRedirectsMayCrossOver() throws Exception {
        List<String> httpOpens = new ArrayList<>();
        ProxySettings settings = new ProxySettings(List.of(), false, List.of(), Set.of(), true, 5, List.of(), 0, VIA,
                Duration.ofSeconds(5), null);
        opener = new OriginOpener(settings, metrics, this::connect, (request, g) -> {
            httpOpens.add(request.originHostPort() + "/" + request.path());
            return CompletableFuture.completedFuture(OPENED);
        });
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "http://10.0.0.2/b.asf"));
        OriginOutcome.Opened o = assertInstanceOf(OriginOutcome.Opened.class, open(opener, hop("mms://10.0.0.1/a.asf")));
        assertEquals("http", o.hop().origin().scheme());
        assertEquals(List.of("10.0.0.1:1755 10.0.0.1:1755/a.asf"), opens, "MMS hops through the MMS connector");
        assertEquals(List.of("10.0.0.2:80/b.asf"), httpOpens, "the http:// hop through the MMSH one, port 80");
    }

    @Test
    void afterCloseNamesAreNoLongerResolved() throws Exception {
        OriginOpener o = opener(true, 5, null);
        o.close();
        OriginOutcome outcome = open(o, hop("mms://origin.example/a.asf"));
        assertTrue(assertInstanceOf(OriginOutcome.Unreachable.class, outcome).lastFailure().reason()
                .contains("shutting down"));
        assertTrue(opens.isEmpty());
    }

    // ------------------------------------------------------------ forward targets (issue #17)

    private static List<AllowRule> allow(String... rules) {
        return java.util.Arrays.stream(rules).map(AllowRule::parse).toList();
    }

    private static Hop named(String url) {
        return hop(url).namedByPlayer();
    }

    @Test
    void aPlayerNamedNameThatResolvesToThisMachineIsNeverConnected() throws Exception {
        // "localhost" stands for any name that resolves to loopback (wildcard DNS: 127.0.0.1.nip.io).
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class,
                answered(open(opener(true, 5, null, allow("*")), named("mms://localhost/a.asf"))));
        assertEquals(Hresults.E_ACCESS_DENIED, f.hr());
        assertTrue(f.reason().contains("resolves to loopback address 127.0.0.1"), f.reason());
        assertEquals(List.of(), opens, "nothing was connected");
        // The same name in an operator's reverse rule is the operator's choice: it is connected.
        open(opener(true, 5, null, allow("*")), hop("mms://localhost/a.asf"));
        assertEquals(List.of("127.0.0.1:1755 localhost:1755/a.asf"), opens);
    }

    @Test
    void aPlayerNamedOriginsRedirectStaysUnderTheAllowRules() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_URL, "mms://10.0.0.9:22/b.asf"));
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class,
                answered(open(opener(true, 5, null, allow("10.0.0.1")), named("mms://10.0.0.1/a.asf"))));
        assertEquals(Hresults.E_ACCESS_DENIED, f.hr());
        assertTrue(f.reason().contains("10.0.0.9:22, which no allow rule allows"), f.reason());
        assertEquals(List.of("10.0.0.1:1755 10.0.0.1:1755/a.asf"), opens, "the redirect target was never contacted");

        opens.clear();
        script.put("10.0.0.9:22 10.0.0.9:22/b.asf", OPENED);
        assertInstanceOf(OriginOutcome.Opened.class,
                open(opener(true, 5, null, allow("10.0.0.1", "10.0.0.9:22")), named("mms://10.0.0.1/a.asf")));
        assertEquals(List.of("10.0.0.1:1755 10.0.0.1:1755/a.asf", "10.0.0.9:22 10.0.0.9:22/b.asf"), opens);
    }

    @Test
    void aPlayerNamedOriginCannotNameAProxyTheRulesDoNotAllow() throws Exception {
        script.put("10.0.0.1:1755 10.0.0.1:1755/a.asf",
                new UpstreamOpenResult.Redirected(OpenResult.Redirect.TYPE_PROXY, "mms://10.0.0.7:1755"));
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class,
                answered(open(opener(true, 5, null, allow("10.0.0.1")), named("mms://10.0.0.1/a.asf"))));
        assertEquals(Hresults.E_ACCESS_DENIED, f.hr());
        assertTrue(f.reason().contains("names as its proxy 10.0.0.7:1755"), f.reason());
        assertEquals(List.of("10.0.0.1:1755 10.0.0.1:1755/a.asf"), opens);
    }
}
