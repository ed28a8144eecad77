package io.mmsedge.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An item's data file: positional reads and writes of whole slots, shared by all threads.
 *
 * <p>A {@link FileChannel} closes itself when a thread blocked in it is interrupted. So that
 * one interrupted event loop does not break the item for everybody, a channel found closed
 * without {@link #close()} having been called is reopened (the interrupted thread's own
 * operation still fails).
 */
final class SlotFile {

    /** Opens a data file's channel (the file system's own, or a test's stand-in). */
    interface Opener {
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    /**
     * How data files are opened. Tests that cannot mount a small file system substitute channels
     * that fail as a full or read-only one does (the same IOException); nothing else sets it.
     */
    static volatile Opener opener = FileChannel::open;

    private final Path path;
    private volatile FileChannel channel;
    private boolean closed; // guarded by this
    /** Why the file is open for reading only (its file system refused writing), or null. */
    private volatile String readOnly;

    private SlotFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Creates a new, empty data file; fails if it exists. */
    static SlotFile create(Path path) throws IOException {
        return new SlotFile(path, opener.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    }

    /**
     * Opens an existing data file (creating it empty if missing). On a file system that refuses
     * writing (read-only) it is opened for reading: its slots are served, and each write fails
     * with an IOException the store handles as any failed write.
     */
    static SlotFile open(Path path) throws IOException {
        try {
            return new SlotFile(path, opener.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            if (!java.nio.file.Files.isRegularFile(path)) {
                throw e;
            }
            SlotFile f = new SlotFile(path, opener.open(path, StandardOpenOption.READ));
            f.readOnly = e.toString();
            return f;
        }
    }

    /** Writes all of {@code src} (from its position) at {@code position}. */
    void write(ByteBuffer src, long position) throws IOException {
        if (readOnly != null) {
            reopenWritable();
        }
        run(ch -> {
            ByteBuffer b = src.duplicate();
            long p = position;
            while (b.hasRemaining()) {
                p += ch.write(b, p);
            }
            return null;
        });
    }

    /** Reads into {@code dst} at {@code position} until it is full or the file ends; returns bytes read. */
    int read(ByteBuffer dst, long position) throws IOException {
        return run(ch -> {
            ByteBuffer b = dst.duplicate();
            int start = b.position();
            long p = position;
            while (b.hasRemaining()) {
                int n = ch.read(b, p);
                if (n < 0) {
                    break;
                }
                p += n;
            }
            return b.position() - start;
        });
    }

    long size() throws IOException {
        return run(FileChannel::size);
    }

    void force() throws IOException {
        if (readOnly != null) {
            return; // nothing written
        }
        run(ch -> {
            ch.force(true);
            return null;
        });
    }

    /** Closes for good: later operations fail with {@link ClosedChannelException}. */
    synchronized void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to do with it.
        }
    }

    private interface Op<T> {
        T run(FileChannel ch) throws IOException;
    }

    private <T> T run(Op<T> op) throws IOException {
        FileChannel ch = channel;
        try {
            return op.run(ch);
        } catch (ClosedChannelException e) {
            FileChannel fresh = reopen(ch);
            if (fresh == null || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            return op.run(fresh);
        }
    }

    /** A file opened read-only: opens it for writing now (the file system may take writes again), or fails. */
    private synchronized void reopenWritable() throws IOException {
        if (readOnly == null || closed) {
            return;
        }
        FileChannel writable;
        try {
            writable = opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("still read-only: " + e.getMessage(), e);
        }
        FileChannel old = channel;
        channel = writable;
        readOnly = null;
        try {
            old.close(); // a reader still in it fails over to the new channel (see run)
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }

    /** A fresh channel when {@code broken} was closed behind our back (interrupt), else null. */
    private synchronized FileChannel reopen(FileChannel broken) throws IOException {
        if (closed) {
            return null;
        }
        if (channel == broken && !broken.isOpen()) {
            OpenOption[] options = readOnly != null ? new OpenOption[] {StandardOpenOption.READ}
                    : new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
            channel = opener.open(path, options);
        }
        return channel;
    }
}
