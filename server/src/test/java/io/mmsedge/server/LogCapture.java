package io.mmsedge.server;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Collects the formatted log lines of io.mmsedge loggers while a test runs. */
final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<String> lines = new ArrayList<>();

    private LogCapture() {
        super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    static LogCapture begin() {
        LogCapture c = new LogCapture();
        c.start0();
        return c;
    }

    private void start0() {
        start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        LoggerConfig lc = cfg.getLoggerConfig("io.mmsedge");
        lc.addAppender(this, null, null);
        ctx.updateLoggers();
    }

    @Override
    public synchronized void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getLoggerName() + " " + event.getMessage().getFormattedMessage());
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits up to {@code millis} for a line containing every fragment. */
    String await(long millis, String... fragments) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        do {
            for (String l : lines()) {
                boolean all = true;
                for (String f : fragments) {
                    all &= l.contains(f);
                }
                if (all) {
                    return l;
                }
            }
            Thread.sleep(20);
        } while (System.currentTimeMillis() < end);
        return null;
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getLoggerConfig("io.mmsedge").removeAppender(getName());
        ctx.updateLoggers();
        stop();
    }
}
