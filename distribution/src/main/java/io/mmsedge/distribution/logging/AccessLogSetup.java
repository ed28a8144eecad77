package io.mmsedge.distribution.logging;

import io.mmsedge.distribution.config.AccessLogConfig;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.server.accesslog.AccessField;
import io.mmsedge.server.accesslog.AccessLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.RollingFileAppender;
import org.apache.logging.log4j.core.appender.rolling.CompositeTriggeringPolicy;
import org.apache.logging.log4j.core.appender.rolling.DefaultRolloverStrategy;
import org.apache.logging.log4j.core.appender.rolling.SizeBasedTriggeringPolicy;
import org.apache.logging.log4j.core.appender.rolling.TimeBasedTriggeringPolicy;
import org.apache.logging.log4j.core.appender.rolling.TriggeringPolicy;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;

/**
 * Routes the access log ({@link AccessLog#LOGGER}) to a rolling file of its own, as the
 * {@code accessLog} section says: W3C lines with WMS's directives at the top of every file
 * ({@code #Software}, {@code #Version}, {@code #Date}, {@code #Fields}), or JSON lines through
 * Log4j2's JSON template layout, one object per record with a key per field. The logger is not
 * additive: access lines never reach the application log's appenders. Without the section the
 * logging configuration's own setting stands (the shipped log4j2.xml has it off).
 *
 * <p>{@link #apply} is the one entry point, idempotent: applying a configuration again replaces
 * the appender (a reload that changes the file, format or rolling), applying null removes it.
 */
public final class AccessLogSetup {

    static final String APPENDER = "mms-edge-access";

    /** The Log4j2 configuration last applied to, and its own setting of the access logger (or null). */
    private static Configuration seen;
    private static LoggerConfig fileSetting;
    /** What that configuration has now: the section, where and with which version (null: none). */
    private static List<Object> applied;

    private AccessLogSetup() {
    }

    /**
     * Applies {@code cfg} (null: no access-log file) to the running Log4j2 configuration.
     *
     * @param baseDir the configuration file's directory, which a relative {@code file} is under
     * @throws ConfigException naming the key, if the file can't be opened
     */
    public static synchronized void apply(AccessLogConfig cfg, Path baseDir, String version) throws ConfigException {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        List<Object> wanted = cfg == null ? null : List.of(cfg, baseDir.toAbsolutePath(), version);
        if (config != seen) { // first apply, or the logging configuration was reloaded from its file
            seen = config;
            fileSetting = config.getLoggers().get(AccessLog.LOGGER);
            applied = null;
        } else if (java.util.Objects.equals(wanted, applied)) {
            return; // already so
        }
        // The old file closes before the new one opens (they may be the same file, whose manager
        // Log4j2 shares by name); lines logged meanwhile are dropped, not sent to the console.
        if (config.getLoggers().containsKey(AccessLog.LOGGER)) {
            config.removeLogger(AccessLog.LOGGER);
        }
        config.addLogger(AccessLog.LOGGER, LoggerConfig.newBuilder().withLoggerName(AccessLog.LOGGER)
                .withLevel(Level.OFF).withAdditivity(false).withConfig(config).build());
        ctx.updateLoggers();
        Appender old = config.getAppenders().get(APPENDER);
        if (old != null) {
            if (config instanceof AbstractConfiguration ac) {
                ac.removeAppender(APPENDER);
            }
            old.stop(); // flushes and closes the previous file
        }
        applied = null;
        Appender replacement = null;
        try {
            replacement = cfg == null ? null : appender(cfg, baseDir, version, config);
        } finally {
            config.removeLogger(AccessLog.LOGGER);
            if (replacement != null) {
                config.addAppender(replacement);
                LoggerConfig logger = LoggerConfig.newBuilder().withLoggerName(AccessLog.LOGGER)
                        .withLevel(Level.INFO).withAdditivity(false).withConfig(config).build();
                logger.addAppender(replacement, null, null);
                config.addLogger(AccessLog.LOGGER, logger);
                applied = wanted;
            } else if (fileSetting != null) {
                config.addLogger(AccessLog.LOGGER, fileSetting);
            }
            ctx.updateLoggers();
        }
    }

