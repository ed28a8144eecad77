package io.mmsedge.server.accesslog;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Where access records go: one event on the logger {@value #LOGGER} per record. Its message is
 * the W3C line; its key-values are the raw fields by W3C name (Log4j2 puts them in the event's
 * context map, where a JSON template reads them). The distribution's {@code AccessLogSetup}
 * routes the logger to its own file as W3C or JSON lines; the shipped log4j2.xml switches it off
 * until then (no {@code accessLog} section: the key=value lines of {@code io.mmsedge.access} on
 * the console, as before).
 */
public final class AccessLog {

    public static final String LOGGER = "io.mmsedge.accesslog";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    /** Players with content open in this process: s-totalclients. */
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private AccessLog() {
    }

    /** False while the logger is off: sessions then build no records. */
    public static boolean enabled() {
        return log.isInfoEnabled();
    }

    public static void write(AccessRecord record) {
        LoggingEventBuilder e = log.atInfo().setMessage(record.w3cLine());
        for (Map.Entry<String, String> v : record.values().entrySet()) {
            e = e.addKeyValue(v.getKey(), v.getValue());
        }
        e.log();
    }

    static void clientOpened() {
        CLIENTS.incrementAndGet();
    }

    static void clientClosed() {
        CLIENTS.decrementAndGet();
    }

    static int clients() {
        return CLIENTS.get();
    }

    /** s-cpu-util: the machine's CPU use in percent, or -1 if the JVM can't tell. */
    static int cpuPercent() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getCpuLoad();
            return load < 0 ? -1 : (int) Math.round(load * 100);
        }
        return -1;
    }
}
