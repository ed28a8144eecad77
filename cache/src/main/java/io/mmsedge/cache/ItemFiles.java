package io.mmsedge.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of one item: {@code <urlhash>-<generation>.meta} and {@code .data}, where urlhash is
 * the first 16 hex digits of SHA-256(url) and generation a store-wide counter that never repeats
 * within a directory (it starts above every generation found on open), so the files of a
 * replaced item never collide with those of its successor. The base name is also the item's
 * unique id (memory-tier key).
 */
record ItemFiles(String base, Path meta, Path data, long generation) {

    static final String META = ".meta";
    static final String DATA = ".data";
    static final String TMP = ".tmp";

    /** {@code hash-generation.meta|.data}, optionally {@code .tmp}. */
    private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{1,16})(\\.meta|\\.data)(\\.tmp)?");

    static ItemFiles of(Path dir, String url, long generation) {
        return at(dir, urlHash(url) + "-" + String.format("%012x", generation), generation);
    }

    private static ItemFiles at(Path dir, String base, long generation) {
        return new ItemFiles(base, dir.resolve(base + META), dir.resolve(base + DATA), generation);
    }

    /** The item files {@code file} belongs to, or null when it is not a cache file. */
    static ItemFiles parse(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return null;
        }
        long generation;
        try {
            generation = Long.parseUnsignedLong(m.group(2), 16);
        } catch (NumberFormatException e) {
            return null;
        }
        return at(file.getParent(), m.group(1) + "-" + m.group(2), generation);
    }

    static boolean isTemp(Path file) {
        return file.getFileName().toString().endsWith(TMP);
    }

    Path metaTemp() {
        return meta.resolveSibling(meta.getFileName() + TMP);
    }

    /**
     * Replaces the metadata file atomically: temp file, fsync, atomic rename, then fsync of the
     * directory so the rename itself is durable.
     */
    void writeMeta(byte[] bytes) throws IOException {
        replaceMeta(bytes, true);
    }

    /**
     * As {@link #writeMeta} without the fsyncs: just as atomic (a reader sees the old file or
     * the new one), durable only once {@link #syncMeta()} ran. For threads that must not wait
     * for the disk (event loops); the fsyncs follow on the cache's I/O thread.
     */
    void writeMetaUnsynced(byte[] bytes) throws IOException {
        replaceMeta(bytes, false);
    }

    /** Makes the metadata file and its directory entry durable (no-op once the item is deleted). */
    void syncMeta() throws IOException {
        try (FileChannel ch = FileChannel.open(meta, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (java.nio.file.NoSuchFileException gone) {
            return;
        }
        syncDirectory(meta.getParent());
    }

    private void replaceMeta(byte[] bytes, boolean sync) throws IOException {
        Path tmp = metaTemp();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (sync) {
                ch.force(true);
            }
        }
        Files.move(tmp, meta, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (sync) {
            syncDirectory(meta.getParent());
        }
    }

    /** Deletes every file of the item that exists. */
    void deleteAll() throws IOException {
        IOException failure = null;
        for (Path p : new Path[] {meta, metaTemp(), data}) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory; the rename is atomic regardless.
        }
    }

    static String urlHash(String url) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
