package io.mmsedge.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stand-in for a small file system where a test cannot mount one (not root): the data files'
 * channels write until a shared byte budget is spent, then fail every write with the
 * IOException a full file system gives ({@code No space left on device}). Metadata files are
 * written by the real file system. {@link #install} replaces how the store opens data files;
 * {@link #close} restores it.
 */
public final class FullDiskChannels implements AutoCloseable {

    /** The message Linux gives for ENOSPC, which the store recognises. */
    static final String ENOSPC = "No space left on device";

    private final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);

    private FullDiskChannels() {
    }

    public static FullDiskChannels install() {
        FullDiskChannels c = new FullDiskChannels();
        SlotFile.opener = (path, options) -> new Channel(FileChannel.open(path, options), c.budget);
        return c;
    }

    /** From now on at most {@code bytes} more are written. */
    public void leave(long bytes) {
        budget.set(bytes);
    }

    /** Room again. */
    public void free() {
        budget.set(Long.MAX_VALUE);
    }

    @Override
    public void close() {
        SlotFile.opener = FileChannel::open;
    }

    /** A file channel whose writes spend the budget, failing as ENOSPC once it is spent. */
    private static final class Channel extends FileChannel {
        private final FileChannel d;
        private final AtomicLong budget;

        Channel(FileChannel d, AtomicLong budget) {
            this.d = d;
            this.budget = budget;
        }

        private void spend(ByteBuffer src) throws IOException {
            long n = src.remaining();
            if (budget.getAndUpdate(b -> b >= n ? b - n : b) < n) {
                throw new IOException(ENOSPC);
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            spend(src);
            return d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            throw new IOException("gathering writes are not used by the cache");
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            d.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            d.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new IOException("not used by the cache");
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            spend(src);
            return d.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
