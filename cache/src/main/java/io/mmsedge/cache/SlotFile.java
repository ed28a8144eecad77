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

    private final Path path;
    private volatile FileChannel channel;
    private boolean closed; // guarded by this

    private SlotFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Creates a new, empty data file; fails if it exists. */
    static SlotFile create(Path path) throws IOException {
        return new SlotFile(path, FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    }

    /** Opens an existing data file (creating it empty if missing). */
    static SlotFile open(Path path) throws IOException {
        return new SlotFile(path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    }

    /** Writes all of {@code src} (from its position) at {@code position}. */
    void write(ByteBuffer src, long position) throws IOException {
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

    /** A fresh channel when {@code broken} was closed behind our back (interrupt), else null. */
    private synchronized FileChannel reopen(FileChannel broken) throws IOException {
        if (closed) {
            return null;
        }
        if (channel == broken && !broken.isOpen()) {
            OpenOption[] options = {StandardOpenOption.READ, StandardOpenOption.WRITE};
            channel = FileChannel.open(path, options);
        }
        return channel;
    }
}
