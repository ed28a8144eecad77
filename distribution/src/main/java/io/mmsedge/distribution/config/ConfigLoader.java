package io.mmsedge.distribution.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mmsedge.server.ServerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads and validates {@link EdgeConfig}; every error names the offending key. */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ConfigLoader() {
    }

    public static EdgeConfig load(Path file) throws ConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString(), file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses and validates. Relative paths in publishing points resolve against {@code baseDir}.
     * {@code ${samples}} in a path is replaced by the bundled samples directory.
     */
    public static EdgeConfig load(InputStream in, String source, Path baseDir) throws ConfigException {
        EdgeConfig cfg;
        try {
            cfg = YAML.readValue(in, EdgeConfig.class);
        } catch (JsonMappingException e) {
            String key = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String what = e.getOriginalMessage();
            int cut = what.indexOf(" (class");
            if (cut > 0) {
                what = what.substring(0, cut);
            }
            throw new ConfigException(source + ": key '" + key + "': " + what, e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
        if (cfg == null) {
            throw new ConfigException(source + ": the configuration is empty");
        }
        validate(cfg, source);
        return cfg;
    }

    private static void validate(EdgeConfig cfg, String source) throws ConfigException {
        EdgeConfig.ServerSection s = cfg.server();
        if (s.port() != null) {
            port(source, "server.port", s.port());
        }
        if (s.bind() != null) {
            address(source, "server.bind", s.bind());
        }
        positive(source, "server.keepAliveSeconds", s.keepAliveSeconds(), 10);
        positive(source, "server.idleTimeoutSeconds", s.idleTimeoutSeconds(), 10);
        if (s.pacingSpeed() != null && (s.pacingSpeed() < 0 || s.pacingSpeed().isNaN())) {
            throw new ConfigException(source + ": key 'server.pacingSpeed': must be >= 0 (0 = unpaced), got "
                    + s.pacingSpeed());
        }
        positive(source, "server.maxCommandBytes", s.maxCommandBytes(), 1024);
        positive(source, "server.writeBufferBytes", s.writeBufferBytes(), 16 * 1024);
        if (s.writeMergeMillis() != null && (s.writeMergeMillis() < 0 || s.writeMergeMillis() > 1000)) {
            throw new ConfigException(source + ": key 'server.writeMergeMillis': must be between 0 (a write per "
                    + "packet) and 1000, got " + s.writeMergeMillis());
        }
        if (s.serverVersionInfo() != null && !s.serverVersionInfo().matches("\\d{1,2}\\.\\d{1,2}(\\.\\d{1,4}\\.\\d{1,4})?")) {
            throw new ConfigException(source + ": key 'server.serverVersionInfo': must look like 9.1 or 9.1.1.3862 "
                    + "(MS-MMSP 2.2.4.2), got '" + s.serverVersionInfo() + "'");
        }
        if (cfg.status() != null) {
            if (cfg.status().port() == null) {
                throw new ConfigException(source + ": key 'status.port': required when 'status' is present");
            }
            port(source, "status.port", cfg.status().port());
            if (cfg.status().bind() != null) {
                address(source, "status.bind", cfg.status().bind());
            }
        }
        if (cfg.publishingPoints().isEmpty() && cfg.edge() == null) {
            throw new ConfigException(source + ": key 'publishingPoints': at least one publishing point "
                    + "(or an 'edge' section) is required");
        }
        if (cfg.edge() != null) {
            validateEdge(cfg, source);
        }
        Set<String> names = new HashSet<>();
        List<EdgeConfig.PublishingPointConfig> points = cfg.publishingPoints();
        for (int i = 0; i < points.size(); i++) {
            EdgeConfig.PublishingPointConfig p = points.get(i);
            String key = "publishingPoints[" + i + "]";
            if (p == null) {
                throw new ConfigException(source + ": key '" + key + "': empty entry");
            }
            String name = p.name() == null ? "" : p.name();
            if (!name.matches("[A-Za-z0-9._~-]*")) {
                throw new ConfigException(source + ": key '" + key + ".name': '" + name
                        + "' may only use letters, digits and . _ ~ -");
            }
            if (!names.add(name)) {
                throw new ConfigException(source + ": key '" + key + ".name': duplicate publishing point '" + name + "'");
            }
            String type = p.type();
            if (type == null) {
                throw new ConfigException(source + ": key '" + key + ".type': required (directory, playlist or broadcast)");
            }
            if (!type.equals("broadcast") && (p.maxLagSeconds() != null || p.queueBytes() != null)) {
                throw new ConfigException(source + ": key '" + key + (p.maxLagSeconds() != null ? ".maxLagSeconds"
                        : ".queueBytes") + "': only for broadcasts");
            }
            switch (type) {
                case "broadcast" -> validateBroadcast(source, key, name, p);
                case "directory" -> {
                    if (p.path() == null || p.path().isBlank()) {
                        throw new ConfigException(source + ": key '" + key + ".path': required for a directory");
                    }
                    if (p.entries() != null) {
                        throw new ConfigException(source + ": key '" + key + ".entries': only for playlists");
                    }
                }
                case "playlist" -> {
                    if (p.entries() == null || p.entries().isEmpty()) {
                        throw new ConfigException(source + ": key '" + key + ".entries': a playlist needs at least one file");
                    }
                    if (name.isEmpty()) {
                        throw new ConfigException(source + ": key '" + key + ".name': a playlist needs a name");
                    }
                }
                default -> throw new ConfigException(source + ": key '" + key + ".type': unknown type '" + type
                        + "' (expected directory, playlist or broadcast)");
            }
            if (p.auth() != null) {
                if (p.auth().usersFile() == null || p.auth().usersFile().isBlank()) {
                    throw new ConfigException(source + ": key '" + key + ".auth.usersFile': required");
                }
                if (p.auth().realm() != null && !p.auth().realm().matches("[\\x20-\\x7E&&[^\"\\\\]]{0,64}")) {
                    throw new ConfigException(source + ": key '" + key + ".auth.realm': up to 64 printable characters, "
                            + "no quotes or backslashes");
                }
            }
        }
    }

    private static void validateEdge(EdgeConfig cfg, String source) throws ConfigException {
        EdgeConfig.EdgeSection e = cfg.edge();
        if (e.port() == null) {
            throw new ConfigException(source + ": key 'edge.port': required");
        }
        port(source, "edge.port", e.port());
        if (e.bind() != null) {
            address(source, "edge.bind", e.bind());
        }
        if (!cfg.publishingPoints().isEmpty() && e.port() != 0 && e.port().equals(cfg.server().port())) {
            throw new ConfigException(source + ": key 'edge.port': the edge and the origin listener ('server.port') "
                    + "need different ports");
        }
        boolean forward = e.forward() != null && Boolean.TRUE.equals(e.forward().enabled());
        List<EdgeConfig.ReverseConfig> reverse = e.reverse() == null ? List.of() : e.reverse();
        if (reverse.isEmpty() && !forward) {
            throw new ConfigException(source + ": key 'edge': needs 'reverse' rules or 'forward.enabled: true'");
        }
        for (int i = 0; i < reverse.size(); i++) {
            EdgeConfig.ReverseConfig r = reverse.get(i);
            String key = "edge.reverse[" + i + "]";
            if (r == null || r.origins() == null || r.origins().isEmpty()) {
                throw new ConfigException(source + ": key '" + key + ".origins': at least one origin URL is required");
            }
            for (int j = 0; j < r.origins().size(); j++) {
                try {
                    io.mmsedge.proxy.route.OriginUrl.parse(r.origins().get(j));
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(source + ": key '" + key + ".origins[" + j + "]': " + ex.getMessage());
                }
            }
        }
        if (forward) {
            List<String> allow = e.forward().allow();
            if (allow == null || allow.isEmpty()) {
                throw new ConfigException(source + ": key 'edge.forward.allow': a forward proxy needs allow rules "
                        + "(it must not be an open relay)");
            }
            for (int i = 0; i < allow.size(); i++) {
                try {
                    io.mmsedge.proxy.route.AllowRule.parse(allow.get(i));
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(source + ": key 'edge.forward.allow[" + i + "]': " + ex.getMessage());
                }
            }
        }
        if (e.maxRedirectHops() != null && (e.maxRedirectHops() < 0 || e.maxRedirectHops() > 20)) {
            throw new ConfigException(source + ": key 'edge.maxRedirectHops': must be 0..20");
        }
        if (e.maxSessions() != null && e.maxSessions() < 0) {
            throw new ConfigException(source + ": key 'edge.maxSessions': must be >= 0 (0 = unlimited)");
        }
        positive(source, "edge.connectTimeoutSeconds", e.connectTimeoutSeconds(), 1);
        if (e.split() != null) {
            if (e.split().lingerSeconds() != null && !(e.split().lingerSeconds() >= 0)) {
                throw new ConfigException(source + ": key 'edge.split.lingerSeconds': must be >= 0");
            }
            if (e.split().graceSeconds() != null && !(e.split().graceSeconds() >= 0)) {
                throw new ConfigException(source + ": key 'edge.split.graceSeconds': must be >= 0");
            }
        }
        if (e.cache() != null) {
            EdgeConfig.CacheConfig c = e.cache();
            long size = byteSize(source, "edge.cache.size", c.size(), DEFAULT_CACHE_SIZE);
            if (size < 1024 * 1024) {
                throw new ConfigException(source + ": key 'edge.cache.size': at least 1m, got '" + c.size() + "'");
            }
            byteSize(source, "edge.cache.memory", c.memory(), DEFAULT_CACHE_MEMORY);
            if (c.trustSeconds() != null && c.trustSeconds() < 0) {
                throw new ConfigException(source + ": key 'edge.cache.trustSeconds': must be >= 0, got " + c.trustSeconds());
            }
            if (c.fillSpeed() != null && !(c.fillSpeed() >= 1 && c.fillSpeed() <= 1000)) {
                throw new ConfigException(source + ": key 'edge.cache.fillSpeed': must be between 1 (the origin's "
                        + "own pace) and 1000, got " + c.fillSpeed());
            }
            if (c.dir() != null && c.dir().isBlank()) {
                throw new ConfigException(source + ": key 'edge.cache.dir': empty (leave it out for a temporary directory)");
            }
        }
        if (e.upstreamProxy() != null) {
            try {
                io.mmsedge.proxy.route.OriginUrl.parse(e.upstreamProxy());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(source + ": key 'edge.upstreamProxy': " + ex.getMessage());
            }
        }
        if (e.instanceId() != null && !e.instanceId().matches("[A-Za-z0-9.-]{1,32}")) {
            throw new ConfigException(source + ": key 'edge.instanceId': 1-32 letters, digits, '.' or '-'");
        }
        List<EdgeConfig.RedirectConfig> redirects = e.redirects() == null ? List.of() : e.redirects();
        for (int i = 0; i < redirects.size(); i++) {
            EdgeConfig.RedirectConfig r = redirects.get(i);
            try {
                new io.mmsedge.proxy.route.RedirectRule(r.pathPrefix(), r.originPattern(),
                        r.type() == null ? 0 : r.type(), r.location(), Boolean.TRUE.equals(r.whenBusy()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(source + ": key 'edge.redirects[" + i + "]': " + ex.getMessage());
            }
        }
    }

    static final long DEFAULT_CACHE_SIZE = 1L << 30;
    static final long DEFAULT_CACHE_MEMORY = 64L << 20;

    /**
     * A byte size as operators write it: a number with an optional k, m, g or t suffix (powers of
     * 1024, case-insensitive, an optional trailing 'b'), e.g. "2g", "256m", "1048576".
     */
    public static long parseByteSize(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                case 't' -> shift = 40;
                default -> shift = -1;
            }
            if (shift >= 0) {
                t = t.substring(0, t.length() - 1).trim();
            } else {
                shift = 0;
            }
        }
        if (!t.matches("[0-9]{1,13}(\\.[0-9]{1,3})?")) {
            throw new IllegalArgumentException("not a size like 512m, 2g or 1048576: '" + text + "'");
        }
        double v = Double.parseDouble(t) * (1L << shift);
        if (v > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("too large: '" + text + "'");
        }
        return (long) v;
    }

    private static long byteSize(String source, String key, String value, long dflt) throws ConfigException {
        if (value == null) {
            return dflt;
        }
        try {
            return parseByteSize(value);
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(source + ": key '" + key + "': " + ex.getMessage());
        }
    }

    /**
     * Cache settings of a validated edge section, or null when caching is off. A missing
     * {@code dir} is given as null: the caller makes a temporary directory.
     */
    public static CacheSection cacheSettings(EdgeConfig.EdgeSection e, java.nio.file.Path baseDir) {
        EdgeConfig.CacheConfig c = e.cache();
        if (c == null || Boolean.FALSE.equals(c.enabled())) {
            return null;
        }
        java.nio.file.Path dir = c.dir() == null ? null : baseDir.resolve(c.dir()).toAbsolutePath().normalize();
        long size = c.size() == null ? DEFAULT_CACHE_SIZE : parseByteSize(c.size());
        long memory = c.memory() == null ? DEFAULT_CACHE_MEMORY : parseByteSize(c.memory());
        long trustMillis = c.trustSeconds() == null ? 0 : c.trustSeconds() * 1000L;
        return new CacheSection(dir, size, memory, new io.mmsedge.cache.serve.CachePolicy(trustMillis,
                c.serveStale() == null || c.serveStale(),
                c.fillSpeed() == null ? io.mmsedge.cache.serve.CachePolicy.DEFAULT_FILL_SPEED : c.fillSpeed()));
    }

    /** The edge cache as configured: {@code dir} null = a temporary directory. */
    public record CacheSection(java.nio.file.Path dir, long size, long memory,
                               io.mmsedge.cache.serve.CachePolicy policy) {
    }

    /** Split settings of a validated edge section. */
    public static io.mmsedge.proxy.split.SplitSettings splitSettings(EdgeConfig.EdgeSection e) {
        io.mmsedge.proxy.split.SplitSettings d = io.mmsedge.proxy.split.SplitSettings.defaults();
        EdgeConfig.SplitConfig c = e.split();
        if (c == null) {
            return d;
        }
        return new io.mmsedge.proxy.split.SplitSettings(c.enabled() == null || c.enabled(),
                c.lingerSeconds() == null ? d.linger() : Duration.ofMillis((long) (c.lingerSeconds() * 1000)),
                c.graceSeconds() == null ? d.gracePeriod() : Duration.ofMillis((long) (c.graceSeconds() * 1000)),
                d.initialBackoff(), d.maxBackoff());
    }

    /** Proxy settings of a validated edge section. */
    public static io.mmsedge.proxy.ProxySettings proxySettings(EdgeConfig.EdgeSection e, String version) {
        List<io.mmsedge.proxy.route.ReverseRule> reverse = new java.util.ArrayList<>();
        for (EdgeConfig.ReverseConfig r : e.reverse() == null ? List.<EdgeConfig.ReverseConfig>of() : e.reverse()) {
            reverse.add(new io.mmsedge.proxy.route.ReverseRule(r.prefix(),
                    r.origins().stream().map(io.mmsedge.proxy.route.OriginUrl::parse).toList(),
                    Boolean.TRUE.equals(r.cacheProtected())));
        }
        boolean forward = e.forward() != null && Boolean.TRUE.equals(e.forward().enabled());
        List<io.mmsedge.proxy.route.AllowRule> allow = forward
                ? e.forward().allow().stream().map(io.mmsedge.proxy.route.AllowRule::parse).toList() : List.of();
        List<io.mmsedge.proxy.route.RedirectRule> redirects = new java.util.ArrayList<>();
        for (EdgeConfig.RedirectConfig r : e.redirects() == null ? List.<EdgeConfig.RedirectConfig>of() : e.redirects()) {
            redirects.add(new io.mmsedge.proxy.route.RedirectRule(r.pathPrefix(), r.originPattern(), r.type(),
                    r.location(), Boolean.TRUE.equals(r.whenBusy())));
        }
        io.mmsedge.proxy.ViaToken via = e.instanceId() != null ? io.mmsedge.proxy.ViaToken.of(version, e.instanceId())
                : io.mmsedge.proxy.ViaToken.generate(version);
        java.util.Set<String> names = new java.util.HashSet<>();
        if (e.localNames() != null) {
            e.localNames().forEach(n -> names.add(n.toLowerCase(java.util.Locale.ROOT)));
        }
        return new io.mmsedge.proxy.ProxySettings(reverse, forward, allow, names,
                e.followRedirects() == null || e.followRedirects(),
                e.maxRedirectHops() == null ? 5 : e.maxRedirectHops(), redirects,
                e.maxSessions() == null ? 0 : e.maxSessions(), via,
                Duration.ofSeconds(e.connectTimeoutSeconds() == null ? 5 : e.connectTimeoutSeconds()),
                e.upstreamProxy() == null ? null : io.mmsedge.proxy.route.OriginUrl.parse(e.upstreamProxy()));
    }

    private static void validateBroadcast(String source, String key, String name,
                                          EdgeConfig.PublishingPointConfig p) throws ConfigException {
        if (name.isEmpty()) {
            throw new ConfigException(source + ": key '" + key + ".name': a broadcast needs a name");
        }
        boolean hasPath = p.path() != null && !p.path().isBlank();
        boolean hasEntries = p.entries() != null && !p.entries().isEmpty();
        if (hasPath == hasEntries) {
            throw new ConfigException(source + ": key '" + key + (hasPath ? ".entries" : ".path")
                    + "': a broadcast needs either path (one file, looped) or entries (a looped playlist)");
        }
        positive(source, key + ".maxLagSeconds", p.maxLagSeconds(), 1);
        positive(source, key + ".queueBytes", p.queueBytes(), 16 * 1024);
    }

    private static void port(String source, String key, int port) throws ConfigException {
        if (port < 0 || port > 65535) {
            throw new ConfigException(source + ": key '" + key + "': must be 0..65535, got " + port);
        }
    }

    private static void positive(String source, String key, Integer v, int min) throws ConfigException {
        if (v != null && v < min) {
            throw new ConfigException(source + ": key '" + key + "': must be >= " + min + ", got " + v);
        }
    }

    private static void address(String source, String key, String host) throws ConfigException {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException(source + ": key '" + key + "': unknown address '" + host + "'");
        }
    }

    /** Server settings from the server section, defaults where a key is absent. */
    public static ServerSettings serverSettings(EdgeConfig cfg) {
        EdgeConfig.ServerSection s = cfg.server();
        ServerSettings d = ServerSettings.defaults();
        return new ServerSettings(
                s.serverVersionInfo() != null ? s.serverVersionInfo() : d.serverVersionInfo(),
                s.keepAliveSeconds() != null ? Duration.ofSeconds(s.keepAliveSeconds()) : d.keepAlive(),
                s.idleTimeoutSeconds() != null ? Duration.ofSeconds(s.idleTimeoutSeconds()) : d.idleTimeout(),
                s.pacingSpeed() != null ? s.pacingSpeed() : d.pacingSpeed(),
                s.maxCommandBytes() != null ? s.maxCommandBytes() : d.maxCommandSize(),
                s.writeBufferBytes() != null ? s.writeBufferBytes() : d.writeHighWaterMark(),
                s.writeMergeMillis() != null ? s.writeMergeMillis() : d.writeMergeMillis());
    }
}
