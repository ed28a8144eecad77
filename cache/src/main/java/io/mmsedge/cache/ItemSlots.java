package io.mmsedge.cache;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The slot read/write path of one item's data file: one fixed-size slot per packet, each with
 * its own length and checksum ({@link SlotFormat}), so a torn or flipped slot is never served.
 * Reads take no lock (positional reads of a file that only grows); a slot that fails its
 * checksum is handed to {@code corrupt}, which decides what the failure means and returns the
 * exception to throw.
 */
final class ItemSlots {

    private final String url; // for error messages
    private final SlotFile data;
    private final int packetSize;
    private final int slotSize;
    private final LongFunction<CacheReadException> corrupt;

    ItemSlots(String url, SlotFile data, int packetSize, int slotSize, LongFunction<CacheReadException> corrupt) {
        this.url = url;
        this.data = data;
        this.packetSize = packetSize;
        this.slotSize = slotSize;
        this.corrupt = corrupt;
    }

    /** Writes packet {@code n}'s slot (the packet's readable bytes; the buffer is not released). */
    void write(long n, ByteBuf packet, long sendTimeMs, boolean keyFrame) throws IOException {
        data.write(SlotFormat.encode(slotSize, packet, sendTimeMs, keyFrame), n * slotSize);
    }

    void force() throws IOException {
        data.force();
    }

    void close() {
        data.close();
    }

    /** Packet {@code n} read from disk and verified: a read-only heap buffer the caller owns. */
    ByteBuf readSlot(long n) {
        byte[] raw = new byte[SlotFormat.HEADER_SIZE + packetSize];
        int read = readRaw(raw, n * slotSize);
        int length = SlotFormat.verify(raw, 0, read, packetSize);
        if (length <= 0) {
            throw corrupt.apply(n);
        }
        return Unpooled.wrappedBuffer(raw, SlotFormat.HEADER_SIZE, length).asReadOnly();
    }

    /** Parses a stored packet's payloads (the fill parsed it before storing it). */
    List<AsfPayload> payloads(long n, ByteBuf slot) {
        try {
            return List.copyOf(AsfPacket.parse(slot, packetSize).payloads());
        } catch (AsfFormatException e) {
            slot.release();
            throw new CacheReadException(url + ": packet " + n + " is not a valid ASF packet: " + e.getMessage(), e);
        }
    }

    /**
     * Reads and verifies packets {@code [start, end)} (all stored) into one chunk. A slot that
     * fails its checksum discards the item.
     */
    MemoryTier.Chunk loadChunk(long start, long end) {
        int packets = (int) (end - start);
        byte[] raw = new byte[packets * slotSize];
        int read = readRaw(raw, start * slotSize);
        int[] offsets = new int[packets + 1];
        int total = 0;
        int[] lengths = new int[packets];
        for (int i = 0; i < packets; i++) {
            int off = i * slotSize;
            int length = SlotFormat.verify(raw, off, Math.min(slotSize, read - off), packetSize);
            if (length <= 0) {
                throw corrupt.apply(start + i);
            }
            lengths[i] = length;
            total += length;
        }
        byte[] bytes = new byte[total];
        int pos = 0;
        List<List<AsfPayload>> payloads = new ArrayList<>(packets);
        for (int i = 0; i < packets; i++) {
            offsets[i] = pos;
            System.arraycopy(raw, i * slotSize + SlotFormat.HEADER_SIZE, bytes, pos, lengths[i]);
            try {
                payloads.add(List.copyOf(AsfPacket.parse(Unpooled.wrappedBuffer(bytes, pos, lengths[i]), packetSize)
                        .payloads()));
            } catch (AsfFormatException e) {
                throw corrupt.apply(start + i); // the fill parsed it before storing it: the bytes changed
            }
            pos += lengths[i];
        }
        offsets[packets] = pos;
        return new MemoryTier.Chunk(bytes, offsets, payloads);
    }

    private int readRaw(byte[] into, long position) {
        try {
            return data.read(ByteBuffer.wrap(into), position);
        } catch (ClosedChannelException e) {
            throw new CacheReadException(url + ": the item is gone (evicted, replaced or discarded)", e);
        } catch (IOException e) {
            throw new CacheReadException(url + ": reading the disk tier failed: " + e, e);
        }
    }
}
