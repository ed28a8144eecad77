package io.mmsedge.server.broadcast;

import io.netty.buffer.AbstractReferenceCountedByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A broadcast packet's payload as the players of one event loop share it: a read-only view of
 * the same bytes (still one payload buffer for every player), with a reference count of its own
 * that holds a single reference to the shared buffer, given back when the count reaches zero.
 *
 * <p>Why: each player takes and gives back references to a packet's payload (its queue's entry,
 * the duplicate it writes, the write's completion), four atomic updates per player per packet.
 * On the shared buffer those hit one cache line from every core at once, since every loop sends
 * the same packets to its players in the same write window; on a share they stay on the loop's
 * own core, and the shared buffer sees one retain and one release per loop per packet. It is
 * the per-CPU reference count of kernels, per event loop. The count is atomic all the same: a
 * UDP player's datagrams may be released on another loop (one UDP socket for every player where
 * the server does not run epoll).
 *
 * <p>A share's indexes are its own, starting where the shared buffer's are; every read of the
 * shared buffer is absolute, so its indexes are neither used nor moved and a share needs no
 * duplicate of it. Duplicates and slices of a share count on the share; {@link #unwrap()} gives
 * the shared buffer.
 */
public final class LoopShare extends AbstractReferenceCountedByteBuf {

    private final ByteBuf shared;

    /** Takes over one reference to {@code shared}, whose readable bytes the share shows. */
    public LoopShare(ByteBuf shared) {
        super(shared.capacity());
        this.shared = shared;
        setIndex(shared.readerIndex(), shared.writerIndex());
    }

    @Override
    protected void deallocate() {
        shared.release();
    }

    @Override
    public ByteBuf unwrap() {
        return shared;
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public ByteBuf asReadOnly() {
        return this;
    }

    @Override
    public int capacity() {
        return shared.capacity();
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBufAllocator alloc() {
        return shared.alloc();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ByteOrder order() {
        return shared.order();
    }

    @Override
    public boolean isDirect() {
        return shared.isDirect();
    }

    // ------------------------------------------------------------------ reads: the shared bytes

    @Override
    protected byte _getByte(int index) {
        return shared.getByte(index);
    }

    @Override
    protected short _getShort(int index) {
        return shared.getShort(index);
    }

    @Override
    protected short _getShortLE(int index) {
        return shared.getShortLE(index);
    }

    @Override
    protected int _getUnsignedMedium(int index) {
        return shared.getUnsignedMedium(index);
    }

    @Override
    protected int _getUnsignedMediumLE(int index) {
        return shared.getUnsignedMediumLE(index);
    }

    @Override
    protected int _getInt(int index) {
        return shared.getInt(index);
    }

    @Override
    protected int _getIntLE(int index) {
        return shared.getIntLE(index);
    }

    @Override
    protected long _getLong(int index) {
        return shared.getLong(index);
    }

    @Override
    protected long _getLongLE(int index) {
        return shared.getLongLE(index);
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        checkIndex(index, length);
        shared.getBytes(index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        checkIndex(index, length);
        shared.getBytes(index, dst, dstIndex, length);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuffer dst) {
        checkIndex(index, dst.remaining());
        shared.getBytes(index, dst);
        return this;
    }

    @Override
    public ByteBuf getBytes(int index, OutputStream out, int length) throws IOException {
        checkIndex(index, length);
        shared.getBytes(index, out, length);
        return this;
    }

    @Override
    public int getBytes(int index, GatheringByteChannel out, int length) throws IOException {
        checkIndex(index, length);
        return shared.getBytes(index, out, length);
    }

    @Override
    public int getBytes(int index, FileChannel out, long position, int length) throws IOException {
        checkIndex(index, length);
        return shared.getBytes(index, out, position, length);
    }

    @Override
    public ByteBuf copy(int index, int length) {
        checkIndex(index, length);
        return shared.copy(index, length);
    }

    @Override
    public int nioBufferCount() {
        return shared.nioBufferCount();
    }

    @Override
    public ByteBuffer nioBuffer(int index, int length) {
        checkIndex(index, length);
        return shared.nioBuffer(index, length).asReadOnlyBuffer();
    }

    @Override
    public ByteBuffer internalNioBuffer(int index, int length) {
        return nioBuffer(index, length);
    }

    @Override
    public ByteBuffer[] nioBuffers(int index, int length) {
        checkIndex(index, length);
        ByteBuffer[] bufs = shared.nioBuffers(index, length);
        for (int i = 0; i < bufs.length; i++) {
            bufs[i] = bufs[i].asReadOnlyBuffer();
        }
        return bufs;
    }

    @Override
    public boolean hasArray() {
        return false; // read-only: no array to write into
    }

    @Override
    public byte[] array() {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int arrayOffset() {
        throw new ReadOnlyBufferException();
    }

    /** The socket transports write straight from the shared memory; nothing writes to it here. */
    @Override
    public boolean hasMemoryAddress() {
        return shared.hasMemoryAddress();
    }

    @Override
    public long memoryAddress() {
        ensureAccessible();
        return shared.memoryAddress();
    }

    @Override
    public boolean isContiguous() {
        return shared.isContiguous();
    }

    // ------------------------------------------------------------------ writes: refused

    @Override
    protected void _setByte(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShort(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setShortLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMedium(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setMediumLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setInt(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setIntLE(int index, int value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLong(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    protected void _setLongLE(int index, long value) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuf src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, byte[] src, int srcIndex, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public ByteBuf setBytes(int index, ByteBuffer src) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, InputStream in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, ScatteringByteChannel in, int length) {
        throw new ReadOnlyBufferException();
    }

    @Override
    public int setBytes(int index, FileChannel in, long position, int length) {
        throw new ReadOnlyBufferException();
    }
}
