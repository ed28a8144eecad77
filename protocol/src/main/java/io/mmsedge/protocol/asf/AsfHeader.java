package io.mmsedge.protocol.asf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, validated ASF "file header" in the MMS sense (MS-MMSP §2.2.2): the whole
 * ASF Header Object followed by the 50-byte fixed start of the Data Object.
 *
 * <p>Parsed: File Properties, Stream Properties (top level and embedded in Extended Stream
 * Properties for hidden streams), Stream Bitrate Properties, Header Extension with
 * Extended Stream Properties, and the Data Object start. Unknown objects are skipped. Every
 * size, count and offset is checked against its enclosing object; violations raise
 * {@link AsfFormatException}.
 */
public final class AsfHeader {

    /** Header Object fixed part: GUID, size, object count, two reserved bytes. */
    public static final int HEADER_OBJECT_MIN_SIZE = 30;
    /** Fixed start of the Data Object: GUID, size, file id, packet count, reserved. */
    public static final int DATA_OBJECT_HEADER_SIZE = 50;
    /** Smallest accepted data packet size (room for a minimal payload parsing header). */
    public static final int MIN_PACKET_SIZE = 32;
    /** Largest accepted data packet size. */
    public static final int MAX_PACKET_SIZE = 1 << 20;

    private static final int FLAG_BROADCAST = 0x1;
    private static final int FLAG_SEEKABLE = 0x2;

    private final byte[] fileHeader;
    private final int headerObjectSize;
    private final String fileId;
    private final long fileSize;
    private final long dataPacketsCount;
    private final long playDurationHns;
    private final long sendDurationHns;
    private final long prerollMs;
    private final long flags;
    private final int packetSize;
    private final long maxBitrate;
    private final List<AsfStream> streams;
    private final long dataObjectSize;
    private final long dataObjectPacketCount;

    private AsfHeader(byte[] fileHeader, int headerObjectSize, HeaderObjects.FileProps fp, List<AsfStream> streams,
            long dataObjectSize, long dataObjectPacketCount) {
        this.fileHeader = fileHeader;
        this.headerObjectSize = headerObjectSize;
        this.fileId = fp.fileId().toString();
        this.fileSize = fp.fileSize();
        this.dataPacketsCount = fp.packets();
        this.playDurationHns = fp.playDuration();
        this.sendDurationHns = fp.sendDuration();
        this.prerollMs = fp.preroll();
        this.flags = fp.flags();
        this.packetSize = fp.packetSize();
        this.maxBitrate = fp.maxBitrate();
        this.streams = streams;
        this.dataObjectSize = dataObjectSize;
        this.dataObjectPacketCount = dataObjectPacketCount;
    }

    /**
     * Parses an MMS "ASF file header": Header Object + the first 50 bytes of the Data Object.
     * Bytes beyond those are ignored (not part of {@link #fileHeader()}).
     */
    public static AsfHeader parse(byte[] fileHeader) {
        Objects.requireNonNull(fileHeader, "fileHeader");
        if (fileHeader.length < HEADER_OBJECT_MIN_SIZE + DATA_OBJECT_HEADER_SIZE) {
            throw new AsfFormatException("ASF file header: " + fileHeader.length
                    + " bytes, at least " + (HEADER_OBJECT_MIN_SIZE + DATA_OBJECT_HEADER_SIZE) + " required");
        }
        ByteReader r = new ByteReader(fileHeader, 0, fileHeader.length, "Header Object");
        AsfGuid id = r.guid("Object ID");
        if (!AsfGuid.HEADER.equals(id)) {
            throw AsfFormatException.of("Header Object", "Object ID",
                    "not the ASF Header Object GUID (" + id + "); not an ASF file");
        }
        long size = r.u64("Object Size");
        if (size < HEADER_OBJECT_MIN_SIZE || size > fileHeader.length - DATA_OBJECT_HEADER_SIZE) {
            throw AsfFormatException.of("Header Object", "Object Size", size + " outside ["
                    + HEADER_OBJECT_MIN_SIZE + ", " + (fileHeader.length - DATA_OBJECT_HEADER_SIZE)
                    + "] (the file header must also hold the 50-byte Data Object start)");
        }
        int headerSize = (int) size;
        r.u32("Number of Header Objects"); // informative only; objects are walked by size
        r.u8("Reserved1");
        r.u8("Reserved2");

        HeaderObjects b = new HeaderObjects();
        b.walk(r.sub(headerSize - HEADER_OBJECT_MIN_SIZE, "Header Object.objects"), false);
        if (b.fileProps == null) {
            throw AsfFormatException.of("Header Object", "File Properties Object", "missing");
        }
        if (b.streams.isEmpty()) {
            throw AsfFormatException.of("Header Object", "Stream Properties Object", "no stream defined");
        }

        ByteReader d = new ByteReader(fileHeader, headerSize, headerSize + DATA_OBJECT_HEADER_SIZE, "Data Object");
        AsfGuid dataId = d.guid("Object ID");
        if (!AsfGuid.DATA.equals(dataId)) {
            throw AsfFormatException.of("Data Object", "Object ID",
                    "expected the Data Object GUID after the Header Object, found " + dataId);
        }
        long dataSize = d.u64("Object Size");
        if (dataSize != 0 && dataSize < DATA_OBJECT_HEADER_SIZE) {
            throw AsfFormatException.of("Data Object", "Object Size", dataSize + " is below "
                    + DATA_OBJECT_HEADER_SIZE);
        }
        d.guid("File ID");
        long dataPackets = d.u64("Total Data Packets");
        d.u16("Reserved");

        List<AsfStream> streams = b.resolveStreams();
        byte[] copy = Arrays.copyOf(fileHeader, headerSize + DATA_OBJECT_HEADER_SIZE);
        return new AsfHeader(copy, headerSize, b.fileProps, streams, dataSize, dataPackets);
    }

