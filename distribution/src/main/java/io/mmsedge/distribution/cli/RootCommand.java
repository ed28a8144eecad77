package io.mmsedge.distribution.cli;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.distribution.lifecycle.Signals;
import io.mmsedge.distribution.reload.ConfigSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mms-edge}: with no arguments the embedded default configuration (an edge on 1755 in
 * front of an origin on 1756 serving the bundled samples), with {@code --config FILE} a
 * configuration file, or one of the subcommands.
 */
// scope INHERIT: every subcommand gets --help, --version and these usage settings.
@Command(name = "mms-edge", scope = CommandLine.ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = RootCommand.Version.class, sortOptions = false, usageHelpAutoWidth = true,
        description = {"An MMS (MS-MMSP) origin server, caching edge and live splitter.",
            "With no arguments: the embedded default configuration (conf/mms-edge.yaml with the bundled samples)."},
        subcommands = {OriginCommand.class, EdgeCommand.class, PrestuffCommand.class, InspectCommand.class,
            PasswdCommand.class, CommandLine.HelpCommand.class})
public final class RootCommand implements Callable<Integer> {

    /** The exit status of a bad command line or configuration. */
    static final int USAGE = CommandLine.ExitCode.USAGE;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RootCommand.class);
    /** The placeholder for the bundled sample media in a configuration. */
    private static final String SAMPLES = "${samples}";

    @Option(names = "--config", paramLabel = "FILE",
            description = "Run a configuration file (YAML; documented example: conf/mms-edge.yaml).")
    Path config;

    /**
     * The command line, writing to {@code out} and {@code err}: usage errors and configuration
     * errors exit 2, I/O errors 1.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new RootCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        // "@name" is content or a user name here, never picocli's argument file.
        cl.setExpandAtFiles(false);
        cl.setExecutionStrategy(parsed -> {
            // --config names a whole configuration: options of a subcommand would be silently lost.
            if (parsed.hasSubcommand() && parsed.hasMatchedOption("--config")) {
                throw new CommandLine.ParameterException(cl, "--config does not go with a command");
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("mms-edge: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.usage(c.getErr());
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof ConfigException) {
                c.getErr().println("mms-edge: configuration error: " + ex.getMessage());
                return USAGE;
            }
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return 1;
            }
            if (ex instanceof IOException) {
                c.getErr().println("mms-edge: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    @Override
    public Integer call() throws IOException, ConfigException, InterruptedException {
        if (config != null) {
            Path file = config;
            return serve(configFile(file), file.toAbsolutePath().getParent(),
                    new ConfigSource(file.toString(), () -> configFile(file)));
        }
        return serve(embeddedDefault(), Path.of("."), null);
    }

    /**
     * Runs a configuration until the JVM is stopped. SIGTERM, Ctrl-C or {@code POST /admin/drain}
     * drain it ({@link Signals}), then exit 0; a second signal exits at once. The shutdown hook
     * closes what is left (every other way the JVM stops).
     */
    static int serve(EdgeConfig cfg, Path baseDir) throws ConfigException, InterruptedException {
        return serve(cfg, baseDir, null);
    }

    /**
     * As {@link #serve(EdgeConfig, Path)}; SIGHUP and {@code POST /admin/reload} read {@code source}
     * again (null: there is nothing to reload).
     */
    static int serve(EdgeConfig cfg, Path baseDir, ConfigSource source) throws ConfigException, InterruptedException {
        EdgeApplication app = EdgeApplication.start(cfg, baseDir);
        app.reloadFrom(source);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            org.apache.logging.log4j.LogManager.shutdown();
            stopped.countDown();
        }, "mms-edge-shutdown"));
        app.onDrained(() -> System.exit(0));
        Signals.drainOn(app);
        Signals.reloadOn(app);
        stopped.await();
        return 0;
    }

    /** The configuration used when mms-edge runs with no arguments. */
    static EdgeConfig embeddedDefault() throws IOException, ConfigException {
        try (InputStream in = RootCommand.class.getClassLoader().getResourceAsStream("conf/mms-edge.yaml")) {
            if (in == null) {
                throw new IOException("embedded conf/mms-edge.yaml missing from this build");
            }
            return withSamples(new String(in.readAllBytes(), StandardCharsets.UTF_8), "embedded conf/mms-edge.yaml",
                    null);
        }
    }

    /**
     * The configuration of {@code --config FILE}. A file that uses {@code ${samples}} (the shipped
     * conf/mms-edge.yaml, run as the README says) gets the bundled samples, as the embedded default does.
     */
    static EdgeConfig configFile(Path file) throws IOException, ConfigException {
        return withSamples(ConfigLoader.read(file), file.toString(), file.toAbsolutePath().getParent());
    }

    /**
     * Parses a configuration, {@code ${samples}} replaced by a temporary copy of the bundled sample
     * media (made only when used); relative paths resolve against {@code baseDir}, or the samples
     * when null.
     */
    private static EdgeConfig withSamples(String text, String source, Path baseDir) throws IOException, ConfigException {
        Path samples = null;
        if (text.contains(SAMPLES)) {
            samples = samples();
            text = text.replace(SAMPLES, samples.toString().replace('\\', '/'));
            log.info("{}: {} is the bundled sample media, copied to {}", source, SAMPLES, samples);
        }
        return ConfigLoader.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), source,
                baseDir != null ? baseDir : samples);
    }

    /** The bundled samples' copy, made once: a reload finds the points' files where they were. */
    private static Path samplesCopy;

    private static synchronized Path samples() throws IOException {
        if (samplesCopy == null || !java.nio.file.Files.isDirectory(samplesCopy)) {
            samplesCopy = Samples.extract();
        }
        return samplesCopy;
    }

    /** "mms-edge VERSION", as before picocli. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mms-edge " + EdgeApplication.VERSION};
        }
    }
}
