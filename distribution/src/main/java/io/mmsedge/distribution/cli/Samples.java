package io.mmsedge.distribution.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The sample media bundled in the jar ({@code samples/*.asf}), copied to a temporary directory so
 * that the embedded default configuration can serve them like any other files.
 */
final class Samples {

    private Samples() {
    }

    static Path extract() throws IOException {
        URL url = Samples.class.getClassLoader().getResource("samples");
        if (url == null) {
            throw new IOException("no bundled samples in this build");
        }
        Path out = Files.createTempDirectory("mms-edge-samples");
        out.toFile().deleteOnExit();
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                    copyAll(fs.getPath("/samples"), out);
                }
            } else {
                copyAll(Path.of(uri), out);
            }
        } catch (URISyntaxException e) {
            throw new IOException("bad samples location " + url, e);
        }
        return out;
    }

    private static void copyAll(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(f.getFileName().toString());
                try (InputStream in = Files.newInputStream(f)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                target.toFile().deleteOnExit();
            }
        }
    }
}
