package io.mmsedge.distribution.reload;

import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.EdgeConfig;
import java.io.IOException;

/**
 * Where a running edge's configuration comes from, read again by a reload: the file of
 * {@code --config FILE}, read and validated as at start.
 *
 * @param name   what the log and the reply call it (the file's path)
 * @param loader reads, parses and validates it
 */
public record ConfigSource(String name, Loader loader) {

    /** Reads, parses and validates a configuration; errors name the key, as at start. */
    @FunctionalInterface
    public interface Loader {
        EdgeConfig load() throws ConfigException, IOException;
    }

    EdgeConfig load() throws ConfigException, IOException {
        return loader.load();
    }
}