    private static Appender appender(AccessLogConfig cfg, Path baseDir, String version, Configuration config)
            throws ConfigException {
        Path file = baseDir.resolve(cfg.file()).toAbsolutePath().normalize();
        AccessLogConfig.Rolling r = cfg.rolling();
        List<TriggeringPolicy> policies = new ArrayList<>();
        if (r.daily()) {
            policies.add(TimeBasedTriggeringPolicy.newBuilder().withInterval(1).withModulate(true).build());
        }
        long maxSize = ConfigLoader.parseByteSize(r.maxSize());
        if (maxSize > 0) {
            policies.add(SizeBasedTriggeringPolicy.createPolicy(Long.toString(maxSize)));
        }
        RollingFileAppender appender;
        try {
            appender = RollingFileAppender.newBuilder()
                .setName(APPENDER)
                .withFileName(file.toString())
                .withFilePattern(rolledPattern(file, r.daily()))
                .withAppend(true)
                .withPolicy(CompositeTriggeringPolicy.createPolicy(policies.toArray(new TriggeringPolicy[0])))
                .withStrategy(DefaultRolloverStrategy.newBuilder().withMax(Integer.toString(r.maxFiles()))
                        .withConfig(config).build())
                .setLayout(layout(cfg.format(), version, config))
                .setConfiguration(config)
                .build();
        } catch (RuntimeException e) {
            throw new ConfigException("key 'accessLog.file': cannot write " + file + ": " + e.getMessage(), e);
        }
        if (appender == null) {
            throw new ConfigException("key 'accessLog.file': cannot write " + file + " (see the log above)");
        }
        appender.start();
        return appender;
    }

    /** {@code dir/access.log} rolls to {@code dir/access-2026-12-07-1.log} (without the date if not daily). */
    static String rolledPattern(Path file, boolean daily) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String rolled = base + (daily ? "-%d{yyyy-MM-dd}{UTC}" : "") + "-%i" + ext;
        return file.resolveSibling(rolled).toString().replace("$", "$$");
    }

    static Layout<?> layout(String format, String version, Configuration config) {
        if (format.equals("json")) {
            return JsonTemplateLayout.newBuilder().setConfiguration(config).setCharset(StandardCharsets.UTF_8)
                    .setEventTemplate(jsonTemplate()).setLocationInfoEnabled(false).setStackTraceEnabled(false)
                    .build();
        }
        // The message is the W3C line, already escaped (W3cEscaping); %enc is a second guard against
        // CR/LF. The header is written at the top of every new file, its #Date when the file starts.
        return PatternLayout.newBuilder().withConfiguration(config).withCharset(StandardCharsets.UTF_8)
                .withPattern("%enc{%m}{CRLF}%n")
                .withHeader(w3cHeader(version))
                .build();
    }

    /** The WMS log's directives ([W3C-EXLOG]; WMS writes #Software, #Version, #Date, #Fields). */
    static String w3cHeader(String version) {
        return "#Software: mms-edge " + version.replace("%", "%%") + "%n#Version: 1.0%n"
                + "#Date: %d{yyyy-MM-dd HH:mm:ss}{UTC}%n" + AccessField.fieldsDirective() + "%n";
    }

    /** One JSON object per record: its time, then every field by its W3C name (a string). */
    static String jsonTemplate() {
        StringBuilder sb = new StringBuilder("{\"@timestamp\":{\"$resolver\":\"timestamp\",\"pattern\":"
                + "{\"format\":\"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'\",\"timeZone\":\"UTC\"}}");
        for (AccessField f : AccessField.values()) {
            sb.append(",\"").append(f.w3cName()).append("\":{\"$resolver\":\"mdc\",\"key\":\"")
                    .append(f.w3cName()).append("\"}");
        }
        return sb.append('}').toString();
    }
}
