package io.mmsedge.distribution.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.serve.CacheService;
import io.mmsedge.distribution.status.StatusServer;
import io.mmsedge.proxy.ProxyCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cache on the status port, for operators:
 * <ul>
 *   <li>{@code GET /cache}: every cached item (URL, fingerprint, coverage, bytes, readers, fills);</li>
 *   <li>{@code POST /cache/prestuff?target=PATH} (the path players use at this edge, or an mms:// URL in
 *       forward mode): fill the cache ahead of demand; answers 202 with a job id at once;</li>
 *   <li>{@code GET /cache/prestuff[?id=N]}: the jobs and their progress;</li>
 *   <li>{@code POST /cache/invalidate?url=URL}: drop an item (it goes once no player reads it).</li>
 * </ul>
 * All of them are protected routes of the {@link StatusServer} (the admin token). Routes never wait
 * for an origin: they run on an event loop that upstream sessions may share. Prestuffs are bounded:
 * at most {@code maxPrestuffs} open or fill at once (429 beyond), and a target that failed is
 * not tried again for {@link #FAILURE_MEMORY_MILLIS} (issue #17: 200 prestuffs of a missing file
 * made 200 origin opens).
 */
public final class CacheAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProxyCatalog proxy;
    private final CacheService cache;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();
    /** How many prestuff jobs {@code GET /cache/prestuff} can still report. */
    static final int KEPT_JOBS = 100;
    /** A prestuff target that failed answers with that failure for this long, without an origin open. */
    static final long FAILURE_MEMORY_MILLIS = 30_000;
    /** Remembered failures at most; the memory is cleared beyond (it is a brake, not a record). */
    private static final int MAX_FAILURES = 1000;

    private final int maxPrestuffs;
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    private record Failure(long atMillis, ProxyCatalog.Prestuff result) {
    }

    /** A prestuff request and what became of it. */
    private static final class Job {
        final long id;
        final String target;
        final Instant started = Instant.now();
        volatile ProxyCatalog.Prestuff result;

        Job(long id, String target) {
            this.id = id;
            this.target = target;
        }
    }

    /** {@code maxPrestuffs}: prestuff jobs opening or filling at once, at most {@link #KEPT_JOBS}. */
    public CacheAdmin(ProxyCatalog proxy, int maxPrestuffs) {
        this.proxy = proxy;
        this.cache = proxy.cache();
        this.maxPrestuffs = Math.min(maxPrestuffs, KEPT_JOBS);
    }

    public void register(StatusServer status) {
        status.route("/cache", (method, q) -> StatusServer.Response.json(listing()));
        status.route("/cache/prestuff", this::prestuff);
        status.route("/cache/invalidate", (method, q) -> {
            String url = first(q, "url");
            if (!method.equals("POST") || url == null) {
                return new StatusServer.Response(400, "text/plain; charset=utf-8", "POST /cache/invalidate?url=URL\n");
            }
            boolean known = cache.store().lookup(url) != null;
            cache.store().invalidate(url);
            return StatusServer.Response.json(JSON.createObjectNode().put("url", url).put("invalidated", known)
                    .toPrettyString());
        });
    }

    /** The JSON listing of cached items, most recently used first. */
    public String listing() {
        ObjectNode root = JSON.createObjectNode();
        root.put("diskBytes", cache.store().diskBytes());
        root.put("diskQuotaBytes", cache.store().settings().diskQuotaBytes());
        root.put("memoryBytes", cache.store().memoryBytes());
        root.put("memoryQuotaBytes", cache.store().settings().memoryBytes());
        ArrayNode items = root.putArray("items");
        for (CacheItem item : cache.store().items()) {
            items.add(describe(item));
        }
        return root.toPrettyString();
    }

    private ObjectNode describe(CacheItem item) {
        ObjectNode n = JSON.createObjectNode();
        n.put("url", item.url());
        n.put("complete", item.complete());
        n.put("packetsStored", item.coveredPackets());
        n.put("packetCount", item.packetCount());
        n.put("percent", percent(item));
        ArrayNode ranges = n.putArray("ranges");
        for (long[] r : item.coverage()) {
            ranges.addArray().add(r[0]).add(r[1]);
        }
        n.put("diskBytes", item.diskBytes());
        n.put("readers", item.pins());
        n.put("fillsRunning", cache.activeFills(item));
        n.put("protected", item.protectedContent());
        n.put("fileId", item.fingerprint().fileId());
        n.put("fileSize", item.fingerprint().fileSize());
        n.put("headerSha256", item.fingerprint().headerSha256());
        n.put("bitRate", item.info().bitRate());
        n.put("durationSeconds", item.info().durationSeconds());
        if (item.validatedAtMillis() > 0) {
            n.put("validatedAt", Instant.ofEpochMilli(item.validatedAtMillis()).toString());
        }
        if (item.lastAccessMillis() > 0) {
            n.put("lastAccess", Instant.ofEpochMilli(item.lastAccessMillis()).toString());
        }
        return n;
    }

    private StatusServer.Response prestuff(String method, Map<String, List<String>> q) {
        if (method.equals("POST")) {
            String target = first(q, "target");
            if (target == null || target.isBlank()) {
                return new StatusServer.Response(400, "text/plain; charset=utf-8",
                        "POST /cache/prestuff?target=PATH (as players ask this edge for it) or an mms:// URL\n");
            }
            long busy = jobs.values().stream().filter(this::running).count();
            if (busy >= maxPrestuffs) {
                return new StatusServer.Response(429, "text/plain; charset=utf-8", busy
                        + " prestuffs are running (status.maxPrestuffs); try again when one has finished\n");
            }
            Job job = new Job(ids.incrementAndGet(), target);
            jobs.put(job.id, job);
            // Only the latest jobs are kept: each holds its item, which must not outlive eviction.
            jobs.keySet().removeIf(id -> id <= job.id - KEPT_JOBS);
            Failure failed = failures.get(target);
            if (failed != null && System.currentTimeMillis() - failed.atMillis() < FAILURE_MEMORY_MILLIS) {
                job.result = new ProxyCatalog.Prestuff(target, null, false, failed.result().error()
                        + " (failed " + (System.currentTimeMillis() - failed.atMillis()) / 1000 + " s ago; not retried for "
                        + FAILURE_MEMORY_MILLIS / 1000 + " s)");
            } else {
                proxy.prestuff(target).whenComplete((r, e) -> finished(job, r != null ? r
                        : new ProxyCatalog.Prestuff(target, null, false, String.valueOf(e))));
            }
            return new StatusServer.Response(202, "application/json; charset=utf-8", describe(job).toPrettyString());
        }
        String id = first(q, "id");
        if (id != null) {
            Job job;
            try {
                job = jobs.get(Long.parseLong(id));
            } catch (NumberFormatException e) {
                job = null;
            }
            return job == null ? new StatusServer.Response(404, "text/plain; charset=utf-8", "no prestuff job " + id + "\n")
                    : StatusServer.Response.json(describe(job).toPrettyString());
        }
        ArrayNode all = JSON.createArrayNode();
        jobs.values().stream().sorted((a, b) -> Long.compare(a.id, b.id)).forEach(j -> all.add(describe(j)));
        return StatusServer.Response.json(all.toPrettyString());
    }

    private void finished(Job job, ProxyCatalog.Prestuff result) {
        if (result.error() != null) {
            if (failures.size() >= MAX_FAILURES) {
                failures.clear();
            }
            failures.put(job.target, new Failure(System.currentTimeMillis(), result));
        } else {
            failures.remove(job.target);
        }
        job.result = result;
    }

    /** Opening, or its fill still running. */
    private boolean running(Job job) {
        ProxyCatalog.Prestuff r = job.result;
        return r == null || (r.error() == null && r.item() != null && cache.activeFills(r.item()) > 0);
    }

    private ObjectNode describe(Job job) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", job.id);
        n.put("target", job.target);
        n.put("startedAt", job.started.toString());
        ProxyCatalog.Prestuff r = job.result;
        if (r == null) {
            n.put("state", "opening");
            return n;
        }
        n.put("url", r.url());
        if (r.error() != null) {
            n.put("state", "failed");
            n.put("error", r.error());
            return n;
        }
        CacheItem item = r.item();
        boolean running = cache.activeFills(item) > 0;
        n.put("state", item.complete() ? "complete" : !item.valid() ? "failed" : running ? "filling" : "stopped");
        if (!item.valid() && !item.complete()) {
            n.put("error", "the item left the cache (evicted or replaced)");
        } else if (!item.complete() && !running) {
            n.put("error", "the fill stopped before the item was complete (see the log)");
        }
        n.put("packetsStored", item.coveredPackets());
        n.put("packetCount", item.packetCount());
        n.put("percent", percent(item));
        return n;
    }

    private static double percent(CacheItem item) {
        return item.packetCount() == 0 ? 0 : Math.round(1000.0 * item.coveredPackets() / item.packetCount()) / 10.0;
    }

    private static String first(Map<String, List<String>> q, String key) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