    /** A copy of the file header (Header Object + 50-byte Data Object start). */
    public byte[] fileHeader() {
        return fileHeader.clone();
    }

    public int fileHeaderSize() {
        return fileHeader.length;
    }

    public int headerObjectSize() {
        return headerObjectSize;
    }

    /** File Properties "File ID" as GUID text. */
    public String fileId() {
        return fileId;
    }

    /** File Properties "File Size" (informative; invalid when {@link #broadcast()}). */
    public long fileSize() {
        return fileSize;
    }

    /** File Properties "Data Packets Count" (invalid when {@link #broadcast()}). */
    public long dataPacketsCount() {
        return dataPacketsCount;
    }

    /** Data Object "Total Data Packets" field. */
    public long dataObjectPacketCount() {
        return dataObjectPacketCount;
    }

    public long playDurationHns() {
        return playDurationHns;
    }

    public long sendDurationHns() {
        return sendDurationHns;
    }

    public long prerollMs() {
        return prerollMs;
    }

    public boolean broadcast() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    public boolean seekable() {
        return (flags & FLAG_SEEKABLE) != 0;
    }

    public int minDataPacketSize() {
        return packetSize;
    }

    /** The data packet size (minimum and maximum are validated to be equal). */
    public int maxDataPacketSize() {
        return packetSize;
    }

    /** File Properties "Maximum Bitrate". */
    public long maxBitrate() {
        return maxBitrate;
    }

    /** All streams, including hidden ones defined only in Extended Stream Properties. */
    public List<AsfStream> streams() {
        return streams;
    }

    /** The stream with this number, or null. */
    public AsfStream stream(int number) {
        for (AsfStream s : streams) {
            if (s.number() == number) {
                return s;
            }
        }
        return null;
    }

    /**
     * Sum of per-stream bit rates. Each stream's rate comes from Stream Bitrate Properties,
     * else Extended Stream Properties "Data Bitrate", else for audio the WAVEFORMATEX average
     * bytes per second; a single stream still unknown gets the File Properties maximum
     * bit rate minus the known ones (never negative).
     */
    public long totalBitrate() {
        long sum = 0;
        for (AsfStream s : streams) {
            sum += s.bitrate();
        }
        return sum;
    }

    /**
     * A bit rate at which sending the data takes no longer than playing it, from what the header
     * says: the largest of the streams' sum ({@link #totalBitrate()}, which counts a stream whose
     * header gives no rate as 0: FFmpeg writes none for multi-bit-rate video), File Properties
     * "Maximum Bitrate", and, for on-demand content, the data packets over the play duration
     * (every packet is {@link #maxDataPacketSize()} bytes in the file). 0 when none is known.
     */
    public long realTimeBitrate() {
        long rate = Math.max(totalBitrate(), maxBitrate);
        double seconds = durationSeconds();
        if (!broadcast() && seconds > 0 && dataPacketsCount > 0) {
            rate = Math.max(rate, dataRate(dataPacketsCount, packetSize, seconds));
        }
        return rate;
    }

    /**
     * {@code packets} packets of {@code packetSize} bytes over {@code seconds}, in bits/s, rounded
     * up and capped at {@link Long#MAX_VALUE}; 0 when {@code seconds} is not positive.
     */
    public static long dataRate(long packets, long packetSize, double seconds) {
        if (!(seconds > 0) || packets <= 0 || packetSize <= 0) {
            return 0;
        }
        double bits = (double) packets * packetSize * 8;
        return (long) Math.min(Math.ceil(bits / seconds), Long.MAX_VALUE);
    }

    /** Play duration minus preroll, in seconds, never negative. */
    public double durationSeconds() {
        double d = playDurationHns / 1e7 - prerollMs / 1e3;
        return Math.max(0.0, d);
    }

    /** Data Object "Object Size" (0 when unknown, e.g. some live streams). */
    public long dataObjectSize() {
        return dataObjectSize;
    }

    @Override
    public String toString() {
        return "AsfHeader[fileHeaderSize=" + fileHeader.length + ", packetSize=" + packetSize
                + ", packets=" + dataPacketsCount + ", streams=" + streams + "]";
    }

}
