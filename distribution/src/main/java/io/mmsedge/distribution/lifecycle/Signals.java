package io.mmsedge.distribution.lifecycle;

import io.mmsedge.distribution.EdgeApplication;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP reloads the configuration ({@link #reloadOn}). SIGTERM and SIGINT drain: the first one starts {@link EdgeApplication#drain} (the command line
 * exits 0 once it is over), a second one exits at once. The JVM's own handling cannot do this:
 * it runs the shutdown hooks on the first signal and ignores the second while they run. Signals
 * are caught with {@code sun.misc.Signal} (module jdk.unsupported, in every JDK since 9); where
 * that fails, the JVM's handling stays and the shutdown hook ends the sessions without waiting.
 */
public final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Handles TERM and INT for {@code app}; returns the signals it could take over. */
    public static List<String> drainOn(EdgeApplication app) {
        AtomicInteger received = new AtomicInteger();
        List<String> handled = new java.util.ArrayList<>();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    if (received.incrementAndGet() == 1) {
                        app.drain("SIG" + sig.getName());
                    } else {
                        log.warn("second signal (SIG{}) while draining: exiting at once", sig.getName());
                        Runtime.getRuntime().halt(128 + sig.getNumber());
                    }
                });
                handled.add(name);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.warn("cannot handle SIG{} ({}): it stops the server without a drain", name, e.getMessage());
            }
        }
        if (!handled.isEmpty()) {
            log.info("SIG{} drain the server ({} s for the sessions to finish), a second one exits at once",
                    String.join(", SIG", handled), app.drainDeadline().toSeconds());
        }
        return handled;
    }

    /**
     * SIGHUP reloads the configuration ({@link EdgeApplication#reload}), on a thread of its own so
     * that the signal's dispatcher never waits for a bind; returns whether it could be handled.
     */
    public static boolean reloadOn(EdgeApplication app) {
        try {
            sun.misc.SignalHandler before = Signal.handle(new Signal("HUP"), sig ->
                    io.mmsedge.distribution.reload.Reload.onThread(() -> app.reload("SIGHUP")));
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // Started with SIGHUP ignored (nohup, some supervisors): HotSpot then leaves it
                // ignored and quietly never calls the handler, so say so instead of promising reloads.
                log.warn("SIGHUP is ignored in this process (started under nohup?) and will not reload the "
                        + "configuration: reload with POST /admin/reload, or start without ignoring SIGHUP");
                return false;
            }
            log.info("SIGHUP reloads the configuration");
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("cannot handle SIGHUP ({}): reload with POST /admin/reload", e.getMessage());
            return false;
        }
    }
}
