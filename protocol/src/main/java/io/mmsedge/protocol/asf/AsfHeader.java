package io.mmsedge.protocol.asf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private static final int OBJECT_HEADER = 24;
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

    private AsfHeader(byte[] fileHeader, int headerObjectSize, FileProps fp, List<AsfStream> streams,
            long dataObjectSize, long dataObjectPacketCount) {
        this.fileHeader = fileHeader;
        this.headerObjectSize = headerObjectSize;
        this.fileId = fp.fileId.toString();
        this.fileSize = fp.fileSize;
        this.dataPacketsCount = fp.packets;
        this.playDurationHns = fp.playDuration;
        this.sendDurationHns = fp.sendDuration;
        this.prerollMs = fp.preroll;
        this.flags = fp.flags;
        this.packetSize = fp.packetSize;
        this.maxBitrate = fp.maxBitrate;
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

        Builder b = new Builder();
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

    // ---------------------------------------------------------------------------------

    private record FileProps(AsfGuid fileId, long fileSize, long packets, long playDuration,
            long sendDuration, long preroll, long flags, int packetSize, long maxBitrate) {
    }

    private static final class StreamInfo {
        final int number;
        final AsfStreamType type;
        final String codec;
        final int width;
        final int height;
        final long formatBitrate;

        StreamInfo(int number, AsfStreamType type, String codec, int width, int height, long formatBitrate) {
            this.number = number;
            this.type = type;
            this.codec = codec;
            this.width = width;
            this.height = height;
            this.formatBitrate = formatBitrate;
        }
    }

    private static final class Builder {
        FileProps fileProps;
        final Map<Integer, StreamInfo> streams = new LinkedHashMap<>();
        final Map<Integer, Long> bitrateProps = new LinkedHashMap<>();
        final Map<Integer, Long> extendedBitrates = new LinkedHashMap<>();
        boolean sawHeaderExtension;
        boolean sawBitrateProps;

        void walk(ByteReader objects, boolean inExtension) {
            while (objects.remaining() > 0) {
                if (objects.remaining() < OBJECT_HEADER) {
                    throw AsfFormatException.of(objects.object(), "object", objects.remaining()
                            + " trailing bytes cannot hold an object header");
                }
                AsfGuid guid = objects.guid("Object ID");
                long size = objects.u64("Object Size");
                if (size < OBJECT_HEADER || size - OBJECT_HEADER > objects.remaining()) {
                    throw AsfFormatException.of(objects.object(), "Object Size",
                            "object " + guid + " size " + size + " outside [" + OBJECT_HEADER + ", "
                                    + (objects.remaining() + OBJECT_HEADER) + "]");
                }
                ByteReader body = objects.sub(size - OBJECT_HEADER, name(guid));
                if (!inExtension) {
                    if (AsfGuid.FILE_PROPERTIES.equals(guid)) {
                        fileProperties(body);
                    } else if (AsfGuid.STREAM_PROPERTIES.equals(guid)) {
                        streamProperties(body, -1);
                    } else if (AsfGuid.STREAM_BITRATE_PROPERTIES.equals(guid)) {
                        bitrateProperties(body);
                    } else if (AsfGuid.HEADER_EXTENSION.equals(guid)) {
                        headerExtension(body);
                    }
                } else if (AsfGuid.EXTENDED_STREAM_PROPERTIES.equals(guid)) {
                    extendedStreamProperties(body);
                }
            }
        }

        private static String name(AsfGuid guid) {
            if (AsfGuid.FILE_PROPERTIES.equals(guid)) {
                return "File Properties Object";
            } else if (AsfGuid.STREAM_PROPERTIES.equals(guid)) {
                return "Stream Properties Object";
            } else if (AsfGuid.STREAM_BITRATE_PROPERTIES.equals(guid)) {
                return "Stream Bitrate Properties Object";
            } else if (AsfGuid.HEADER_EXTENSION.equals(guid)) {
                return "Header Extension Object";
            } else if (AsfGuid.EXTENDED_STREAM_PROPERTIES.equals(guid)) {
                return "Extended Stream Properties Object";
            }
            return "Object " + guid;
        }

        void fileProperties(ByteReader r) {
            if (fileProps != null) {
                throw AsfFormatException.of(r.object(), "Object ID", "duplicate File Properties Object");
            }
            AsfGuid fileId = r.guid("File ID");
            long fileSize = r.u64("File Size");
            r.u64("Creation Date");
            long packets = r.u64("Data Packets Count");
            long play = r.u64("Play Duration");
            long send = r.u64("Send Duration");
            long preroll = r.u64("Preroll");
            long flags = r.u32("Flags");
            long min = r.u32("Minimum Data Packet Size");
            long max = r.u32("Maximum Data Packet Size");
            long maxBitrate = r.u32("Maximum Bitrate");
            if (min != max) {
                throw AsfFormatException.of(r.object(), "Minimum Data Packet Size",
                        min + " differs from Maximum Data Packet Size " + max);
            }
            if (max < MIN_PACKET_SIZE || max > MAX_PACKET_SIZE) {
                throw AsfFormatException.of(r.object(), "Maximum Data Packet Size",
                        max + " outside [" + MIN_PACKET_SIZE + ", " + MAX_PACKET_SIZE + "]");
            }
            if (preroll > Integer.MAX_VALUE) {
                throw AsfFormatException.of(r.object(), "Preroll", preroll + " ms is implausible");
            }
            fileProps = new FileProps(fileId, fileSize, packets, play, send, preroll, flags, (int) max, maxBitrate);
        }

        void streamProperties(ByteReader r, int expectedNumber) {
            AsfGuid streamType = r.guid("Stream Type");
            r.guid("Error Correction Type");
            r.u64("Time Offset");
            long tsdLength = r.u32("Type-Specific Data Length");
            long ecLength = r.u32("Error Correction Data Length");
            int flags = r.u16("Flags");
            r.u32("Reserved");
            ByteReader tsd = r.sub(tsdLength, r.object() + ".Type-Specific Data");
            r.skip(ecLength, "Error Correction Data");
            int number = flags & 0x7F;
            if (number == 0) {
                throw AsfFormatException.of(r.object(), "Flags", "stream number 0 is invalid");
            }
            if (expectedNumber >= 0 && number != expectedNumber) {
                throw AsfFormatException.of(r.object(), "Flags", "stream number " + number
                        + " differs from the enclosing Extended Stream Properties stream " + expectedNumber);
            }
            if (streams.containsKey(number)) {
                if (expectedNumber >= 0) {
                    return; // already declared at top level; the embedded copy adds nothing
                }
                throw AsfFormatException.of(r.object(), "Flags", "duplicate stream number " + number);
            }
            AsfStreamType type = AsfStreamType.of(streamType);
            String codec = "";
            int width = 0;
            int height = 0;
            long formatBitrate = 0;
            if (type == AsfStreamType.AUDIO) {
                if (tsd.remaining() >= 16) {
                    int tag = tsd.u16("wFormatTag");
                    tsd.u16("nChannels");
                    tsd.u32("nSamplesPerSec");
                    formatBitrate = tsd.u32("nAvgBytesPerSec") * 8;
                    codec = audioCodecName(tag);
                }
            } else if (type == AsfStreamType.VIDEO) {
                if (tsd.remaining() >= 11) {
                    width = dimension(tsd, "Encoded Image Width");
                    height = dimension(tsd, "Encoded Image Height");
                    tsd.u8("Reserved Flags");
                    int formatDataSize = tsd.u16("Format Data Size");
                    ByteReader bih = tsd.sub(formatDataSize, r.object() + ".Format Data");
                    if (bih.remaining() >= 20) {
                        bih.skip(16, "biSize..biBitCount");
                        codec = fourcc(bih.bytes(4, "biCompression"));
                    }
                }
            }
            streams.put(number, new StreamInfo(number, type, codec, width, height, formatBitrate));
        }

        private static int dimension(ByteReader r, String field) {
            long v = r.u32(field);
            if (v > 65535) {
                throw AsfFormatException.of(r.object(), field, v + " pixels is implausible");
            }
            return (int) v;
        }

        void bitrateProperties(ByteReader r) {
            if (sawBitrateProps) {
                throw AsfFormatException.of(r.object(), "Object ID", "duplicate Stream Bitrate Properties Object");
            }
            sawBitrateProps = true;
            int count = r.u16("Bitrate Records Count");
            if ((long) count * 6 > r.remaining()) {
                throw AsfFormatException.of(r.object(), "Bitrate Records Count", count
                        + " records do not fit in " + r.remaining() + " bytes");
            }
            for (int i = 0; i < count; i++) {
                int flags = r.u16("Bitrate Record.Flags");
                long avg = r.u32("Bitrate Record.Average Bitrate");
                int number = flags & 0x7F;
                if (number == 0) {
                    throw AsfFormatException.of(r.object(), "Bitrate Record.Flags", "stream number 0 is invalid");
                }
                bitrateProps.putIfAbsent(number, avg);
            }
        }

        void headerExtension(ByteReader r) {
            if (sawHeaderExtension) {
                throw AsfFormatException.of(r.object(), "Object ID", "duplicate Header Extension Object");
            }
            sawHeaderExtension = true;
            r.guid("Reserved Field 1");
            r.u16("Reserved Field 2");
            long dataSize = r.u32("Header Extension Data Size");
            if (dataSize != r.remaining()) {
                throw AsfFormatException.of(r.object(), "Header Extension Data Size", dataSize
                        + " does not match the " + r.remaining() + " bytes left in the object");
            }
            walk(r.sub(dataSize, "Header Extension Object.objects"), true);
        }

        void extendedStreamProperties(ByteReader r) {
            r.u64("Start Time");
            r.u64("End Time");
            long dataBitrate = r.u32("Data Bitrate");
            r.u32("Buffer Size");
            r.u32("Initial Buffer Fullness");
            r.u32("Alternate Data Bitrate");
            r.u32("Alternate Buffer Size");
            r.u32("Alternate Initial Buffer Fullness");
            r.u32("Maximum Object Size");
            r.u32("Flags");
            int number = r.u16("Stream Number");
            if (number < 1 || number > 127) {
                throw AsfFormatException.of(r.object(), "Stream Number", number + " outside [1, 127]");
            }
            r.u16("Stream Language ID Index");
            r.u64("Average Time Per Frame");
            int nameCount = r.u16("Stream Name Count");
            int extCount = r.u16("Payload Extension System Count");
            for (int i = 0; i < nameCount; i++) {
                r.u16("Stream Name.Language ID Index");
                int len = r.u16("Stream Name.Stream Name Length");
                r.skip(len, "Stream Name.Stream Name");
            }
            for (int i = 0; i < extCount; i++) {
                r.guid("Payload Extension System.Extension System ID");
                r.u16("Payload Extension System.Extension Data Size");
                long len = r.u32("Payload Extension System.Extension System Info Length");
                r.skip(len, "Payload Extension System.Extension System Info");
            }
            extendedBitrates.putIfAbsent(number, dataBitrate);
            if (r.remaining() >= OBJECT_HEADER) {
                AsfGuid guid = r.guid("Stream Properties Object.Object ID");
                long size = r.u64("Stream Properties Object.Object Size");
                if (size < OBJECT_HEADER || size - OBJECT_HEADER > r.remaining()) {
                    throw AsfFormatException.of(r.object(), "Stream Properties Object.Object Size",
                            size + " outside [" + OBJECT_HEADER + ", " + (r.remaining() + OBJECT_HEADER) + "]");
                }
                ByteReader body = r.sub(size - OBJECT_HEADER, "Stream Properties Object (embedded)");
                if (AsfGuid.STREAM_PROPERTIES.equals(guid)) {
                    streamProperties(body, number);
                }
            }
        }

        List<AsfStream> resolveStreams() {
            List<AsfStream> out = new ArrayList<>(streams.size());
            long known = 0;
            int unknownIndex = -1;
            int unknownCount = 0;
            for (StreamInfo s : streams.values()) {
                long rate = bitrateProps.getOrDefault(s.number, 0L);
                if (rate == 0) {
                    rate = extendedBitrates.getOrDefault(s.number, 0L);
                }
                if (rate == 0) {
                    rate = s.formatBitrate;
                }
                if (rate == 0) {
                    unknownIndex = out.size();
                    unknownCount++;
                }
                known += rate;
                out.add(new AsfStream(s.number, s.type, s.codec, rate, s.width, s.height));
            }
            if (unknownCount == 1 && fileProps.maxBitrate > known) {
                out.set(unknownIndex, out.get(unknownIndex).withBitrate(fileProps.maxBitrate - known));
            }
            return Collections.unmodifiableList(out);
        }
    }

    static String fourcc(byte[] b) {
        for (byte c : b) {
            if (c < 0x20 || c > 0x7E) {
                return String.format("0x%02x%02x%02x%02x", b[3] & 0xFF, b[2] & 0xFF, b[1] & 0xFF, b[0] & 0xFF);
            }
        }
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Name for a WAVEFORMATEX format tag, matching FFmpeg's codec names where known. */
    static String audioCodecName(int tag) {
        return switch (tag) {
            case 0x0160 -> "wmav1";
            case 0x0161 -> "wmav2";
            case 0x0162 -> "wmapro";
            case 0x0163 -> "wmalossless";
            case 0x000A -> "wmavoice";
            case 0x0001 -> "pcm";
            case 0x0002 -> "adpcm_ms";
            case 0x0006 -> "pcm_alaw";
            case 0x0007 -> "pcm_mulaw";
            case 0x0011 -> "adpcm_ima_wav";
            case 0x0050 -> "mp2";
            case 0x0055 -> "mp3";
            case 0x0130 -> "sipr";
            case 0x00FF, 0x1610, 0x706D -> "aac";
            case 0x2000 -> "ac3";
            default -> String.format("0x%04x", tag);
        };
    }
}
