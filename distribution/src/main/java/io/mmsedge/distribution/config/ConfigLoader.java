package io.mmsedge.distribution.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mmsedge.server.ServerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@link EdgeConfig} and validates it as its records declare ({@link ConfigValidator});
 * every error names the offending key. Also turns a validated configuration into the settings
 * of the modules.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Jackson's message for a {@code required} key that is absent (the path ends with the key). */
    private static final Pattern MISSING = Pattern.compile("Missing required creator property '([^']+)'");

    private ConfigLoader() {
    }

    public static EdgeConfig load(Path file) throws ConfigException {
        return load(new java.io.ByteArrayInputStream(read(file).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                file.toString(), file.toAbsolutePath().getParent());
    }

    /** A configuration file's text (UTF-8). */
    public static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("cannot read configuration file " + file + ": permission denied", e);
        } catch (IOException e) {
            // The NIO exceptions' message is often the file name alone, already said.
            String why = e.getMessage() == null || e.getMessage().equals(file.toString())
                    ? e.getClass().getSimpleName() : e.getMessage();
            throw new ConfigException("cannot read configuration file " + file + ": " + why, e);
        }
    }

    /**
     * Parses and validates. Relative paths in publishing points resolve against {@code baseDir}
     * (when the points are built, not here).
     */
    public static EdgeConfig load(InputStream in, String source, Path baseDir) throws ConfigException {
        EdgeConfig cfg;
        try {
            cfg = YAML.readValue(in, EdgeConfig.class);
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": " + describe(e), e);
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

    /** Checks a configuration built in code (the command line) as a file's would be. */
    public static void validate(EdgeConfig cfg, String source) throws ConfigException {
        ConfigValidator.validate(cfg, source);
    }

    /** "key 'a.b[0].c': what is wrong", from a binding error of Jackson. */
    static String describe(JsonMappingException e) {
        String key = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        String what = String.valueOf(e.getOriginalMessage());
        boolean missing = MISSING.matcher(what).find();
        if (e instanceof InvalidTypeIdException t) {
            key = sub(key, EdgeConfig.PublishingPointConfig.TYPE);
            what = t.getTypeId() == null ? "required (" + EdgeConfig.PublishingPointConfig.TYPES + ")"
                    : "unknown type '" + t.getTypeId() + "' (expected " + EdgeConfig.PublishingPointConfig.TYPES + ")";
        } else if (e instanceof UnrecognizedPropertyException u) {
            what = "unknown key (expected one of " + u.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")) + ")";
        } else if (e instanceof MismatchedInputException && missing) {
            what = "required";
        } else if (what.indexOf(" (class") > 0) {
            what = what.substring(0, what.indexOf(" (class"));
        }
        return "key '" + key + "': " + what;
    }

    private static String sub(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
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

    /**
     * Cache settings of a validated edge section, or null when caching is off. A missing
     * {@code dir} is given as null: the caller makes a temporary directory.
     */
    public static CacheSection cacheSettings(EdgeSection e, java.nio.file.Path baseDir) {
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
                c.fillSpeed() == null ? io.mmsedge.cache.serve.CachePolicy.DEFAULT_FILL_SPEED : c.fillSpeed(),
                Boolean.TRUE.equals(c.overlapCheck())));
    }

    /** The edge cache as configured: {@code dir} null = a temporary directory. */
    public record CacheSection(java.nio.file.Path dir, long size, long memory,
                               io.mmsedge.cache.serve.CachePolicy policy) {
    }

    /** Split settings of a validated edge section. */
    public static io.mmsedge.proxy.split.SplitSettings splitSettings(EdgeSection e) {
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

    /** The per-player limits of the edge's splits ({@code edge.split.queueBytes}, {@code maxLagSeconds}). */
    public static io.mmsedge.server.broadcast.BroadcastSettings splitBroadcastSettings(EdgeSection e) {
        EdgeConfig.SplitConfig c = e.split();
        return c == null ? io.mmsedge.server.broadcast.BroadcastSettings.defaults()
                : broadcastSettings(c.queueBytes(), c.maxLagSeconds());
    }

    /** A broadcast's per-player limits, defaults where a key is absent. */
    public static io.mmsedge.server.broadcast.BroadcastSettings broadcastSettings(Integer queueBytes,
                                                                                 Integer maxLagSeconds) {
        io.mmsedge.server.broadcast.BroadcastSettings d = io.mmsedge.server.broadcast.BroadcastSettings.defaults();
        return new io.mmsedge.server.broadcast.BroadcastSettings(queueBytes != null ? queueBytes : d.maxQueueBytes(),
                maxLagSeconds != null ? Duration.ofSeconds(maxLagSeconds) : d.maxLag(), d.maxHistoryBytes());
    }

    /** Proxy settings of a validated edge section. */
    public static io.mmsedge.proxy.ProxySettings proxySettings(EdgeSection e, String version) {
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
                e.upstreamProxy() == null ? null : io.mmsedge.proxy.route.OriginUrl.parse(e.upstreamProxy()),
                seconds(e.firstDataTimeoutSeconds(), io.mmsedge.proxy.ProxySettings.DEFAULT_STALL_TIMEOUT),
                seconds(e.stallTimeoutSeconds(), io.mmsedge.proxy.ProxySettings.DEFAULT_STALL_TIMEOUT));
    }

    /** A duration key given in (fractional) seconds, or {@code absent} when the key is not set. */
    private static Duration seconds(Double value, Duration absent) {
        return value == null ? absent : Duration.ofNanos(Math.round(value * 1e9));
    }

    /** UDP settings of a listener's {@code udp} section (absent: on, the defaults). */
    public static io.mmsedge.server.udp.UdpSettings udpSettings(EdgeConfig.UdpConfig c) {
        io.mmsedge.server.udp.UdpSettings d = io.mmsedge.server.udp.UdpSettings.defaults();
        if (c == null) {
            return d;
        }
        return new io.mmsedge.server.udp.UdpSettings(c.enabled() == null || c.enabled(),
                c.port() != null ? c.port() : d.port(),
                c.rateFactor() != null ? c.rateFactor() : d.rateFactor(),
                c.burstSeconds() != null ? c.burstSeconds() : d.burstSeconds(),
                c.resendSeconds() != null ? c.resendSeconds() : d.resendSeconds(),
                c.resendShare() != null ? c.resendShare() : d.resendShare(),
                c.minClientPort() != null ? c.minClientPort() : d.minClientPort());
    }

    /** Server settings from the server section, defaults where a key is absent. */
    public static ServerSettings serverSettings(EdgeConfig cfg) {
        ServerSection s = cfg.server();
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

    /** Player socket bounds from server.sendBufferBytes and server.writeStallSeconds, defaults where absent. */
    public static io.mmsedge.server.net.PlayerSockets playerSockets(EdgeConfig cfg) {
        io.mmsedge.server.net.PlayerSockets p = io.mmsedge.server.net.PlayerSockets.defaults();
        ServerSection s = cfg.server();
        if (s.sendBufferBytes() != null) {
            p = p.withSendBufferBytes(s.sendBufferBytes());
        }
        if (s.writeStallSeconds() != null) {
            p = p.withWriteStallTimeout(Duration.ofMillis(Math.round(s.writeStallSeconds() * 1000)));
        }
        return p;
    }

    /** Connection bounds from server.limits, defaults where a key is absent. */
    public static io.mmsedge.server.net.ConnectionLimits connectionLimits(EdgeConfig cfg) {
        io.mmsedge.server.net.ConnectionLimits l = io.mmsedge.server.net.ConnectionLimits.defaults();
        EdgeConfig.LimitsConfig c = cfg.server().limits();
        if (c == null) {
            return l;
        }
        if (c.maxConnections() != null) {
            l = l.withMaxConnections(c.maxConnections());
        }
        if (c.maxConnectionsPerAddress() != null) {
            l = l.withMaxPerAddress(c.maxConnectionsPerAddress());
        }
        if (c.maxHandshakes() != null) {
            l = l.withMaxHandshakes(c.maxHandshakes());
        }
        if (c.handshakeSeconds() != null) {
            l = l.withHandshakeTimeout(Duration.ofSeconds(c.handshakeSeconds()));
        }
        return l;
    }
}
