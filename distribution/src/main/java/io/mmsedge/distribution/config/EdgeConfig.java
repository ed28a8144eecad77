package io.mmsedge.distribution.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The configuration file (YAML). Unknown keys are errors, so a typo never silently falls
 * back to a default. See {@code conf/mms-edge.yaml} for a documented example.
 */
public record EdgeConfig(
        @JsonProperty("server") ServerSection server,
        @JsonProperty("status") StatusSection status,
        @JsonProperty("publishingPoints") List<PublishingPointConfig> publishingPoints,
        @JsonProperty("edge") EdgeSection edge) {

    public EdgeConfig {
        server = server == null ? ServerSection.DEFAULT : server;
        publishingPoints = publishingPoints == null ? List.of() : List.copyOf(publishingPoints);
    }

    /**
     * The edge (proxy) listener: reverse rules map paths to origins; forward mode relays to the
     * server a player names, if an allow rule permits it.
     */
    public record EdgeSection(
            @JsonProperty("bind") String bind,
            @JsonProperty("port") Integer port,
            @JsonProperty("reverse") List<ReverseConfig> reverse,
            @JsonProperty("forward") ForwardConfig forward,
            @JsonProperty("followRedirects") Boolean followRedirects,
            @JsonProperty("maxRedirectHops") Integer maxRedirectHops,
            @JsonProperty("maxSessions") Integer maxSessions,
            @JsonProperty("redirects") List<RedirectConfig> redirects,
            @JsonProperty("connectTimeoutSeconds") Integer connectTimeoutSeconds,
            @JsonProperty("instanceId") String instanceId,
            @JsonProperty("localNames") List<String> localNames,
            @JsonProperty("upstreamProxy") String upstreamProxy,
            @JsonProperty("split") SplitConfig split,
            @JsonProperty("cache") CacheConfig cache) {
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
     */
    public record CacheConfig(@JsonProperty("enabled") Boolean enabled,
                              @JsonProperty("dir") String dir,
                              @JsonProperty("size") String size,
                              @JsonProperty("memory") String memory,
                              @JsonProperty("trustSeconds") Integer trustSeconds,
                              @JsonProperty("serveStale") Boolean serveStale,
                              @JsonProperty("fillSpeed") Double fillSpeed) {
    }

    /**
     * Splitting of broadcasts: one upstream session per broadcast URL, shared by every player.
     * {@code lingerSeconds}: the upstream stays this long after the last player left;
     * {@code graceSeconds}: players are kept this long while a lost upstream reconnects.
     */
    public record SplitConfig(@JsonProperty("enabled") Boolean enabled,
                              @JsonProperty("lingerSeconds") Double lingerSeconds,
                              @JsonProperty("graceSeconds") Double graceSeconds) {
    }

    /**
     * Player paths starting with {@code prefix} come from {@code origins} (mms://host[:port][/path]),
     * in order. {@code cacheProtected}: also cache content the origin protects with a challenge
     * (default false; every player is still authorized by the origin first).
     */
    public record ReverseConfig(@JsonProperty("prefix") String prefix, @JsonProperty("origins") List<String> origins,
                                @JsonProperty("cacheProtected") Boolean cacheProtected) {
    }

    public record ForwardConfig(@JsonProperty("enabled") Boolean enabled, @JsonProperty("allow") List<String> allow) {
    }

    /** A redirect policy toward players (MS-MMSP 2.2.4.9). */
    public record RedirectConfig(
            @JsonProperty("pathPrefix") String pathPrefix,
            @JsonProperty("originPattern") String originPattern,
            @JsonProperty("type") Integer type,
            @JsonProperty("location") String location,
            @JsonProperty("whenBusy") Boolean whenBusy) {
    }

    /** The MMS listener and session settings. */
    public record ServerSection(
            @JsonProperty("bind") String bind,
            @JsonProperty("port") Integer port,
            @JsonProperty("serverVersionInfo") String serverVersionInfo,
            @JsonProperty("keepAliveSeconds") Integer keepAliveSeconds,
            @JsonProperty("idleTimeoutSeconds") Integer idleTimeoutSeconds,
            @JsonProperty("pacingSpeed") Double pacingSpeed,
            @JsonProperty("maxCommandBytes") Integer maxCommandBytes,
            @JsonProperty("writeBufferBytes") Integer writeBufferBytes,
            @JsonProperty("writeMergeMillis") Integer writeMergeMillis) {
        static final ServerSection DEFAULT = new ServerSection(null, null, null, null, null, null, null, null, null);
    }

    /** The HTTP status/metrics listener; absent = disabled. */
    public record StatusSection(@JsonProperty("bind") String bind, @JsonProperty("port") Integer port) {
    }

    /**
     * A publishing point: {@code name} is the first path segment players use
     * ({@code mmst://host/name/...}); the empty name serves paths that match no other point.
     *
     * @param type    "directory" (on-demand files below {@code path}) or "playlist" (the files of
     *                {@code entries}, played one after another with StreamChange), or "broadcast"
     *                (a live stream: the file {@code path} looped, or the files of {@code entries}
     *                as a looped broadcast playlist)
     * @param maxLagSeconds broadcast only: a player this far behind the live point is disconnected
     * @param queueBytes    broadcast only: per-player queue above which a player skips ahead
     */
    public record PublishingPointConfig(
            @JsonProperty("name") String name,
            @JsonProperty("type") String type,
            @JsonProperty("path") String path,
            @JsonProperty("entries") List<String> entries,
            @JsonProperty("auth") AuthConfig auth,
            @JsonProperty("maxLagSeconds") Integer maxLagSeconds,
            @JsonProperty("queueBytes") Integer queueBytes) {
    }

    /**
     * Basic authentication for a publishing point (MS-MMSP 4.6.1): players must give a user of
     * {@code usersFile} (lines "user:pbkdf2-sha256$...", made by {@code mms-edge passwd USER}).
     */
    public record AuthConfig(@JsonProperty("realm") String realm, @JsonProperty("usersFile") String usersFile) {
    }
}
