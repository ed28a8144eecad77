package io.mmsedge.distribution.points;

import io.mmsedge.distribution.auth.BasicAuthCatalog;
import io.mmsedge.distribution.auth.UsersFile;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.broadcast.Broadcast;
import io.mmsedge.server.broadcast.BroadcastCatalog;
import io.mmsedge.server.broadcast.BroadcastSettings;
import io.mmsedge.server.broadcast.LoopedFileSource;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.ContentPaths;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.FileMedia;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes an OpenFile path to a publishing point: the first path segment names the point
 * ({@code mmst://host/news/clip.asf} → point "news", file "clip.asf"); paths that name no point go
 * to the default point (empty name), if one is configured.
 */
public final class PublishingPoints implements MediaCatalog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PublishingPoints.class);

    /**
     * The points, swapped whole by a configuration reload ({@link #apply}): an open reads it
     * once. Sessions already playing hold their point's media, not the table.
     */
    private volatile Table table;

    /**
     * One configuration's points: the catalogs by name (wrapped for authentication where
     * configured), the broadcasts among them, and the configuration each was built from.
     */
    record Table(Map<String, MediaCatalog> points, Map<String, BroadcastPoint> broadcasts,
                         Map<String, EdgeConfig.PublishingPointConfig> configs, boolean anyAuthentication) {
    }

    private PublishingPoints(Table table) {
        this.table = table;
    }

    /** "BASIC" when some point may challenge (§2.2.4.2 AuthenPackage), else empty. */
    @Override
    public String authenPackage() {
        return table.anyAuthentication() ? "BASIC" : "";
    }

    /** The broadcast points (started by {@link #startBroadcasts}). */
    public List<BroadcastPoint> broadcasts() {
        return List.copyOf(table.broadcasts().values());
    }

    /**
     * Starts every broadcast source, each on one loop of {@code group}: a broadcast runs whether
     * or not anyone watches, like a live encoder.
     */
    public void startBroadcasts(EventLoopGroup group, ServerSettings settings, ServerMetrics metrics) {
        for (BroadcastPoint b : broadcasts()) {
            b.start(group, settings, metrics);
        }
    }

    /** Stops the broadcast sources (their players get EndOfStream). */
    @Override
    public void close() {
        broadcasts().forEach(BroadcastPoint::close);
    }

    /** Builds the points of a validated configuration, checking that their files exist. */
    public static PublishingPoints from(EdgeConfig cfg, Path baseDir, ByteBufAllocator alloc) throws ConfigException {
        return new PublishingPoints(build(cfg, baseDir, alloc, Map.of()));
    }

    /**
     * What a reload would change, built and checked (files exist, users files load) without
     * touching the running points: {@link #apply} it, or drop it. A broadcast point whose
     * configuration is unchanged keeps running as it is (its players notice nothing); a new or
     * changed one gets a new source, started by {@code apply}.
     */
    public Change prepare(EdgeConfig next, Path baseDir, ByteBufAllocator alloc) throws ConfigException {
        Table old = table;
        Table t = build(next, baseDir, alloc, old.broadcasts());
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (var e : t.configs().entrySet()) {
            EdgeConfig.PublishingPointConfig before = old.configs().get(e.getKey());
            if (before == null) {
                added.add(displayName(e.getKey()));
            } else if (!before.equals(e.getValue())) {
                changed.add(displayName(e.getKey()));
            }
        }
        List<String> removed = old.configs().keySet().stream().filter(n -> !t.configs().containsKey(n))
                .map(PublishingPoints::displayName).toList();
        List<BroadcastPoint> retired = old.broadcasts().values().stream()
                .filter(b -> t.broadcasts().get(b.name()) != b).toList();
        List<BroadcastPoint> fresh = t.broadcasts().values().stream()
                .filter(b -> old.broadcasts().get(b.name()) != b).toList();
        return new Change(t, added, removed, changed, fresh, retired);
    }

    /**
     * A prepared reload of the points ({@link #prepare}).
     *
     * @param added   the names of new points
     * @param removed the names of points that go
     * @param changed the names of points whose configuration changed
     */
    public record Change(Table table, List<String> added, List<String> removed, List<String> changed,
                         List<BroadcastPoint> fresh, List<BroadcastPoint> retired) {
        public boolean none() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }
    }

    /**
     * Makes a prepared change the running one, for the players that open from now on: the new
     * broadcasts start first, then the table is swapped, then the broadcasts of removed or
     * changed points end. Their players get EndOfStream (MMS) or $E (MMSH) and stop cleanly, as
     * at a broadcast's end: a looped live source never finishes by itself, so letting them play
     * on would keep a removed point alive without limit. Players of on-demand points play on.
     */
    public void apply(Change change, EventLoopGroup group, ServerSettings settings, ServerMetrics metrics) {
        for (BroadcastPoint b : change.fresh()) {
            b.start(group, settings, metrics);
        }
        table = change.table();
        for (BroadcastPoint b : change.retired()) {
            Broadcast running = b.broadcast();
            log.info("publishing point {} {}: its broadcast ends for its {} players", displayName(b.name()),
                    change.table().configs().containsKey(b.name()) ? "changed" : "removed",
                    running == null ? 0 : running.subscriberCount());
            b.close();
        }
    }

    /** The points of {@code cfg}, reusing the {@code running} broadcasts whose files and limits are the same. */
    private static Table build(EdgeConfig cfg, Path baseDir, ByteBufAllocator alloc,
                               Map<String, BroadcastPoint> running) throws ConfigException {
        Map<String, MediaCatalog> map = new LinkedHashMap<>();
        Map<String, BroadcastPoint> broadcasts = new LinkedHashMap<>();
        Map<String, EdgeConfig.PublishingPointConfig> configs = new LinkedHashMap<>();
        boolean anyAuth = false;
        List<EdgeConfig.PublishingPointConfig> list = cfg.publishingPoints();
        for (int i = 0; i < list.size(); i++) {
            EdgeConfig.PublishingPointConfig p = list.get(i);
            String name = p.pointName();
            String key = "publishingPoints[" + i + "]";
            configs.put(name, p);
            // Java 17: no pattern switch over the sealed type yet.
            if (p instanceof EdgeConfig.DirectoryPoint d) {
                Path dir = baseDir.resolve(d.path()).normalize();
                if (!Files.isDirectory(dir)) {
                    throw new ConfigException("key '" + key + ".path': not a directory: " + dir);
                }
                map.put(name, new DirectoryCatalog(displayName(name), dir,
                        Boolean.TRUE.equals(d.followSymlinks()), alloc));
            } else if (p instanceof EdgeConfig.BroadcastPoint b) {
                List<Path> files = files(baseDir, b.files(), key + (b.path() != null ? ".path" : ".entries"),
                        b.path() == null);
                BroadcastSettings limits = ConfigLoader.broadcastSettings(b.queueBytes(), b.maxLagSeconds());
                BroadcastPoint same = running.get(name);
                BroadcastPoint point = same != null && same.files.equals(files) && same.limits.equals(limits) ? same
                        : new BroadcastPoint(name, files, limits, alloc);
                map.put(name, point);
                broadcasts.put(name, point);
            } else if (p instanceof EdgeConfig.PlaylistPoint pl) {
                map.put(name, new PlaylistCatalog(name, files(baseDir, pl.entries(), key + ".entries", true), alloc));
            }
            if (p.auth() != null) {
                UsersFile users = UsersFile.load(baseDir.resolve(p.auth().usersFile()).normalize(), key + ".auth.usersFile");
                String realm = p.auth().realm() != null ? p.auth().realm() : displayName(name);
                map.put(name, new BasicAuthCatalog(map.get(name), realm, users));
                anyAuth = true;
            }
        }
        return new Table(ordered(map), ordered(broadcasts), ordered(configs), anyAuth);
    }

    /** An unmodifiable copy keeping the configuration's order (for the status page and the log). */
    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** The files of a point, each checked to exist; {@code indexed}: the key is a list, name the entry. */
    private static List<Path> files(Path baseDir, List<String> names, String key, boolean indexed)
            throws ConfigException {
        List<Path> files = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            Path f = baseDir.resolve(names.get(j)).normalize();
            if (!Files.isRegularFile(f)) {
                throw new ConfigException("key '" + key + (indexed ? "[" + j + "]" : "") + "': no such file: " + f);
            }
            files.add(f);
        }
        return files;
    }

    /** The names of the configured points ("" = default). */
    public List<String> names() {
        return List.copyOf(table.configs().keySet());
    }

    static String displayName(String name) {
        return name.isEmpty() ? "/" : name;
    }

    @Override
    public OpenResult open(OpenRequest request) {
        Table t = table;
        String path = ContentPaths.normalize(request.path());
        int slash = path.indexOf('/');
        String first = slash < 0 ? path : path.substring(0, slash);
        MediaCatalog point = first.isEmpty() ? null : t.points().get(first);
        if (point != null) {
            String rest = slash < 0 ? "" : path.substring(slash + 1);
            return point.open(request.withPath(rest));
        }
        MediaCatalog fallback = t.points().get("");
        if (fallback != null) {
            return fallback.open(request.withPath(path));
        }
        return new OpenResult.Failed(Hresults.E_FILE_NOT_FOUND, "no publishing point serves '" + path + "'");
    }

    /** A live broadcast: one file looped, or a looped broadcast playlist (see {@link LoopedFileSource}). */
    public static final class BroadcastPoint implements MediaCatalog, AutoCloseable {
        private final String name;
        private final List<Path> files;
        private final BroadcastSettings limits;
        private final ByteBufAllocator alloc;
        private volatile LoopedFileSource source;
        private volatile BroadcastCatalog catalog;

        BroadcastPoint(String name, List<Path> files, BroadcastSettings limits, ByteBufAllocator alloc) {
            this.name = name;
            this.files = List.copyOf(files);
            this.limits = limits;
            this.alloc = alloc;
        }

        public String name() {
            return name;
        }

        /** The running broadcast, or null before start. */
        public Broadcast broadcast() {
            LoopedFileSource s = source;
            return s == null ? null : s.broadcast();
        }

        void start(EventLoopGroup group, ServerSettings settings, ServerMetrics metrics) {
            Broadcast b = new Broadcast(name, (EventLoop) group.next(), limits, metrics);
            source = new LoopedFileSource(b, files, settings.pacingSpeed(), alloc).start();
            catalog = new BroadcastCatalog(name, b);
        }

        @Override
        public OpenResult open(OpenRequest request) {
            BroadcastCatalog c = catalog;
            if (c == null) {
                return new OpenResult.Failed(Hresults.E_FAIL, "broadcast '" + name + "' is not running");
            }
            return c.open(request);
        }

        @Override
        public void close() {
            LoopedFileSource s = source;
            if (s != null) {
                s.close();
            }
        }
    }

    /** A server-side playlist: its files play one after another (§3.2.4.1–3.2.4.2). */
    static final class PlaylistCatalog implements MediaCatalog {
        private final String name;
        private final List<Path> files;
        private final ByteBufAllocator alloc;

        PlaylistCatalog(String name, List<Path> files, ByteBufAllocator alloc) {
            this.name = name;
            this.files = List.copyOf(files);
            this.alloc = alloc;
        }

        @Override
        public OpenResult open(OpenRequest request) {
            if (!request.path().isEmpty()) {
                return new OpenResult.Failed(Hresults.E_FILE_NOT_FOUND,
                        "playlist '" + name + "' has no item '" + request.path() + "'");
            }
            int attrs = files.size() > 1 ? ContentInfo.ATTR_PLAYLIST : 0;
            try {
                AsfFileEntry first = AsfFileEntry.open(files.get(0), attrs, alloc);
                return new OpenResult.Opened(new FileMedia(name, first, files.size(),
                        i -> AsfFileEntry.open(files.get(i), attrs, alloc)));
            } catch (Exception e) {
                return new OpenResult.Failed(Hresults.E_FAIL, "cannot open playlist '" + name + "': " + e.getMessage());
            }
        }
    }
}
