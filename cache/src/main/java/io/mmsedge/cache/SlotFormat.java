package io.mmsedge.cache;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Layout of one packet slot in an item's data file. Packet {@code n} lives at offset
 * {@code n * slotSize}; every slot is written whole, so a complete item's data file is exactly
 * {@code packetCount * slotSize} bytes. Big-endian:
 *
 * <pre>
 *  0  u32  payload length (0 = slot not stored: never written, a sparse hole)
 *  4  u32  CRC32C over bytes 0..3, 8..16 and the payload
 *  8  s64  send time (ms)
 * 16  u8   flags: bit 0 = the packet begins a video key frame
 * 17  7 zero bytes (header padded to 8)
 * 24  payload (length bytes), then zeros up to slotSize
 * </pre>
 *
 * A torn or bit-rotted slot fails its checksum and is never served.
 */
final class SlotFormat {

    static final int HEADER_SIZE = 24;
    static final int FLAG_KEY_FRAME = 1;

    /** A slot that verifies but whose length field is 0: never written. */
    static final int EMPTY = 0;
    /** A slot that does not verify (bad length, cut short, checksum mismatch). */
    static final int CORRUPT = -1;

    private SlotFormat() {
    }

    /** Slot size for packets of at most {@code packetSize} bytes: header + payload, rounded up to 8. */
    static int slotSize(int packetSize) {
        return (HEADER_SIZE + packetSize + 7) & ~7;
    }

    /** A whole slot holding {@code length} readable bytes of {@code packet} (indexes unchanged). */
    static ByteBuffer encode(int slotSize, ByteBuf packet, long sendTimeMs, boolean keyFrame) {
        int length = packet.readableBytes();
        byte[] slot = new byte[slotSize];
        ByteBuffer b = ByteBuffer.wrap(slot);
        b.putInt(0, length);
        b.putLong(8, sendTimeMs);
        slot[16] = (byte) (keyFrame ? FLAG_KEY_FRAME : 0);
        packet.getBytes(packet.readerIndex(), slot, HEADER_SIZE, length);
        b.putInt(4, crc(slot, 0, length));
        return b;
    }

    /**
     * Checks the slot at {@code off} of {@code buf}, of which {@code available} bytes were read.
     *
     * @return the payload length (&gt; 0) of a slot that verifies, {@link #EMPTY} for a slot never
     *         written, {@link #CORRUPT} otherwise
     */
    static int verify(byte[] buf, int off, int available, int packetSize) {
        if (available < HEADER_SIZE) {
            return available <= 0 || allZero(buf, off, available) ? EMPTY : CORRUPT;
        }
        ByteBuffer b = ByteBuffer.wrap(buf);
        long length = Integer.toUnsignedLong(b.getInt(off));
        if (length == 0) {
            return EMPTY;
        }
        if (length > packetSize || length > available - HEADER_SIZE) {
            return CORRUPT;
        }
        int stored = b.getInt(off + 4);
        return crc(buf, off, (int) length) == stored ? (int) length : CORRUPT;
    }

    static long sendTimeMs(byte[] buf, int off) {
        return ByteBuffer.wrap(buf).getLong(off + 8);
    }

    static boolean keyFrame(byte[] buf, int off) {
        return (buf[off + 16] & FLAG_KEY_FRAME) != 0;
    }

    /** CRC32C over the length, send time, flags and payload of the slot at {@code off}. */
    private static int crc(byte[] slot, int off, int length) {
        CRC32C crc = new CRC32C();
        crc.update(slot, off, 4);
        crc.update(slot, off + 8, 9);
        crc.update(slot, off + HEADER_SIZE, length);
        return (int) crc.getValue();
    }

    private static boolean allZero(byte[] buf, int off, int length) {
        for (int i = 0; i < length; i++) {
            if (buf[off + i] != 0) {
                return false;
            }
        }
        return true;
    }
}
