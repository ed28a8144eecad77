package io.mmsedge.distribution;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A caching edge in front of a real origin, for cache tests: the origin serves a private copy
 * of the fixtures (so a test may replace a file) and has its own counters; the edge keeps its
 * disk cache in a directory that survives {@link #restartEdge()}.
 */
public final class CacheRig implements AutoCloseable {

    public final Path media;
    public final Path cacheDir;
    private final double originPacing;
    private final double edgePacing;
    private final String cacheYaml;
    private final String ruleYaml;
    private final String originPointsYaml;
    private int originPort;
    /** The port the edge's rule names (a relay in front of the origin, e.g. a quirky one); 0 = the origin's. */
    private int upstreamPort;
    /** The scheme of the edge's origin URL: "mms", or "http" to reach the origin's MMSH port. */
    private String originScheme = "mms";
    private EdgeApplication origin;
    private EdgeApplication edge;

    /**
     * @param tmp          a fresh directory (e.g. JUnit's @TempDir)
     * @param originPacing the origin's pacing (fills arrive at this speed)
     * @param edgePacing   the edge's pacing toward players
     * @param cacheYaml    lines inside {@code edge.cache} (indented 4 spaces), e.g. "    size: 2m\n"
     */
    /** The edge's admin token (status.adminToken): the cache routes need it. */
    public static final String ADMIN_TOKEN = "cache-rig-admin-token-0123";

    public CacheRig(Path tmp, double originPacing, double edgePacing, String cacheYaml) throws Exception {
        this(tmp, originPacing, edgePacing, cacheYaml, "", "");
    }

    public CacheRig(Path tmp, double originPacing, double edgePacing, String cacheYaml, String originPointsYaml,
                    String ruleYaml) throws Exception {
        this.media = Files.createDirectories(tmp.resolve("media"));
        this.cacheDir = tmp.resolve("cache");
        this.originPacing = originPacing;
        this.edgePacing = edgePacing;
        this.cacheYaml = cacheYaml;
        this.ruleYaml = ruleYaml;
        for (String f : new String[] {"audio.asf", "av.asf", "indexed.asf", "mbr.asf", "padded.asf"}) {
            Files.copy(Fixtures.media(f), media.resolve(f));
        }
        this.originPointsYaml = originPointsYaml;
        startOrigin();
        startEdge();
    }

    public void startOrigin() throws Exception {
        String yaml = """
                server: {bind: 127.0.0.1, port: %d, http: 0, pacingSpeed: %s, idleTimeoutSeconds: 30}
                status: {bind: 127.0.0.1, port: 0}
                publishingPoints:
                %s  - {name: "", type: directory, path: "%s"}
                """.formatted(originPort, originPacing, originPointsYaml, media);
        origin = start(yaml, media);
        originPort = origin.mmsAddress().getPort();
    }

    public void stopOrigin() {
        origin.close();
        origin = null;
    }

    private void startEdge() throws Exception {
        String yaml = """
                server: {pacingSpeed: %s, idleTimeoutSeconds: 30}
                status: {bind: 127.0.0.1, port: 0, adminToken: "%s"}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  http: 0
                  connectTimeoutSeconds: 2
                  reverse:
                    - {prefix: "", origins: ["%s://127.0.0.1:%d"]%s}
                  cache:
                    dir: "%s"
                %s""".formatted(edgePacing, ADMIN_TOKEN, originScheme, upstreamPort(), ruleYaml, cacheDir, cacheYaml);
        edge = start(yaml, media);
    }

    /** Stops the edge (its cache stays on disk) and starts a new one on the same directory. */
    public void restartEdge() throws Exception {
        stopEdge();
        startEdge();
    }

    /** Restarts the edge in front of {@code upstream} (a relay in front of this origin) instead of the origin. */
    public void restartEdgeVia(InetSocketAddress upstream) throws Exception {
        upstreamPort = upstream.getPort();
        restartEdge();
    }

    /** Restarts the edge so that it reaches the origin over MMSH, on the origin's HTTP port ({@code server.http}). */
    public void restartEdgeOverMmsh() throws Exception {
        originScheme = "http";
        upstreamPort = origin.mmsHttpAddress().getPort();
        restartEdge();
    }

    private int upstreamPort() {
        return upstreamPort == 0 ? originPort : upstreamPort;
    }

    public void stopEdge() {
        edge.close();
        edge = null;
    }

    public void startEdgeAgain() throws Exception {
        startEdge();
    }

    public EdgeApplication origin() {
        return origin;
    }

    public EdgeApplication edge() {
        return edge;
    }

    public InetSocketAddress edgeAddress() {
        return edge.edgeAddress();
    }

    public String edgeUrl(String path) {
        return "mmst://127.0.0.1:" + edge.edgeAddress().getPort() + "/" + path;
    }

    /** The edge's URL for {@code path} over MMSH, on its own HTTP port ({@code edge.http}). */
    public String edgeMmshUrl(String path) {
        return "mmsh://127.0.0.1:" + edge.edgeHttpAddress().getPort() + "/" + path;
    }

    /** The edge's URL for {@code path} over MMSH on its MMS port, which tells HTTP from MMS by the first bytes. */
    public String edgeMmshUrlOnMmsPort(String path) {
        return "mmsh://127.0.0.1:" + edge.edgeAddress().getPort() + "/" + path;
    }

    /** Media Data packets the origin has sent, over all its sessions. */
    public double originMediaPackets() {
        var c = origin.registry().find("mmsedge.data.packets.sent").tag("kind", "media").counter();
        return c == null ? 0 : c.count();
    }

    /** Sessions the origin opened (freshness checks and fills alike). */
    public double originSessionsOpened() {
        return origin.registry().find("mmsedge.pp.sessions.opened").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** The edge's cached item for a path at the origin, or null. */
    public CacheItem item(String path) {
        return edge.cache().store().items().stream().filter(i -> i.url().endsWith(":" + upstreamPort() + "/" + path))
                .findFirst().orElse(null);
    }

    /** Waits until the item for {@code path} is complete. */
    public CacheItem awaitComplete(String path, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            CacheItem i = item(path);
            if (i != null && i.complete() && edge.cache().activeFills(i) == 0) {
                return i;
            }
            Thread.sleep(20);
        }
        CacheItem i = item(path);
        throw new AssertionError("item " + path + " not complete after " + timeout + ": "
                + (i == null ? "not cached" : i.coveredPackets() + "/" + i.packetCount() + " packets, ranges "
                + i.coverage().stream().map(java.util.Arrays::toString).toList()));
    }

    /** A counter of the edge's registry (0 when absent). */
    public double edgeCounter(String name, String tag, String value) {
        var c = edge.registry().find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    /** The sum of the edge's counters of that name, whatever their tags. */
    public double edgeCount(String name) {
        return edge.registry().find(name).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }

    /** Replaces a file at the origin with another fixture's bytes (atomically, as operators deploy). */
    public void replaceAtOrigin(String path, String fixture) throws IOException {
        Path tmp = media.resolve(path + ".new");
        Files.copy(Fixtures.media(fixture), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, media.resolve(path), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static EdgeApplication start(String yaml, Path base) throws Exception {
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test",
                base);
        return EdgeApplication.start(cfg, base);
    }

    @Override
    public void close() {
        if (edge != null) {
            edge.close();
        }
        if (origin != null) {
            origin.close();
        }
    }
}
