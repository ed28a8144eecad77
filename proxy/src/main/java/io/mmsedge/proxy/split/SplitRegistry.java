package io.mmsedge.proxy.split;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.Upstream;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.broadcast.BroadcastMedia;
import io.mmsedge.server.broadcast.BroadcastSettings;
import io.mmsedge.server.media.OpenResult;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The splits of an edge, by origin URL: the first player of a broadcast starts one, later
 * players join it, so the origin sees one session whatever the number of players.
 */
public final class SplitRegistry {

    private static final Logger log = LoggerFactory.getLogger(SplitRegistry.class);

    private final ConcurrentHashMap<String, Split> splits = new ConcurrentHashMap<>();
    private final SplitSettings settings;
    private final BroadcastSettings broadcastSettings;
    private final ServerMetrics serverMetrics;
    private final ProxyMetrics metrics;

    /**
     * Opens in flight per URL. A player arriving while another player's open of the same URL is
     * still running waits for it: if the content turns out to be a broadcast it joins the split,
     * so a crowd arriving at once still costs the origin one session.
     */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> probes = new ConcurrentHashMap<>();

    /**
     * URLs whose last open found on-demand content. The wait on {@link #probes} exists so that a
     * crowd arriving at a broadcast costs the origin one session; players of on-demand content
     * gain nothing by queueing behind each other's opens, so a URL known to be on demand skips
     * it. If it has become a broadcast since, the open finds out and the player joins the split.
     * Bounded (in forward mode players choose the URLs); an entry lasts a minute.
     */
    private final Cache<String, Boolean> onDemand = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    public SplitRegistry(SplitSettings settings, BroadcastSettings broadcastSettings, ServerMetrics serverMetrics,
                         ProxyMetrics metrics) {
        this.settings = settings;
        this.broadcastSettings = broadcastSettings;
        this.serverMetrics = serverMetrics;
        this.metrics = metrics;
    }

    public boolean enabled() {
        return settings.enabled();
    }

    public List<Split> splits() {
        return List.copyOf(splits.values());
    }

    /** How a player's open of a URL goes on, see {@link #admit}. */
    public sealed interface Admission {
        /** The player joined the running split: no upstream session. */
        record Joined(BroadcastMedia media) implements Admission {
        }

        /** Another player's open of the URL is in flight: open again once it is done. */
        record Wait(CompletableFuture<Void> inFlight) implements Admission {
        }

        /** Open upstream, then run {@code done} once the open has an outcome (players waiting go on). */
        record Open(Runnable done) implements Admission {
        }
    }

    private static final Admission.Open OPEN_UNQUEUED = new Admission.Open(() -> {
    });

    /**
     * Before a player's upstream open of {@code key} (host:port/path): join its running split,
     * wait for another player's open of it, or open (queueing later players behind this one
     * unless the URL is known to be on demand).
     */
    public Admission admit(String key, String publishingPoint, EventLoop playerLoop) {
        if (!enabled() || onDemand.getIfPresent(key) != null) {
            return OPEN_UNQUEUED;
        }
        // A running split of this URL: join it without contacting the origin at all.
        BroadcastMedia joined = tryJoin(key, publishingPoint, playerLoop);
        if (joined != null) {
            return new Admission.Joined(joined);
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> inFlight = probes.putIfAbsent(key, mine);
        if (inFlight != null) {
            return new Admission.Wait(inFlight);
        }
        return new Admission.Open(() -> {
            probes.remove(key, mine);
            mine.complete(null);
        });
    }

    /** What an upstream open of {@code key} found: a broadcast, or on-demand content. */
    public void remember(String key, boolean broadcast) {
        if (broadcast) {
            onDemand.invalidate(key);
        } else {
            onDemand.put(key, Boolean.TRUE);
        }
    }

    /** The split of {@code key} if one is running, for a player to join without an upstream session. */
    public BroadcastMedia tryJoin(String key, String publishingPoint, EventLoop playerLoop) {
        Split s = splits.get(key);
        if (s == null) {
            return null;
        }
        BroadcastMedia m = s.join(publishingPoint, playerLoop);
        if (m != null) {
            metrics.splitJoined();
        }
        return m;
    }

    /**
     * A player's freshly opened upstream session found a broadcast: join the running split of
     * {@code key} (closing the fresh session) or start a new split on it.
     *
     * @param reopen opens a new upstream session on a given event loop (reconnects)
     */
    public OpenResult joinOrStart(String key, String publishingPoint, Upstream fresh, EventLoop playerLoop,
                                  Function<EventLoop, CompletableFuture<UpstreamOpenResult>> reopen) {
        BroadcastMedia joined = tryJoin(key, publishingPoint, playerLoop);
        if (joined != null) {
            fresh.close();
            return new OpenResult.Opened(joined);
        }
        EventLoop loop = fresh.eventLoop();
        Split[] created = new Split[1];
        created[0] = new Split(key, loop, fresh, settings, broadcastSettings, serverMetrics, metrics,
                () -> reopen.apply(loop), () -> splits.remove(key, created[0]));
        Split prev = splits.putIfAbsent(key, created[0]);
        if (prev != null && !prev.closed()) {
            // Another player started the split a moment earlier: use it.
            BroadcastMedia m = prev.join(publishingPoint, playerLoop);
            if (m != null) {
                fresh.close();
                metrics.splitJoined();
                return new OpenResult.Opened(m);
            }
        } else if (prev != null) {
            splits.replace(key, prev, created[0]);
        }
        if (loop.inEventLoop()) {
            created[0].start();
        } else {
            loop.submit(created[0]::start).awaitUninterruptibly();
        }
        metrics.splitOpened();
        log.info("split {}: started (one upstream session for every player of this broadcast)", key);
        BroadcastMedia m = created[0].join(publishingPoint, playerLoop);
        return m != null ? new OpenResult.Opened(m)
                : new OpenResult.Failed(Hresults.E_FAIL, "split " + key + " closed while starting");
    }

    /** Ends every split (shutdown). */
    public void closeAll() {
        splits.values().forEach(Split::close);
    }
}
