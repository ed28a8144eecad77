package io.mmsedge.distribution.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.mmsedge.distribution.config.Check.ByteSize;
import io.mmsedge.distribution.config.Check.CrossChecked;
import io.mmsedge.distribution.config.Check.Format;
import io.mmsedge.distribution.config.Check.Kind;
import io.mmsedge.distribution.config.Check.Matches;
import io.mmsedge.distribution.config.Check.NotEmpty;
import io.mmsedge.distribution.config.Check.Problem;
import io.mmsedge.distribution.config.Check.Range;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The configuration file (YAML). Unknown keys are errors, so a typo never silently falls
 * back to a default. See {@code conf/mms-edge.yaml} for a documented example.
 *
 * <p>Validation is declared here: Jackson enforces the keys ({@code required}, unknown keys, the
 * publishing point {@code type}), the {@link Check} annotations the values, and
 * {@link CrossChecked#problem()} the few rules between keys; {@link ConfigValidator} reports the
 * first break naming its key. The two listener sections, {@link ServerSection} and
 * {@link EdgeSection}, have files of their own; the smaller sections stay nested here.
 */
public record EdgeConfig(
        @JsonProperty("server") ServerSection server,
        @JsonProperty("status") StatusSection status,
        @JsonProperty("publishingPoints") List<PublishingPointConfig> publishingPoints,
        @JsonProperty("edge") EdgeSection edge,
        @JsonProperty("accessLog") AccessLogConfig accessLog) implements CrossChecked {

    static final String NAME_REGEX = "[A-Za-z0-9._~-]*";
    static final String NAME_RULE = "may only use letters, digits and . _ ~ -";

    public EdgeConfig {
        server = server == null ? ServerSection.DEFAULT : server;
        publishingPoints = publishingPoints == null ? List.of() : java.util.Collections.unmodifiableList(
                new java.util.ArrayList<>(publishingPoints)); // List.copyOf rejects the null of an empty '- ' entry
    }

    /** A configuration without an access-log file. */
    public EdgeConfig(ServerSection server, StatusSection status, List<PublishingPointConfig> publishingPoints,
                      EdgeSection edge) {
        this(server, status, publishingPoints, edge, null);
    }

    @Override
    public Problem problem() {
        if (publishingPoints.isEmpty() && edge == null) {
            return Problem.at("publishingPoints", "at least one publishing point (or an 'edge' section) is required");
        }
        if (edge != null && !publishingPoints.isEmpty() && edge.port() != null && edge.port() != 0
                && edge.port().equals(server.port())) {
            return Problem.at("edge.port", "the edge and the origin listener ('server.port') need different ports");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < publishingPoints.size(); i++) {
            if (!names.add(publishingPoints.get(i).pointName())) {
                return Problem.at("publishingPoints[" + i + "].name", "duplicate publishing point '"
                        + publishingPoints.get(i).pointName() + "'");
            }
        }
        return null;
    }

    /**
     * On-demand caching at the edge (MS-MSSOD §1.1: the origin serves one transfer).
     *
     * @param enabled      default true when the section is present
     * @param dir          the disk tier; absent = a fresh temporary directory (gone at exit)
     * @param size         disk quota, e.g. "2g", "512m" (default 1g)
     * @param memory       memory tier bound, e.g. "256m" (default 64m; "0" = no memory tier)
     * @param trustSeconds a complete item confirmed this recently is served without a freshness
     *                     check (default 0: every open asks the origin); never for protected content
     * @param serveStale   serve a complete, unprotected item when the origin is unreachable (default true)
     * @param fillSpeed    fills ask the origin for this many times the content's bit rate
     *                     (dwAccelBandwidth; default 4, 1 = the origin's own pace)
     * @param overlapCheck serve a complete, unprotected item at once while its freshness check
     *                     runs, holding the first Data packet until it passes (default false)
     */
    public record CacheConfig(@JsonProperty("enabled") Boolean enabled,
                              @JsonProperty("dir") @Matches(regex = ".*\\S.*", message = "empty (leave it out for a "
                                      + "temporary directory)") String dir,
                              @JsonProperty("size") @ByteSize(min = 1 << 20, minText = "1m") String size,
                              @JsonProperty("memory") @ByteSize String memory,
                              @JsonProperty("trustSeconds") @Range Integer trustSeconds,
                              @JsonProperty("serveStale") Boolean serveStale,
                              @JsonProperty("fillSpeed") @Range(min = 1, max = 1000,
                                      note = "1 = the origin's own pace") Double fillSpeed,
                              @JsonProperty("overlapCheck") Boolean overlapCheck) {
    }

    /**
     * Splitting of broadcasts: one upstream session per broadcast URL, shared by every player.
     * {@code lingerSeconds}: the upstream stays this long after the last player left;
     * {@code graceSeconds}: players are kept this long while a lost upstream reconnects;
     * {@code queueBytes} and {@code maxLagSeconds}: each player's limits, as a broadcast point's.
     */
    public record SplitConfig(@JsonProperty("enabled") Boolean enabled,
                              @JsonProperty("lingerSeconds") @Range Double lingerSeconds,
                              @JsonProperty("graceSeconds") @Range Double graceSeconds,
                              @JsonProperty("queueBytes") @Range(min = 16 * 1024) Integer queueBytes,
                              @JsonProperty("maxLagSeconds") @Range(min = 1) Integer maxLagSeconds) {
    }

    /**
     * Player paths starting with {@code prefix} come from {@code origins} (mms://host[:port][/path]),
     * in order. {@code cacheProtected}: also cache content the origin protects with a challenge
     * (default false; every player is still authorized by the origin first).
     */
    public record ReverseConfig(@JsonProperty("prefix") String prefix,
                                @JsonProperty("origins") @NotEmpty(message = "at least one origin URL is required")
                                @Format(Kind.ORIGIN_URL) List<String> origins,
                                @JsonProperty("cacheProtected") Boolean cacheProtected,
                                @JsonProperty("access") AccessConfig access) {
        /** A rule without access rules of its own. */
        public ReverseConfig(String prefix, List<String> origins, Boolean cacheProtected) {
            this(prefix, origins, cacheProtected, null);
        }
    }

    /**
     * Player access rules of a listener ({@code server.access}, {@code edge.access}), a reverse
     * prefix or a publishing point ({@link io.mmsedge.server.access.AccessRules}); a player must
     * pass its listener's and its path's. Absent keys: no list, no limit; 0 = no limit.
     *
     * @param allow                  address blocks (10.0.0.0/8, 2001:db8::/32, 192.0.2.7) served;
     *                               absent or empty = every address not denied
     * @param deny                   address blocks refused (E_ACCESS_DENIED, MMSH 403), even if allowed
     * @param maxPlayers             players at once (then NS_E_MAX_CLIENTS, MMSH 503)
     * @param maxBandwidthKbps       the players' aggregate bit rate; a player whose content would
     *                               take it over is refused (NS_E_MAX_BITRATE, MMSH 503)
     * @param maxPlayerBandwidthKbps each player's rate: a faster player is slowed down
     * @param connectionsPerSecond   new sessions a second from one address (then NS_E_TOO_MANY_SESS)
     * @param redirect               at a limit, a type 2 (proxy) redirect to this sibling edge
     *                               instead of the error (never for a denied address)
     */
    public record AccessConfig(
            @JsonProperty("allow") @Format(Kind.CIDR) List<String> allow,
            @JsonProperty("deny") @Format(Kind.CIDR) List<String> deny,
            @JsonProperty("maxPlayers") @Range(note = "0 = no limit") Integer maxPlayers,
            @JsonProperty("maxBandwidthKbps") @Range(max = 1e9, note = "0 = no limit") Long maxBandwidthKbps,
            @JsonProperty("maxPlayerBandwidthKbps") @Range(max = 1e9, note = "0 = no limit") Long maxPlayerBandwidthKbps,
            @JsonProperty("connectionsPerSecond") @Range(max = 1e6, note = "0 = no limit") Integer connectionsPerSecond,
            @JsonProperty("redirect") @Format(Kind.ORIGIN_URL) String redirect) {
    }

    /** Forward proxying; {@code allow} is only read (and checked) when enabled. */
    public record ForwardConfig(@JsonProperty("enabled") Boolean enabled, @JsonProperty("allow") List<String> allow)
            implements CrossChecked {

        @Override
        public Problem problem() {
            if (!Boolean.TRUE.equals(enabled)) {
                return null;
            }
            if (allow == null || allow.isEmpty()) {
                return Problem.at("allow", "a forward proxy needs allow rules (it must not be an open relay)");
            }
            for (int i = 0; i < allow.size(); i++) {
                try {
                    Kind.ALLOW_RULE.check(allow.get(i));
                } catch (IllegalArgumentException e) {
                    return Problem.at("allow[" + i + "]", e.getMessage());
                }
            }
            return null;
        }
    }

    /** A redirect policy toward players (MS-MMSP 2.2.4.9). */
    public record RedirectConfig(
            @JsonProperty("pathPrefix") String pathPrefix,
            @JsonProperty("originPattern") String originPattern,
            @JsonProperty("type") Integer type,
            @JsonProperty("location") String location,
            @JsonProperty("whenBusy") Boolean whenBusy) implements CrossChecked {

        @Override
        public Problem problem() {
            try {
                new io.mmsedge.proxy.route.RedirectRule(pathPrefix, originPattern, type == null ? 0 : type, location,
                        Boolean.TRUE.equals(whenBusy));
                return null;
            } catch (IllegalArgumentException e) {
                return Problem.at("", e.getMessage());
            }
        }
    }

    /**
     * Bounds on each listener's connections (the origin's and the edge's, each counting its MMS
     * and HTTP ports together); absent keys keep the defaults of
     * {@link io.mmsedge.server.net.ConnectionLimits#defaults()}.
     */
    public record LimitsConfig(
            @JsonProperty("maxConnections") @Range(min = 1) Integer maxConnections,
            @JsonProperty("maxConnectionsPerAddress") @Range(note = "0 = no per-address bound")
            Integer maxConnectionsPerAddress,
            @JsonProperty("maxHandshakes") @Range(min = 1) Integer maxHandshakes,
            @JsonProperty("handshakeSeconds") @Range(min = 1, max = 600) Integer handshakeSeconds) {
    }

    /**
     * MMS Data packets over UDP for a listener (MS-MMSP 3.2.5.5, mmsu://); absent = on, with the
     * defaults. A player's datagrams only ever go to the address of its TCP connection.
     *
     * @param enabled       default true
     * @param port          the UDP port (resend requests arrive, datagrams leave); absent = the
     *                      listener's own port number, 0 = any free port
     * @param rateFactor    a player's UDP rate stays under its content's bit rate times this (default 2)
     * @param burstSeconds  seconds of content a player may get ahead of that rate (default 5)
     * @param resendSeconds how long sent packets stay available for resends (default 5; 0 = no resends)
     * @param resendShare   resends a player may ask for, as a share of its packet rate (default 0.25;
     *                      at least 4 a second, bursts of 32)
     * @param minClientPort the lowest UDP port a player may name (default 1024)
     */
    public record UdpConfig(@JsonProperty("enabled") Boolean enabled,
                            @JsonProperty("port") @Range(max = 65535, note = "0 = any free port") Integer port,
                            @JsonProperty("rateFactor") @Range(min = 1, max = 1000) Double rateFactor,
                            @JsonProperty("burstSeconds") @Range(min = 1, max = 60) Double burstSeconds,
                            @JsonProperty("resendSeconds") @Range(max = 30) Double resendSeconds,
                            @JsonProperty("resendShare") @Range(max = 1) Double resendShare,
                            @JsonProperty("minClientPort") @Range(min = 1, max = 65535) Integer minClientPort) {
    }

    /** Two listeners configured on one fixed port (0 picks a free port, so it never clashes). */
    static boolean samePort(Integer a, Integer b) {
        return a != null && b != null && a != 0 && a.equals(b);
    }

    /**
     * The HTTP status, metrics and admin listener; absent = disabled.
     *
     * @param bind            its own address (default loopback, whatever the MMS listeners use)
     * @param adminToken      the bearer token of the protected (admin) routes; the environment's
     *                        MMS_EDGE_ADMIN_TOKEN overrides it; none = those routes are refused
     * @param maxRequestBytes the largest request body accepted
     * @param maxPrestuffs    prestuff jobs opening or filling at once; more are refused (429)
     */
    public record StatusSection(@JsonProperty("bind") @Format(Kind.ADDRESS) String bind,
                                @JsonProperty(value = "port", required = true) @Range(max = 65535) Integer port,
                                @JsonProperty("adminToken") @Matches(regex = "[\\x21-\\x7E]{16,256}",
                                        message = "16 to 256 printable ASCII characters, no spaces") String adminToken,
                                @JsonProperty("maxRequestBytes") @Range(min = 1024, max = 1 << 20) Integer maxRequestBytes,
                                @JsonProperty("maxPrestuffs") @Range(min = 1, max = 100) Integer maxPrestuffs) {
        /** A listener with the default limits and no admin token. */
        public StatusSection(String bind, Integer port) {
            this(bind, port, null, null, null);
        }
    }

    /**
     * A publishing point: {@code name} is the first path segment players use
     * ({@code mmst://host/name/...}); the empty name serves paths that match no other point. Its
     * {@code type} key picks the kind, and with it the keys it may have.
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = PublishingPointConfig.TYPE)
    @JsonSubTypes({
        @JsonSubTypes.Type(value = DirectoryPoint.class, name = "directory"),
        @JsonSubTypes.Type(value = PlaylistPoint.class, name = "playlist"),
        @JsonSubTypes.Type(value = BroadcastPoint.class, name = "broadcast")})
    public sealed interface PublishingPointConfig permits DirectoryPoint, PlaylistPoint, BroadcastPoint {
        /** The key naming the kind of point. */
        String TYPE = "type";
        String TYPES = "directory, playlist or broadcast";

        /** The name as written; absent for the default point. */
        String name();

        /** The name, "" for the default point. */
        default String pointName() {
            return name() == null ? "" : name();
        }

        /** Basic authentication, or null. */
        AuthConfig auth();

        /** The point's own player access rules, or null. */
        AccessConfig access();
    }

    /**
     * On-demand files below {@code path}.
     *
     * @param followSymlinks serve files that symbolic links inside {@code path} point to outside
     *                       it (default false: such files are refused)
     */
    public record DirectoryPoint(
            @JsonProperty("name") @Matches(regex = NAME_REGEX, message = NAME_RULE) String name,
            @JsonProperty(value = "path", required = true) @NotEmpty(message = "required for a directory") String path,
            @JsonProperty("auth") AuthConfig auth,
            @JsonProperty("followSymlinks") Boolean followSymlinks,
            @JsonProperty("access") AccessConfig access) implements PublishingPointConfig {
        /** A point without access rules of its own. */
        public DirectoryPoint(String name, String path, AuthConfig auth, Boolean followSymlinks) {
            this(name, path, auth, followSymlinks, null);
        }
    }

    /** A server-side playlist: the files of {@code entries}, one after another with StreamChange. */
    public record PlaylistPoint(
            @JsonProperty("name") @Matches(regex = NAME_REGEX, message = NAME_RULE)
            @NotEmpty(message = "a playlist needs a name") String name,
            @JsonProperty(value = "entries", required = true)
            @NotEmpty(message = "a playlist needs at least one file") List<String> entries,
            @JsonProperty("auth") AuthConfig auth,
            @JsonProperty("access") AccessConfig access) implements PublishingPointConfig {
        /** A playlist without access rules of its own. */
        public PlaylistPoint(String name, List<String> entries, AuthConfig auth) {
            this(name, entries, auth, null);
        }
    }

    /**
     * A live stream: the file {@code path} looped, or the files of {@code entries} as a looped
     * broadcast playlist.
     *
     * @param maxLagSeconds a player this far behind the live point is disconnected
     * @param queueBytes    per-player queue above which a player skips ahead
     */
    public record BroadcastPoint(
            @JsonProperty("name") @Matches(regex = NAME_REGEX, message = NAME_RULE)
            @NotEmpty(message = "a broadcast needs a name") String name,
            @JsonProperty("path") String path,
            @JsonProperty("entries") List<String> entries,
            @JsonProperty("auth") AuthConfig auth,
            @JsonProperty("maxLagSeconds") @Range(min = 1) Integer maxLagSeconds,
            @JsonProperty("queueBytes") @Range(min = 16 * 1024) Integer queueBytes,
            @JsonProperty("access") AccessConfig access)
            implements PublishingPointConfig, CrossChecked {
        /** A broadcast without access rules of its own. */
        public BroadcastPoint(String name, String path, List<String> entries, AuthConfig auth, Integer maxLagSeconds,
                              Integer queueBytes) {
            this(name, path, entries, auth, maxLagSeconds, queueBytes, null);
        }

        /** The files it loops: {@code path} alone, or {@code entries}. */
        public List<String> files() {
            return path != null ? List.of(path) : entries;
        }

        @Override
        public Problem problem() {
            boolean hasPath = path != null && !path.isBlank();
            boolean hasEntries = entries != null && !entries.isEmpty();
            return hasPath == hasEntries ? Problem.at(hasPath ? "entries" : "path",
                    "a broadcast needs either path (one file, looped) or entries (a looped playlist)") : null;
        }
    }

    /**
     * Basic authentication for a publishing point (MS-MMSP 4.6.1): players must give a user of
     * {@code usersFile} (lines "user:pbkdf2-sha256$...", made by {@code mms-edge passwd USER}).
     */
    public record AuthConfig(
            @JsonProperty("realm") @Matches(regex = "[\\x20-\\x7E&&[^\"\\\\]]{0,64}",
                    message = "up to 64 printable characters, no quotes or backslashes") String realm,
            @JsonProperty(value = "usersFile", required = true) @NotEmpty(message = "required") String usersFile) {
    }
}
