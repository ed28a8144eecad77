package io.mmsedge.fuzz;

import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * The YAML configuration (an operator's file, but also what a reload endpoint accepts). Property:
 * any input either loads into a validated configuration or fails with a {@link ConfigException}
 * (which names the key); no other exception, and no allocation out of proportion to the file
 * (YAML alias bombs stay bounded).
 */
public final class ConfigFuzz {

    private static final Path BASE = Path.of(System.getProperty("java.io.tmpdir"), "mms-edge-fuzz-config");

    private ConfigFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("config", data, ConfigFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(ConfigFuzz::check);
    }

    static void check(byte[] data) {
        try {
            ConfigLoader.load(new ByteArrayInputStream(data), "fuzz.yaml", BASE);
        } catch (ConfigException expected) {
            // reported to the operator with the key
        }
    }
}
