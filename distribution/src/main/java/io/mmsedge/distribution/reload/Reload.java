package io.mmsedge.distribution.reload;

import io.mmsedge.cache.CacheStore;
import io.mmsedge.distribution.config.AccessSettings;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.distribution.config.EdgeSection;
import io.mmsedge.distribution.config.ServerSection;
import io.mmsedge.distribution.lifecycle.Listen;
import io.mmsedge.distribution.logging.AccessLogSetup;
import io.mmsedge.distribution.points.PublishingPoints;
import io.mmsedge.distribution.status.StatusServer;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.proxy.ProxyCatalog;
import io.mmsedge.proxy.ProxySettings;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.access.AccessControl;
import io.mmsedge.server.access.AccessPolicy;
import io.mmsedge.server.net.ConnectionLimits;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload (issue #15): SIGHUP or {@code POST /admin/reload} reads the configuration file the
 * edge was started with again, validates it as at start, and applies it to the sessions that
 * start from then on. Sessions already playing keep their route, upstream, point and limits.
 *
 * <p>The sequence, one reload at a time:
 * <ol>
 *   <li><b>Read and validate</b> the file ({@link ConfigLoader}, the start's messages). An
 *       invalid file is refused with its errors by key; nothing changes.</li>
 *   <li><b>Prepare</b> everything that can still fail, invisibly: the publishing points (their
 *       files and users files checked), the proxy settings, the connection limits.</li>
 *   <li><b>Bind</b> the listeners whose configured address or port changed, each new port
 *       beside the old one. A bind that fails aborts the ones already bound and refuses the
 *       reload; the old ports and the whole running configuration stay.</li>
 *   <li><b>Commit</b>, which cannot fail: the old ports close, the rules and origins, the points,
 *       the limits and the cache quota are swapped, Log4j2 re-reads its configuration, then the
 *       access log and the access policy (the marked places in {@link #commit}).</li>
 * </ol>
 * Keys that only change at a restart ({@link ConfigDiff#LIVE} lists the others) keep their
 * running values; the reply and the log name them.
 */
public final class Reload {

    private static final Logger log = LoggerFactory.getLogger(Reload.class);

    /**
     * The running edge a reload changes; {@code origin}, {@code edge}, {@code proxy} and
     * {@code cache} are null when the instance runs none.
     *
     * @param edgeAddress the edge listener's address as its router sees it (moved with the port)
     */
    public record Running(Path baseDir, EventLoopGroup group, ServerSettings settings, ServerMetrics metrics,
                          PublishingPoints points, MmsServer origin, MmsServer edge, ProxyCatalog proxy,
                          AtomicReference<InetSocketAddress> edgeAddress, CacheStore cache, String version,
                          AccessControl originAccess, AccessControl edgeAccess) {
    }

    private final Running running;
    /** The configuration the edge started with: the restart-only keys still have its values. */
    private final EdgeConfig started;
    private final BooleanSupplier draining;
    private volatile ConfigSource source;
    /** The configuration last applied (guarded by this). */
    private EdgeConfig current;
    /**
     * The edge section the running edge listener last applied (guarded by this): a file without
     * its {@code edge} section leaves the edge running as it was (a restart removes it).
     */
    private EdgeSection edgeApplied;

    public Reload(EdgeConfig started, Running running, BooleanSupplier draining) {
        this.started = started;
        this.current = started;
        this.edgeApplied = started.edge();
        this.running = running;
        this.draining = draining;
    }

    /** Where a reload reads the configuration; null (the default) = nothing to reload. */
    public void source(ConfigSource source) {
        this.source = source;
    }

    /** {@code POST /admin/reload} on the status listener: an admin route (token, same origin). */
    public void register(StatusServer status) {
        status.routeLater("/admin/reload", (method, query) -> {
            if (!method.equals("POST")) {
                return CompletableFuture.completedFuture(new StatusServer.Response(405, "text/plain; charset=utf-8",
                        "POST /admin/reload\n"));
            }
            // Off the event loop: binding a moved listener and ending broadcasts wait for event loops.
            return CompletableFuture.supplyAsync(() -> reload("POST /admin/reload"), Reload::onThread).thenApply(o ->
                    new StatusServer.Response(o.result().httpStatus(), "application/json; charset=utf-8", o.json()));
        });
    }

    /** Runs {@code task} on a thread of its own: a reload (SIGHUP, the endpoint) never runs on an event loop. */
    public static void onThread(Runnable task) {
        Thread t = new Thread(task, "mms-edge-reload");
        t.setDaemon(true);
        t.start();
    }

    /** Reads, validates and applies the configuration file; {@code why} goes into the log. */
    public synchronized ReloadOutcome reload(String why) {
        ConfigSource src = source;
        if (src == null) {
            return notReloadable(why, null, "nothing to reload: this instance was not started with --config FILE "
                    + "(the embedded default configuration and command-line options cannot change)");
        }
        if (draining.getAsBoolean()) {
            return notReloadable(why, src.name(), "draining: the configuration is no longer reloaded");
        }
        EdgeConfig next;
        Plan plan;
        try {
            next = src.load();
            plan = prepare(next);
        } catch (ConfigException | IOException e) {
            log.warn("reload ({}) of {} refused, the running configuration stays: {}", why, src.name(),
                    e.getMessage());
            return ReloadOutcome.refused(src.name(), List.of(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReloadOutcome.refused(src.name(), List.of("interrupted while binding a listener"));
        }
        commit(next, plan);
        boolean origin = running.origin() != null;
        boolean edge = running.edge() != null;
        List<String> applied = ConfigDiff.keys(current, next).stream()
                .filter(k -> ConfigDiff.live(k, origin, edge)).toList();
        List<String> restart = ConfigDiff.keys(started, next).stream()
                .filter(k -> !ConfigDiff.live(k, origin, edge)).toList();
        current = next;
        edgeApplied = next.edge() != null ? next.edge() : edgeApplied;
        log.info("reloaded ({}) {}: {}{}", why, src.name(), applied.isEmpty() ? "no change applies"
                : "applied " + applied, plan.points == null || plan.points.none() ? "" : "; publishing points added "
                + plan.points.added() + ", removed " + plan.points.removed() + ", changed " + plan.points.changed());
        if (!restart.isEmpty()) {
            log.warn("reload ({}): {} keep their running values until a restart", why, restart);
        }
        return new ReloadOutcome(ReloadOutcome.Result.RELOADED, src.name(), List.of(), applied, restart);
    }

    private static ReloadOutcome notReloadable(String why, String source, String reason) {
        log.warn("reload ({}) not done: {}", why, reason);
        return ReloadOutcome.notReloadable(source, reason);
    }

    /** What a valid configuration changes, prepared and bound, not yet committed. */
    private record Plan(PublishingPoints.Change points, ProxySettings proxy, ConnectionLimits limits, Long cacheQuota,
                        AccessPolicy originAccess, AccessPolicy edgeAccess, List<MmsServer.Move> moves) {
    }

    /** Steps 2 and 3: everything that may fail; on failure nothing is left changed. */
    private Plan prepare(EdgeConfig next) throws ConfigException, InterruptedException {
        PublishingPoints.Change points = running.origin() == null ? null
                : running.points().prepare(next, running.baseDir(), ByteBufAllocator.DEFAULT);
        ProxySettings proxy = running.proxy() == null || next.edge() == null ? null : proxySettings(next.edge());
        ConnectionLimits limits = ConfigLoader.connectionLimits(next);
        Long quota = null;
        if (running.cache() != null && next.edge() != null) {
            ConfigLoader.CacheSection c = ConfigLoader.cacheSettings(next.edge(), running.baseDir());
            quota = c == null ? null : c.size();
        }
        // Player access rules and limits: built now, swapped in at commit (new sessions read them).
        AccessPolicy originAccess = running.originAccess() == null ? null : AccessSettings.origin(next);
        AccessPolicy edgeAccess = running.edgeAccess() == null || next.edge() == null ? null
                : AccessSettings.edge(next.edge());
        return new Plan(points, proxy, limits, quota, originAccess, edgeAccess, bindMoved(next));
    }

    /** The edge's proxy settings; an unchanged (or absent) instanceId keeps the running VIA token. */
    private ProxySettings proxySettings(EdgeSection e) {
        ProxySettings n = ConfigLoader.proxySettings(e, running.version());
        if (edgeApplied == null || !Objects.equals(edgeApplied.instanceId(), e.instanceId())) {
            return n;
        }
        return new ProxySettings(n.reverse(), n.forward(), n.allow(), n.localNames(), n.followRedirects(),
                n.maxRedirectHops(), n.playerRedirects(), n.maxSessions(), running.proxy().settings().via(),
                n.connectTimeout(), n.upstreamProxy(), n.firstDataTimeout(), n.stallTimeout());
    }

    /** Step 3: binds each listener whose configured address changed beside its old port. */
    private List<MmsServer.Move> bindMoved(EdgeConfig next) throws ConfigException, InterruptedException {
        List<MmsServer.Move> moves = new ArrayList<>();
        try {
            ServerSection was = current.server();
            ServerSection now = next.server();
            MmsServer origin = running.origin();
            if (origin != null) {
                move(moves, origin, "origin", "server", was.bind(), was.port(), was.http(), now.bind(), now.port(),
                        now.http());
            }
            MmsServer edge = running.edge();
            if (edge != null && next.edge() != null) {
                EdgeSection e = edgeApplied;
                EdgeSection n = next.edge();
                move(moves, edge, "edge", "edge", e.bind(), e.port(), e.http(), n.bind(), n.port(), n.http());
            }
            return moves;
        } catch (ConfigException | InterruptedException | RuntimeException e) {
            moves.forEach(MmsServer.Move::abort);
            running.edgeAddress().set(running.edge() == null ? null : running.edge().localAddress());
            throw e;
        }
    }

    private void move(List<MmsServer.Move> moves, MmsServer server, String name, String section, String bind,
                      Integer port, Integer http, String newBind, Integer newPort, Integer newHttp)
            throws ConfigException, InterruptedException {
        String host = newBind != null ? newBind : "127.0.0.1";
        boolean hostMoved = !Objects.equals(bind, newBind);
        if (hostMoved || !Objects.equals(port, newPort)) {
            InetSocketAddress a = new InetSocketAddress(host, newPort != null ? newPort : MmsConstants.DEFAULT_PORT);
            moves.add(Listen.on(name + " MMS", section + ".port", a, server::rebind));
            if (server == running.edge()) {
                running.edgeAddress().set(server.localAddress());
            }
        }
        if (hostMoved || !Objects.equals(http, newHttp)) {
            InetSocketAddress a = newHttp == null ? null : new InetSocketAddress(host, newHttp);
            moves.add(a == null ? server.rebindHttp(null)
                    : Listen.on(name + " HTTP", section + ".http", a, server::rebindHttp));
        }
    }

    /** Step 4: makes the prepared configuration the running one. Nothing here may fail. */
    private void commit(EdgeConfig next, Plan plan) {
        plan.moves().forEach(MmsServer.Move::commit);
        if (plan.proxy() != null) {
            running.proxy().reconfigure(plan.proxy());
        }
        if (plan.points() != null) {
            running.points().apply(plan.points(), running.group(), running.settings(), running.metrics());
        }
        for (MmsServer s : new MmsServer[] {running.origin(), running.edge()}) {
            if (s != null) {
                s.updateLimits(plan.limits());
            }
        }
        if (plan.cacheQuota() != null && plan.cacheQuota() != running.cache().settings().diskQuotaBytes()) {
            running.cache().resizeDisk(plan.cacheQuota());
        }
        reconfigureLogging();
        // After Log4j2 re-read its file: a reconfigure drops the access-log appender added in code.
        try {
            AccessLogSetup.apply(next.accessLog(), running.baseDir() == null ? Path.of("") : running.baseDir(),
                    running.version());
        } catch (ConfigException e) {
            // Checked before (the file's directory), so only an I/O failure between then and now.
            log.error("reload: the access log could not be reopened: {}", e.getMessage());
        }
        // New sessions read the new policies; those already admitted keep their counts.
        if (plan.originAccess() != null) {
            running.originAccess().replace(plan.originAccess());
        }
        if (plan.edgeAccess() != null) {
            running.edgeAccess().replace(plan.edgeAccess());
        }
    }

    /** Log levels and appenders: Log4j2 reads its configuration file (log4j2.xml) again. */
    private static void reconfigureLogging() {
        if (org.apache.logging.log4j.LogManager.getContext(false)
                instanceof org.apache.logging.log4j.core.LoggerContext ctx) {
            ctx.reconfigure();
            log.info("logging configuration re-read from {}",
                    ctx.getConfiguration().getConfigurationSource().getLocation());
        }
    }
}
