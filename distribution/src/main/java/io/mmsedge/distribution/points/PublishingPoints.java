package io.mmsedge.distribution.points;

import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.auth.BasicAuthCatalog;
import io.mmsedge.distribution.auth.UsersFile;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.server.Hresults;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.ContentInfo;
import io.mmsedge.server.media.ContentPaths;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.FileMedia;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes an OpenFile path to a publishing point: the first path segment names the point
 * ({@code mmst://host/news/clip.asf} → point "news", file "clip.asf"); paths that name no point go
 * to the default point (empty name), if one is configured.
 */
public final class PublishingPoints implements MediaCatalog {

    private final Map<String, MediaCatalog> points;
    private final MediaCatalog fallback;
    private final boolean anyAuthentication;

    private PublishingPoints(Map<String, MediaCatalog> points, boolean anyAuthentication) {
        this.points = points;
        this.fallback = points.get("");
        this.anyAuthentication = anyAuthentication;
    }

    /** "BASIC" when some point may challenge (§2.2.4.2 AuthenPackage), else empty. */
    @Override
    public String authenPackage() {
        return anyAuthentication ? "BASIC" : "";
    }

    /** Builds the points of a validated configuration, checking that their files exist. */
    public static PublishingPoints from(EdgeConfig cfg, Path baseDir, ByteBufAllocator alloc) throws ConfigException {
        Map<String, MediaCatalog> map = new LinkedHashMap<>();
        boolean anyAuth = false;
        List<EdgeConfig.PublishingPointConfig> list = cfg.publishingPoints();
        for (int i = 0; i < list.size(); i++) {
            EdgeConfig.PublishingPointConfig p = list.get(i);
            String name = p.name() == null ? "" : p.name();
            String key = "publishingPoints[" + i + "]";
            if (p.type().equals("directory")) {
                Path dir = baseDir.resolve(p.path()).normalize();
                if (!Files.isDirectory(dir)) {
                    throw new ConfigException("key '" + key + ".path': not a directory: " + dir);
                }
                map.put(name, new DirectoryCatalog(displayName(name), dir, alloc));
            } else {
                List<Path> files = new ArrayList<>();
                for (int j = 0; j < p.entries().size(); j++) {
                    Path f = baseDir.resolve(p.entries().get(j)).normalize();
                    if (!Files.isRegularFile(f)) {
                        throw new ConfigException("key '" + key + ".entries[" + j + "]': no such file: " + f);
                    }
                    files.add(f);
                }
                map.put(name, new PlaylistCatalog(name, files, alloc));
            }
            if (p.auth() != null) {
                UsersFile users = UsersFile.load(baseDir.resolve(p.auth().usersFile()).normalize(), key + ".auth.usersFile");
                String realm = p.auth().realm() != null ? p.auth().realm() : displayName(name);
                map.put(name, new BasicAuthCatalog(map.get(name), realm, users));
                anyAuth = true;
            }
        }
        return new PublishingPoints(map, anyAuth);
    }

    /** The names of the configured points ("" = default). */
    public List<String> names() {
        return List.copyOf(points.keySet());
    }

    static String displayName(String name) {
        return name.isEmpty() ? "/" : name;
    }

    @Override
    public OpenResult open(OpenRequest request) {
        String path = ContentPaths.normalize(request.path());
        int slash = path.indexOf('/');
        String first = slash < 0 ? path : path.substring(0, slash);
        MediaCatalog point = first.isEmpty() ? null : points.get(first);
        if (point != null) {
            String rest = slash < 0 ? "" : path.substring(slash + 1);
            return point.open(request.withPath(rest));
        }
        if (fallback != null) {
            return fallback.open(request.withPath(path));
        }
        return new OpenResult.Failed(Hresults.E_FILE_NOT_FOUND, "no publishing point serves '" + path + "'");
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
