package io.mmsedge.protocol.asf;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * The ASF Simple Index Object: one entry per time interval, giving the data packet that
 * holds the key frame to start from for that time (times on the ASF time line, i.e.
 * presentation times including the preroll).
 */
public final class AsfIndex {

    /** Fixed part: GUID, size, file id, interval, max packet count, entry count. */
    public static final int FIXED_SIZE = 56;
    private static final int ENTRY_SIZE = 6;
    private static final String OBJ = "Simple Index Object";

    private final String fileId;
    private final long entryTimeIntervalHns;
    private final long maximumPacketCount;
    private final long[] packetNumbers;
    private final int[] packetCounts;

    private AsfIndex(String fileId, long interval, long maxCount, long[] packetNumbers, int[] packetCounts) {
        this.fileId = fileId;
        this.entryTimeIntervalHns = interval;
        this.maximumPacketCount = maxCount;
        this.packetNumbers = packetNumbers;
        this.packetCounts = packetCounts;
    }

    /**
     * Parses a whole Simple Index Object at {@code buf.readerIndex()} (indexes unchanged).
     * The object size must fit in the readable bytes.
     */
    public static AsfIndex parse(ByteBuf buf) {
        Objects.requireNonNull(buf, "buf");
        int base = buf.readerIndex();
        int readable = buf.readableBytes();
        if (readable < FIXED_SIZE) {
            throw AsfFormatException.of(OBJ, "Object Size", readable + " bytes available, at least "
                    + FIXED_SIZE + " required");
        }
        AsfGuid guid = AsfGuid.read(buf, base);
        if (!AsfGuid.SIMPLE_INDEX.equals(guid)) {
            throw AsfFormatException.of(OBJ, "Object ID", "not the Simple Index Object GUID (" + guid + ")");
        }
        long size = buf.getLongLE(base + 16);
        if (size < FIXED_SIZE || size > readable) {
            throw AsfFormatException.of(OBJ, "Object Size", Long.toUnsignedString(size) + " outside ["
                    + FIXED_SIZE + ", " + readable + "]");
        }
        String fileId = AsfGuid.read(buf, base + 24).toString();
        long interval = buf.getLongLE(base + 40);
        if (interval <= 0) {
            throw AsfFormatException.of(OBJ, "Index Entry Time Interval", Long.toUnsignedString(interval)
                    + " must be positive");
        }
        long maxCount = buf.getUnsignedIntLE(base + 48);
        long count = buf.getUnsignedIntLE(base + 52);
        if (count > (size - FIXED_SIZE) / ENTRY_SIZE) {
            throw AsfFormatException.of(OBJ, "Index Entries Count", count + " entries do not fit in "
                    + (size - FIXED_SIZE) + " bytes");
        }
        long[] numbers = new long[(int) count];
        int[] counts = new int[(int) count];
        int p = base + FIXED_SIZE;
        for (int i = 0; i < count; i++, p += ENTRY_SIZE) {
            numbers[i] = buf.getUnsignedIntLE(p);
            counts[i] = buf.getUnsignedShortLE(p + 4);
        }
        return new AsfIndex(fileId, interval, maxCount, numbers, counts);
    }

    public String fileId() {
        return fileId;
    }

    public long entryTimeIntervalHns() {
        return entryTimeIntervalHns;
    }

    public long maximumPacketCount() {
        return maximumPacketCount;
    }

    public int entryCount() {
        return packetNumbers.length;
    }

    public long packetNumber(int entry) {
        return packetNumbers[Objects.checkIndex(entry, packetNumbers.length)];
    }

    public int packetCount(int entry) {
        return packetCounts[Objects.checkIndex(entry, packetCounts.length)];
    }

    /**
     * Packet to start from for ASF time {@code ms} (presentation time including preroll):
     * the entry {@code floor(ms / interval)}, clamped to the table; 0 for an empty index.
     */
    public long packetForTime(long ms) {
        if (packetNumbers.length == 0) {
            return 0;
        }
        long entry;
        if (ms <= 0) {
            entry = 0;
        } else if (ms > Long.MAX_VALUE / 10_000) {
            entry = Long.MAX_VALUE;
        } else {
            entry = ms * 10_000 / entryTimeIntervalHns;
        }
        return packetNumbers[(int) Math.min(entry, packetNumbers.length - 1)];
    }
}
