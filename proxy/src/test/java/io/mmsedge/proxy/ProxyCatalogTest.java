package io.mmsedge.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.proxy.origin.OriginOpener;
import io.mmsedge.proxy.route.OriginUrl;
import io.mmsedge.proxy.route.RedirectRule;
import io.mmsedge.proxy.route.ReverseRule;
import io.mmsedge.proxy.route.Router;
import io.mmsedge.proxy.split.SplitRegistry;
import io.mmsedge.proxy.split.SplitSettings;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.UpstreamRequest;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.broadcast.BroadcastSettings;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog facade's wiring, with a scripted upstream connector (no sockets): what it refuses
 * before any upstream contact, what it passes on from the origins, and the open queue that makes
 * a crowd of players cost the origin one open at a time.
 */
class ProxyCatalogTest {

    private static final ViaToken VIA = ViaToken.of("1.0", "cafe0001");

    private final List<String> events = new ArrayList<>();
    private final ProxyMetrics metrics = new ProxyMetrics() {
        @Override
        public void denied(String reason) {
            events.add("denied " + reason);
        }

        @Override
        public void redirectToPlayer(int type) {
            events.add("redirect to player " + type);
        }
    };
    /** Upstream opens asked for, each answered when the test completes its future. */
    private final List<UpstreamRequest> requests = new ArrayList<>();
    private final List<CompletableFuture<UpstreamOpenResult>> answers = new ArrayList<>();
    private ProxyCatalog catalog;

    @AfterEach
    void close() {
        if (catalog != null) {
            catalog.close();
        }
    }

    private ProxyCatalog catalog(ProxySettings settings, SplitRegistry splits) {
        OriginOpener opener = new OriginOpener(settings, metrics, this::connect);
        catalog = new ProxyCatalog(settings, null, metrics, splits, null, new Router(settings, () -> null), opener);
        return catalog;
    }

    private synchronized CompletableFuture<UpstreamOpenResult> connect(UpstreamRequest request, EventLoopGroup g) {
        requests.add(request);
        CompletableFuture<UpstreamOpenResult> f = new CompletableFuture<>();
        answers.add(f);
        return f;
    }

    private static ProxySettings reverse(String prefix, String origin) {
        return ProxySettings.reverseTo(List.of(new ReverseRule(prefix, List.of(OriginUrl.parse(origin)), false)), VIA);
    }

    private static OpenRequest request(String path) {
        return new OpenRequest(path, null, null, null, null);
    }

    private static OpenResult await(OpenResult r) throws Exception {
        return assertInstanceOf(OpenResult.Pending.class, r).result().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aPathNoRuleServesIsDeniedWithoutUpstreamContact() {
        OpenResult r = catalog(reverse("live", "mms://10.0.0.1"), null).open(request("vod/a.asf"));
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class, r);
        assertEquals(Hresults.E_ACCESS_DENIED, f.hr());
        assertEquals(List.of("denied no_route"), events);
        assertTrue(requests.isEmpty());
    }

    @Test
    void aProxyLoopIsRefused() {
        SubscriberName looped = SubscriberName.parse("NSPlayer/9.0; {g}").withViaAppended(VIA.value());
        OpenResult r = catalog(reverse("", "mms://10.0.0.1"), null)
                .open(new OpenRequest("a.asf", looped, null, null, null));
        assertEquals(Hresults.NS_E_PROTOCOL_MISMATCH, assertInstanceOf(OpenResult.Failed.class, r).hr());
        assertEquals(List.of("denied loop"), events);
        assertTrue(requests.isEmpty());
    }

    @Test
    void aRedirectPolicySendsThePlayerElsewhere() {
        ProxySettings s = reverse("", "mms://10.0.0.1").withPlayerRedirects(List.of(
                new RedirectRule("old", null, 1, "mms://new.example/old", false)), 0);
        OpenResult r = catalog(s, null).open(request("old/a.asf"));
        assertEquals(new OpenResult.Redirect(1, "mms://new.example/old", "redirect policy"), r);
        assertEquals(List.of("redirect to player 1"), events);
        assertInstanceOf(OpenResult.Pending.class, catalog.open(request("new/a.asf")));
    }

    @Test
    void theOriginsAnswersArePassedOn() throws Exception {
        ProxyCatalog c = catalog(reverse("live", "mms://10.0.0.1/pub"), null);
        OpenResult pending = c.open(request("live/a.asf"));
        assertEquals("pub/a.asf", requests.get(0).path());
        assertEquals("10.0.0.1:1755", requests.get(0).originHostPort());
        answers.get(0).complete(new UpstreamOpenResult.Failed(Hresults.E_FILE_NOT_FOUND, "no such file"));
        assertEquals(new OpenResult.Failed(Hresults.E_FILE_NOT_FOUND, "origin 10.0.0.1:1755: no such file"),
                await(pending));

        pending = c.open(request("live/b.asf"));
        answers.get(1).complete(new UpstreamOpenResult.Failed(Hresults.NS_E_NOCONNECTION, "refused"));
        // No cache: nothing stale to fall back on.
        assertEquals(new OpenResult.Failed(Hresults.NS_E_NOCONNECTION, "origin 10.0.0.1:1755: refused"),
                await(pending));
        assertEquals(0, c.upstreamSessions());
    }

    @Test
    void playersOfAUrlBeingOpenedWaitForThatOpen() throws Exception {
        SplitRegistry splits = new SplitRegistry(SplitSettings.defaults(), BroadcastSettings.defaults(),
                ServerMetrics.NONE, metrics);
        ProxyCatalog c = catalog(reverse("", "mms://10.0.0.1"), splits);
        OpenResult first = c.open(request("live.asf"));
        OpenResult second = c.open(request("live.asf"));
        OpenResult other = c.open(request("other.asf"));
        assertEquals(2, requests.size(), "the second player of live.asf waits for the first one's open");
        assertFalse(((OpenResult.Pending) second).result().toCompletableFuture().isDone());
        answers.get(0).complete(new UpstreamOpenResult.Failed(Hresults.NS_E_SERVER_UNAVAILABLE, "busy"));
        await(first);
        assertEquals(3, requests.size(), "then opens on its own");
        assertEquals("live.asf", requests.get(2).path());
        answers.get(2).complete(new UpstreamOpenResult.Failed(Hresults.NS_E_SERVER_UNAVAILABLE, "busy"));
        assertInstanceOf(OpenResult.Failed.class, await(second));
        answers.get(1).complete(new UpstreamOpenResult.AuthenticationRequired("r", false));
        assertEquals(new OpenResult.AuthenticationRequired("r"), await(other));
    }

    @Test
    void withoutSplittingPlayersDoNotQueue() {
        SplitSettings off = new SplitSettings(false, SplitSettings.defaults().linger(),
                SplitSettings.defaults().gracePeriod(), SplitSettings.defaults().initialBackoff(),
                SplitSettings.defaults().maxBackoff());
        ProxyCatalog c = catalog(reverse("", "mms://10.0.0.1"),
                new SplitRegistry(off, BroadcastSettings.defaults(), ServerMetrics.NONE, metrics));
        c.open(request("live.asf"));
        c.open(request("live.asf"));
        assertEquals(2, requests.size());
    }

    @Test
    void prestuffNeedsACache() throws Exception {
        ProxyCatalog.Prestuff p = catalog(reverse("", "mms://10.0.0.1"), null).prestuff("a.asf")
                .get(5, TimeUnit.SECONDS);
        assertEquals("caching is disabled", p.error());
        assertNull(p.item());
        assertNull(catalog.cache());
    }
}
