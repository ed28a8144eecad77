package io.mmsedge.server.media;

import io.mmsedge.protocol.mms.Hresults;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Serves the ASF files of one directory (and its subdirectories) on demand.
 *
 * <p>Names are confined below the directory by {@link ContentPaths}. A symbolic link inside it
 * may still point anywhere (issue #17: a link to /etc served its files), so by default a file
 * whose real path is outside the directory's real path is refused; an operator who links
 * content in from elsewhere on purpose turns {@code followSymlinks} on.
 */
public final class DirectoryCatalog implements MediaCatalog {

    private final String publishingPoint;
    private final Path root;
    private final boolean followSymlinks;
    private final ByteBufAllocator alloc;

    public DirectoryCatalog(String publishingPoint, Path root, ByteBufAllocator alloc) {
        this(publishingPoint, root, false, alloc);
    }

    /** @param followSymlinks serve files that symbolic links inside {@code root} point to outside it */
    public DirectoryCatalog(String publishingPoint, Path root, boolean followSymlinks, ByteBufAllocator alloc) {
        this.publishingPoint = publishingPoint;
        this.root = root.toAbsolutePath().normalize();
        this.followSymlinks = followSymlinks;
        this.alloc = alloc;
    }

    public Path root() {
        return root;
    }

    @Override
    public OpenResult open(OpenRequest request) {
        return openRelative(request.path());
    }

    /** Opens {@code relative} (already stripped of any publishing-point prefix). */
    public OpenResult openRelative(String relative) {
        Optional<Path> file = ContentPaths.resolveBelow(root, ContentPaths.normalize(relative));
        if (file.isEmpty()) {
            return new OpenResult.Failed(Hresults.E_ACCESS_DENIED, "path '" + relative + "' is not a file name below the publishing point");
        }
        Path p = file.get();
        if (!Files.isRegularFile(p)) {
            return new OpenResult.Failed(Hresults.E_FILE_NOT_FOUND, "no such file: " + relative);
        }
        if (!followSymlinks && !insideRoot(p)) {
            return new OpenResult.Failed(Hresults.E_ACCESS_DENIED, "path '" + relative
                    + "' leads outside the publishing point through a symbolic link (followSymlinks is off)");
        }
        try {
            return new OpenResult.Opened(FileMedia.single(publishingPoint, AsfFileEntry.open(p, 0, alloc)));
        } catch (IOException | RuntimeException e) {
            return new OpenResult.Failed(Hresults.E_FAIL, "cannot open " + relative + ": " + e.getMessage());
        }
    }

    /** True when the file's real path (every link resolved) is below the root's real path. */
    private boolean insideRoot(Path file) {
        try {
            return file.toRealPath().startsWith(root.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }
}
