package io.mmsedge.distribution.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.mmsedge.distribution.config.Check.CrossChecked;
import io.mmsedge.distribution.config.Check.Format;
import io.mmsedge.distribution.config.Check.Kind;
import io.mmsedge.distribution.config.Check.Matches;
import io.mmsedge.distribution.config.Check.Problem;
import io.mmsedge.distribution.config.Check.Range;
import io.mmsedge.distribution.config.EdgeConfig.AccessConfig;
import io.mmsedge.distribution.config.EdgeConfig.CacheConfig;
import io.mmsedge.distribution.config.EdgeConfig.ForwardConfig;
import io.mmsedge.distribution.config.EdgeConfig.RedirectConfig;
import io.mmsedge.distribution.config.EdgeConfig.ReverseConfig;
import io.mmsedge.distribution.config.EdgeConfig.SplitConfig;
import io.mmsedge.distribution.config.EdgeConfig.UdpConfig;
import java.util.List;

/**
 * The edge (proxy) listener: reverse rules map paths to origins; forward mode relays to the
 * server a player names, if an allow rule permits it.
 */
public record EdgeSection(
        @JsonProperty("bind") @Format(Kind.ADDRESS) String bind,
        @JsonProperty(value = "port", required = true) @Range(max = 65535) Integer port,
        @JsonProperty("http") @Range(max = 65535, note = "an MMSH-only HTTP port; absent = none") Integer http,
        @JsonProperty("reverse") List<ReverseConfig> reverse,
        @JsonProperty("forward") ForwardConfig forward,
        @JsonProperty("followRedirects") Boolean followRedirects,
        @JsonProperty("maxRedirectHops") @Range(max = 20) Integer maxRedirectHops,
        @JsonProperty("maxSessions") @Range(note = "0 = unlimited") Integer maxSessions,
        @JsonProperty("redirects") List<RedirectConfig> redirects,
        @JsonProperty("connectTimeoutSeconds") @Range(min = 1) Integer connectTimeoutSeconds,
        @JsonProperty("firstDataTimeoutSeconds") @Range(min = 0.1, max = 3600) Double firstDataTimeoutSeconds,
        @JsonProperty("stallTimeoutSeconds") @Range(min = 0.1, max = 3600) Double stallTimeoutSeconds,
        @JsonProperty("instanceId") @Matches(regex = "[A-Za-z0-9.-]{1,32}",
                message = "1-32 letters, digits, '.' or '-'") String instanceId,
        @JsonProperty("localNames") List<String> localNames,
        @JsonProperty("upstreamProxy") @Format(Kind.ORIGIN_URL) String upstreamProxy,
        @JsonProperty("split") SplitConfig split,
        @JsonProperty("cache") CacheConfig cache,
        @JsonProperty("udp") UdpConfig udp,
        @JsonProperty("access") AccessConfig access,
        @JsonProperty("idleTimeoutSeconds") @Range(min = 10, note = "absent = server.idleTimeoutSeconds")
        Integer idleTimeoutSeconds) implements CrossChecked {

    /** The section without access rules or an idle timeout of its own. */
    public EdgeSection(String bind, Integer port, Integer http, List<ReverseConfig> reverse, ForwardConfig forward,
                       Boolean followRedirects, Integer maxRedirectHops, Integer maxSessions,
                       List<RedirectConfig> redirects, Integer connectTimeoutSeconds,
                       Double firstDataTimeoutSeconds, Double stallTimeoutSeconds, String instanceId,
                       List<String> localNames, String upstreamProxy, SplitConfig split, CacheConfig cache,
                       UdpConfig udp) {
        this(bind, port, http, reverse, forward, followRedirects, maxRedirectHops, maxSessions, redirects,
                connectTimeoutSeconds, firstDataTimeoutSeconds, stallTimeoutSeconds, instanceId, localNames,
                upstreamProxy, split, cache, udp, null, null);
    }

    public boolean forwarding() {
        return forward != null && Boolean.TRUE.equals(forward.enabled());
    }

    @Override
    public Problem problem() {
        if (EdgeConfig.samePort(port, http)) {
            return Problem.at("http", "the MMSH port must differ from 'port' (which serves MMSH as well)");
        }
        return (reverse == null || reverse.isEmpty()) && !forwarding()
                ? Problem.at("", "needs 'reverse' rules or 'forward.enabled: true'") : null;
    }
}
