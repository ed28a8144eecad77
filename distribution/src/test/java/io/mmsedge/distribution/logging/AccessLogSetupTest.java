package io.mmsedge.distribution.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.config.AccessLogConfig;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.server.accesslog.AccessField;
import io.mmsedge.server.accesslog.AccessLog;
import io.mmsedge.server.accesslog.AccessRecord;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AccessLogSetup#apply}: one entry point, idempotent, reversible, validated by key. */
class AccessLogSetupTest {

    @TempDir
    Path dir;

    @AfterEach
    void off() throws ConfigException {
        AccessLogSetup.apply(null, dir, "test");
    }

    private static Configuration log4j() {
        return ((LoggerContext) LogManager.getContext(false)).getConfiguration();
    }

    private static AccessLogConfig w3c(String file) {
        return new AccessLogConfig("w3c", file, null);
    }

    @Test
    void applyingTwiceLeavesOneAppenderAndAppliesTheLatestFile() throws Exception {
        LoggerConfig before = log4j().getLoggers().get(AccessLog.LOGGER);
        AccessLogSetup.apply(w3c("a.log"), dir, "1.2.3");
        AccessLogSetup.apply(w3c("a.log"), dir, "1.2.3");
        LoggerConfig ours = log4j().getLoggers().get(AccessLog.LOGGER);
        assertEquals(List.of(AccessLogSetup.APPENDER), List.copyOf(ours.getAppenders().keySet()));
        assertFalse(ours.isAdditive(), "access lines stay out of the application log");
        AccessLog.write(new AccessRecord().set(AccessField.C_IP, "192.0.2.1"));

        AccessLogSetup.apply(w3c("sub/b.log"), dir, "1.2.3"); // a reload that moves the file
        AccessLog.write(new AccessRecord().set(AccessField.C_IP, "192.0.2.2"));
        List<String> a = Files.readAllLines(dir.resolve("a.log"));
        List<String> b = Files.readAllLines(dir.resolve("sub/b.log"));
        assertEquals("#Software: mms-edge 1.2.3", a.get(0));
        assertEquals(1, a.stream().filter(l -> l.startsWith("#Fields: ")).count(), "one header: " + a);
        assertTrue(a.get(a.size() - 1).startsWith("192.0.2.1 "), a.toString());
        assertEquals(5, b.size(), b.toString());
        assertTrue(b.get(4).startsWith("192.0.2.2 "), b.toString());

        AccessLogSetup.apply(null, dir, "1.2.3");
        assertEquals(before, log4j().getLoggers().get(AccessLog.LOGGER), "the logging file's own setting again");
        assertNull(log4j().getAppenders().get(AccessLogSetup.APPENDER));
    }

    @Test
    void aFileThatCannotBeWrittenIsAnErrorNamingTheKey() throws Exception {
        Files.writeString(dir.resolve("plain"), "not a directory");
        ConfigException e = assertThrows(ConfigException.class,
                () -> AccessLogSetup.apply(w3c("plain/access.log"), dir, "t"));
        assertTrue(e.getMessage().contains("accessLog.file"), e.getMessage());
    }

    @Test
    void theSectionIsValidatedByKey() {
        ConfigException format = assertThrows(ConfigException.class, () -> load("{format: xml, file: a.log}"));
        assertTrue(format.getMessage().contains("accessLog.format"), format.getMessage());
        ConfigException file = assertThrows(ConfigException.class, () -> load("{format: json}"));
        assertTrue(file.getMessage().contains("accessLog.file"), file.getMessage());
        ConfigException size = assertThrows(ConfigException.class,
                () -> load("{file: a.log, rolling: {maxSize: lots}}"));
        assertTrue(size.getMessage().contains("accessLog.rolling.maxSize"), size.getMessage());
    }

    @Test
    void rolledFilesAreNamedAfterTheFile() {
        assertEquals(Path.of("/l/access-%d{yyyy-MM-dd}{UTC}-%i.log").toString(),
                AccessLogSetup.rolledPattern(Path.of("/l/access.log"), true));
        assertEquals(Path.of("/l/access-%i").toString(), AccessLogSetup.rolledPattern(Path.of("/l/access"), false));
    }

    private void load(String section) throws ConfigException {
        String yaml = """
                publishingPoints:
                  - name: ""
                    type: directory
                    path: "%s"
                accessLog: %s
                """.formatted(dir, section);
        ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test", dir);
    }
}
