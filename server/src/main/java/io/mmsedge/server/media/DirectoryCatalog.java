package io.mmsedge.server.media;

import io.mmsedge.protocol.mms.Hresults;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Serves the ASF files of one directory (and its subdirectories) on demand. */
public final class DirectoryCatalog implements MediaCatalog {

    private final String publishingPoint;
    private final Path root;
    private final ByteBufAllocator alloc;

    public DirectoryCatalog(String publishingPoint, Path root, ByteBufAllocator alloc) {
        this.publishingPoint = publishingPoint;
        this.root = root.toAbsolutePath().normalize();
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
        try {
            return new OpenResult.Opened(FileMedia.single(publishingPoint, AsfFileEntry.open(p, 0, alloc)));
        } catch (IOException | RuntimeException e) {
            return new OpenResult.Failed(Hresults.E_FAIL, "cannot open " + relative + ": " + e.getMessage());
        }
    }
}
