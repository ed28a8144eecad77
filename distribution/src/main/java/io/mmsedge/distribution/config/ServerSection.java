package io.mmsedge.distribution.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.mmsedge.distribution.config.Check.CrossChecked;
import io.mmsedge.distribution.config.Check.Format;
import io.mmsedge.distribution.config.Check.Kind;
import io.mmsedge.distribution.config.Check.Matches;
import io.mmsedge.distribution.config.Check.Problem;
import io.mmsedge.distribution.config.Check.Range;
import io.mmsedge.distribution.config.EdgeConfig.AccessConfig;
import io.mmsedge.distribution.config.EdgeConfig.LimitsConfig;
import io.mmsedge.distribution.config.EdgeConfig.UdpConfig;

/** The MMS listener and session settings. */
public record ServerSection(
        @JsonProperty("bind") @Format(Kind.ADDRESS) String bind,
        @JsonProperty("port") @Range(max = 65535) Integer port,
        @JsonProperty("http") @Range(max = 65535, note = "an MMSH-only HTTP port; absent = none") Integer http,
        @JsonProperty("serverVersionInfo") @Matches(regex = "\\d{1,2}\\.\\d{1,2}(\\.\\d{1,4}\\.\\d{1,4})?",
                message = "must look like 9.1 or 9.1.1.3862 (MS-MMSP 2.2.4.2)") String serverVersionInfo,
        @JsonProperty("keepAliveSeconds") @Range(min = 10) Integer keepAliveSeconds,
        @JsonProperty("idleTimeoutSeconds") @Range(min = 10) Integer idleTimeoutSeconds,
        @JsonProperty("pacingSpeed") @Range(note = "0 = unpaced") Double pacingSpeed,
        @JsonProperty("maxCommandBytes") @Range(min = 1024) Integer maxCommandBytes,
        @JsonProperty("writeBufferBytes") @Range(min = 16 * 1024) Integer writeBufferBytes,
        @JsonProperty("writeMergeMillis") @Range(max = 1000, note = "0 = a write per packet")
        Integer writeMergeMillis,
        @JsonProperty("limits") LimitsConfig limits,
        @JsonProperty("drainSeconds") @Range(max = 3600, note = "0 = end every session at once")
        Integer drainSeconds,
        @JsonProperty("udp") UdpConfig udp,
        @JsonProperty("access") AccessConfig access,
        @JsonProperty("drainRedirect") @Format(Kind.ORIGIN_URL) String drainRedirect,
        @JsonProperty("sendBufferBytes") @Range(note = "0 = the kernel's autotuning") Integer sendBufferBytes,
        @JsonProperty("writeStallSeconds") @Range(min = 0.1, max = 3600) Double writeStallSeconds)
        implements CrossChecked {
    static final ServerSection DEFAULT = new ServerSection(null, null, null, null, null, null, null, null, null,
            null, null, null, null);

    /** The section without access rules, a drain redirect or player-socket settings. */
    public ServerSection(String bind, Integer port, Integer http, String serverVersionInfo, Integer keepAliveSeconds,
                         Integer idleTimeoutSeconds, Double pacingSpeed, Integer maxCommandBytes,
                         Integer writeBufferBytes, Integer writeMergeMillis, LimitsConfig limits,
                         Integer drainSeconds, UdpConfig udp) {
        this(bind, port, http, serverVersionInfo, keepAliveSeconds, idleTimeoutSeconds, pacingSpeed, maxCommandBytes,
                writeBufferBytes, writeMergeMillis, limits, drainSeconds, udp, null, null, null, null);
    }

    /** How long a drain (SIGTERM, POST /admin/drain) lets sessions finish by default. */
    public static final int DEFAULT_DRAIN_SECONDS = 30;

    /** The section without a drain deadline of its own (the default). */
    public ServerSection(String bind, Integer port, Integer http, String serverVersionInfo, Integer keepAliveSeconds,
                         Integer idleTimeoutSeconds, Double pacingSpeed, Integer maxCommandBytes,
                         Integer writeBufferBytes, Integer writeMergeMillis) {
        this(bind, port, http, serverVersionInfo, keepAliveSeconds, idleTimeoutSeconds, pacingSpeed, maxCommandBytes,
                writeBufferBytes, writeMergeMillis, null, null, null);
    }

    /** The drain deadline: {@code drainSeconds}, or the default. */
    public java.time.Duration drainDeadline() {
        return java.time.Duration.ofSeconds(drainSeconds != null ? drainSeconds : DEFAULT_DRAIN_SECONDS);
    }

    @Override
    public Problem problem() {
        return EdgeConfig.samePort(port, http)
                ? Problem.at("http", "the MMSH port must differ from 'port' (which serves MMSH as well)") : null;
    }
}
