package io.mmsedge.proxy.split;

import io.mmsedge.proxy.ProxyMetrics;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import io.mmsedge.proxy.upstream.UpstreamSession;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.broadcast.BroadcastMedia;
import io.mmsedge.server.broadcast.BroadcastSettings;
import io.mmsedge.server.media.OpenResult;
import io.netty.channel.EventLoop;
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
    public OpenResult joinOrStart(String key, String publishingPoint, UpstreamSession fresh, EventLoop playerLoop,
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
