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
        if (cfg.publishingPoints().isEmpty()) {
            throw new ConfigException(source + ": key 'publishingPoints': at least one publishing point is required");
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
        }
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
                s.writeBufferBytes() != null ? s.writeBufferBytes() : d.writeHighWaterMark());
    }
}
