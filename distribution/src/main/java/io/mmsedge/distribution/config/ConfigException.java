package io.mmsedge.distribution.config;

/** Bad configuration: the message names the key and what is wrong. Startup stops. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
