package io.mmsedge.distribution.config;

import io.mmsedge.server.access.AccessPolicy;
import io.mmsedge.server.access.AccessRules;
import io.mmsedge.server.access.Cidr;
import java.util.ArrayList;
import java.util.List;

/**
 * The access sections of the configuration ({@link EdgeConfig.AccessConfig}) as the listeners'
 * {@link AccessPolicy}: the origin listener's rules with a scope per publishing point, the edge
 * listener's with a scope per reverse prefix. Values were validated when the file was loaded.
 */
public final class AccessSettings {

    private AccessSettings() {
    }

    /** {@code server.access} and each publishing point's {@code access}. */
    public static AccessPolicy origin(EdgeConfig cfg) {
        List<AccessPolicy.Scope> scopes = new ArrayList<>();
        for (EdgeConfig.PublishingPointConfig p : cfg.publishingPoints()) {
            // The default point ("") covers the paths no other point does: the longest prefix wins.
            scopes.add(new AccessPolicy.Scope(p.pointName(), p.pointName(), rules(p.access())));
        }
        return new AccessPolicy(rules(cfg.server().access()), scopes);
    }

    /** {@code edge.access} and each reverse rule's {@code access}. */
    public static AccessPolicy edge(EdgeSection e) {
        List<AccessPolicy.Scope> scopes = new ArrayList<>();
        if (e.reverse() != null) {
            for (EdgeConfig.ReverseConfig r : e.reverse()) {
                String prefix = r.prefix() == null ? "" : r.prefix();
                scopes.add(new AccessPolicy.Scope(prefix, prefix, rules(r.access())));
            }
        }
        return new AccessPolicy(rules(e.access()), scopes);
    }

    /** One section's rules; absent = none. Kbit/s become bit/s. */
    public static AccessRules rules(EdgeConfig.AccessConfig c) {
        if (c == null) {
            return AccessRules.NONE;
        }
        return new AccessRules(cidrs(c.allow()), cidrs(c.deny()), orZero(c.maxPlayers()),
                1000 * orZero(c.maxBandwidthKbps()), 1000 * orZero(c.maxPlayerBandwidthKbps()),
                orZero(c.connectionsPerSecond()), c.redirect());
    }

    private static List<Cidr> cidrs(List<String> blocks) {
        return blocks == null ? List.of() : blocks.stream().map(Cidr::parse).toList();
    }

    private static int orZero(Integer n) {
        return n == null ? 0 : n;
    }

    private static long orZero(Long n) {
        return n == null ? 0 : n;
    }
}
