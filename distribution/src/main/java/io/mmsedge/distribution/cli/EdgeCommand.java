package io.mmsedge.distribution.cli;

import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.distribution.config.EdgeSection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mms-edge edge}: a caching reverse (and optionally forward) proxy in front of origins. */
@Command(name = "edge", description = {"An edge (reverse proxy) in front of origins; --forward also relays "
        + "to servers players name, if an --allow rule permits. Broadcasts are split: one upstream session per URL."})
public final class EdgeCommand extends Subcommand {

    @Option(names = "--origin", paramLabel = "mms://HOST[:PORT][/path]",
            description = "An origin for every path, tried in the order given (repeatable).")
    List<String> origins = new ArrayList<>();

    @Option(names = "--forward", description = "Also be a forward proxy: relay to the server a player names.")
    boolean forward;

    @Option(names = "--allow", paramLabel = "HOSTPATTERN|CIDR",
            description = "With --forward: a server players may name, e.g. '*.example.com', host:port or "
                    + "10.0.0.0/8 (repeatable; nothing else is relayed).")
    List<String> allow = new ArrayList<>();

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "VIA token mms-edge/<version>+ID (default: random).")
    String instanceId;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Cache on-demand content on disk below DIR (any --cache-* option turns the cache on; "
                    + "without --cache-dir, a temporary directory).")
    Path cacheDir;

    @Option(names = "--cache-size", paramLabel = "SIZE", description = "Disk quota of the cache, e.g. 2g (default 1g).")
    String cacheSize;

    @Option(names = "--cache-memory", paramLabel = "SIZE",
            description = "Memory tier of the cache, e.g. 256m (default 64m; 0 = none).")
    String cacheMemory;

    @Mixin
    ListenerOptions listener;

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        return RootCommand.serve(config(), Path.of("."));
    }

    /** The configuration these options describe, validated like a file's. */
    public EdgeConfig config() throws ConfigException {
        if (origins.isEmpty() && !forward) {
            throw usageError("edge needs --origin (reverse proxy) or --forward with --allow rules");
        }
        if (forward && allow.isEmpty()) {
            throw usageError("--forward needs at least one --allow rule: a forward proxy must not be an open relay");
        }
        List<EdgeConfig.ReverseConfig> reverse = origins.isEmpty() ? null
                : List.of(new EdgeConfig.ReverseConfig("", List.copyOf(origins), null));
        EdgeConfig.ForwardConfig forwarding = forward ? new EdgeConfig.ForwardConfig(true, List.copyOf(allow)) : null;
        EdgeConfig.CacheConfig cache = cacheDir == null && cacheSize == null && cacheMemory == null ? null
                : new EdgeConfig.CacheConfig(true, cacheDir == null ? null : cacheDir.toAbsolutePath().toString(),
                        cacheSize, cacheMemory, null, null, null, null);
        EdgeSection edge = new EdgeSection(listener.bind, listener.port, listener.httpPort, reverse,
                forwarding,
                null, null, null, null, null, null, null, instanceId, null, null, null, cache, listener.udp());
        EdgeConfig cfg = new EdgeConfig(listener.server(false), listener.status(), List.of(), edge);
        ConfigLoader.validate(cfg, "command line");
        return cfg;
    }
}
