package io.mmsedge.distribution.lifecycle;

import io.mmsedge.distribution.config.ConfigException;
import java.net.InetSocketAddress;

/** Binding a listener, at start or at a reload, with an operator's error rather than a crash. */
public final class Listen {

    private Listen() {
    }

    /** Binds a listener: {@code start} (or a rebind) of an MMS, MMSH or status server. */
    @FunctionalInterface
    public interface Bind<T> {
        T start(InetSocketAddress address) throws InterruptedException;
    }

    /**
     * Binds {@code listener} to {@code address}. An address in use (or not ours) is an operator's
     * mistake, not a crash: it is a configuration error naming the listener, its key and the
     * address, without a stack trace (start-up stops; a reload is refused).
     */
    public static <T> T on(String listener, String key, InetSocketAddress address, Bind<T> bind)
            throws ConfigException, InterruptedException {
        try {
            return bind.start(address);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // Netty's sync() rethrows the bind's IOException undeclared
            if (!(e instanceof java.io.IOException)) {
                throw new IllegalStateException(e);
            }
            throw new ConfigException("key '" + key + "': the " + listener + " listener cannot listen on "
                    + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage(), e);
        }
    }
}
