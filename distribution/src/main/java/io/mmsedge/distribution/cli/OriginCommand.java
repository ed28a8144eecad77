package io.mmsedge.distribution.cli;

import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code mms-edge origin}: an origin server for a directory of ASF files and/or looped broadcasts. */
@Command(name = "origin", description = {"Serve DIR's ASF files on demand at mmst://host:PORT/<file>, "
        + "and/or broadcast files looped at mmst://host:PORT/NAME."})
public final class OriginCommand extends Subcommand {

    @Option(names = "--media", paramLabel = "DIR",
            description = "Serve the ASF files below DIR on demand (required unless --live is given).")
    Path media;

    @Option(names = "--live", paramLabel = "NAME=FILE.asf", converter = LiveConverter.class,
            description = "Also broadcast FILE.asf, looped, at mmst://host:PORT/NAME (repeatable).")
    List<Live> lives = new ArrayList<>();

    @Mixin
    ListenerOptions listener;

    /** A {@code --live} broadcast. */
    record Live(String name, Path file) {
    }

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        return RootCommand.serve(config(), Path.of("."));
    }

    /** The configuration these options describe, validated like a file's. */
    public EdgeConfig config() throws ConfigException {
        if (media == null && lives.isEmpty()) {
            throw usageError("--media is required (or give --live NAME=FILE.asf)");
        }
        List<EdgeConfig.PublishingPointConfig> points = new ArrayList<>();
        if (media != null) {
            if (!Files.isDirectory(media)) {
                throw usageError("--media: not a directory: " + media);
            }
            points.add(new EdgeConfig.DirectoryPoint("", media.toAbsolutePath().toString(), null, null));
        }
        for (Live live : lives) {
            points.add(new EdgeConfig.BroadcastPoint(live.name(), live.file().toAbsolutePath().toString(), null, null,
                    null, null));
        }
        EdgeConfig cfg = new EdgeConfig(listener.server(true), listener.status(), points, null);
        ConfigLoader.validate(cfg, "command line");
        return cfg;
    }

    /** NAME=FILE.asf, NAME a publishing point name, FILE an existing file. */
    static final class LiveConverter implements ITypeConverter<Live> {
        @Override
        public Live convert(String value) {
            int eq = value.indexOf('=');
            if (eq <= 0 || eq == value.length() - 1 || !value.substring(0, eq).matches("[A-Za-z0-9._~-]+")) {
                throw new TypeConversionException("expected NAME=FILE.asf (NAME of letters, digits, . _ ~ -), got '"
                        + value + "'");
            }
            Path file = Path.of(value.substring(eq + 1));
            if (!Files.isRegularFile(file)) {
                throw new TypeConversionException("no such file: " + file);
            }
            return new Live(value.substring(0, eq), file);
        }
    }
}
