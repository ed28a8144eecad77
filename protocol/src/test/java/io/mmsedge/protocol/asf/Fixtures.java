package io.mmsedge.protocol.asf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates the committed ASF fixtures (test-fixtures/media, see make-fixtures.sh). */
final class Fixtures {

    static final List<String> ALL = List.of("av.asf", "audio.asf", "mbr.asf", "indexed.asf", "padded.asf");

    private Fixtures() {
    }

    static Path media() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("test-fixtures").resolve("media");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("test-fixtures/media not found above " + dir
                + " (run test-fixtures/scripts/make-fixtures.sh)");
    }

    static Path file(String name) {
        Path p = media().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing fixture " + p + " (run test-fixtures/scripts/make-fixtures.sh)");
        }
        return p;
    }

    /** All packets of a file as byte arrays (no buffers to release). */
    static List<byte[]> packets(AsfFile f) {
        List<byte[]> out = new ArrayList<>();
        try {
            for (long n = 0; n < f.packetCount(); n++) {
                ByteBuf b = f.readPacket(n, ByteBufAllocator.DEFAULT);
                try {
                    byte[] a = new byte[b.readableBytes()];
                    b.getBytes(b.readerIndex(), a);
                    out.add(a);
                } finally {
                    b.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static byte[] fileHeader(AsfFile f) {
        return f.header().fileHeader();
    }
}
