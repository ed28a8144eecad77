package io.mmsedge.server.media;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Maps an OpenFile name to a file below a root, refusing anything that could escape it.
 * Players send the URL's path (FFmpeg: "sample.asf", others "/dir/a.asf", sometimes with a
 * query string); Windows players may use backslashes.
 */
public final class ContentPaths {

    private ContentPaths() {
    }

    /** Normalises an OpenFile name: no leading '/', no query or fragment, '\' read as '/'. */
    public static String normalize(String fileName) {
        String s = fileName.replace('\\', '/');
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        int h = s.indexOf('#');
        if (h >= 0) {
            s = s.substring(0, h);
        }
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        return s;
    }

    /**
     * Resolves a normalised relative name below {@code root}; empty if the name is empty,
     * contains a NUL, a ".." or "." segment, an absolute or drive path, or resolves outside root.
     */
    public static Optional<Path> resolveBelow(Path root, String relative) {
        if (relative.isEmpty() || relative.indexOf('\0') >= 0 || relative.contains(":")) {
            return Optional.empty();
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path p = base.resolve(relative).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            return Optional.empty();
        }
        return Optional.of(p);
    }
}
