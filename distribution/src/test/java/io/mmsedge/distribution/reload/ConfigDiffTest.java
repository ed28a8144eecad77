package io.mmsedge.distribution.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which keys differ between two configurations, and which of them a reload applies. */
class ConfigDiffTest {

    private static EdgeConfig parse(String yaml) throws Exception {
        return ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test", Path.of("."));
    }

    private static final String BASE = """
            server: {port: 0, pacingSpeed: 1}
            status: {port: 0}
            edge:
              port: 0
              cache: {size: 8m}
              reverse:
                - {prefix: "", origins: ["mms://o1"]}
            """;

    @Test
    void keysAreNamedAsInTheFileAndOnlyTheLiveOnesApply() throws Exception {
        EdgeConfig a = parse(BASE);
        EdgeConfig b = parse(BASE.replace("pacingSpeed: 1", "pacingSpeed: 2, limits: {maxConnections: 9}")
                .replace("size: 8m", "size: 2m, memory: 1m").replace("mms://o1", "mms://o2")
                .replace("status: {port: 0}", "status: {port: 8755}"));
        List<String> keys = ConfigDiff.keys(a, b);
        assertEquals(List.of("server.pacingSpeed", "server.limits", "status.port", "edge.reverse", "edge.cache.size",
                "edge.cache.memory"), keys);
        assertEquals(List.of("server.limits", "edge.reverse", "edge.cache.size"),
                keys.stream().filter(k -> ConfigDiff.live(k, false, true)).toList());
        assertEquals(List.of(), ConfigDiff.keys(a, parse(BASE)), "the same file: no change");
    }

    @Test
    void aSectionOrAListenerTheInstanceDoesNotRunNeedsARestart() throws Exception {
        assertFalse(ConfigDiff.live("edge", true, true), "an edge section added or removed as a whole");
        assertFalse(ConfigDiff.live("edge.reverse", true, false), "no edge listener runs");
        assertFalse(ConfigDiff.live("publishingPoints", false, true), "no origin listener runs");
        assertTrue(ConfigDiff.live("publishingPoints", true, false));
        assertTrue(ConfigDiff.live("server.limits.maxConnections", true, false));
        assertFalse(ConfigDiff.live("server.limitsX", true, false), "a key is matched whole, not by prefix");
    }
}
