package io.mmsedge.protocol.asf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks the objects inside an ASF Header Object (and its Header Extension) for {@link AsfHeader}:
 * File Properties, Stream Properties, Stream Bitrate Properties and Extended Stream Properties,
 * each bounded by its enclosing object, and resolves each stream's bit rate from what the header
 * says. Not thread-safe; one per parse.
 */
final class HeaderObjects {

    /** Every ASF object starts with a 16-byte GUID and an 8-byte size. */
    private static final int OBJECT_HEADER = 24;

    record FileProps(AsfGuid fileId, long fileSize, long packets, long playDuration,
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
        if (max < AsfHeader.MIN_PACKET_SIZE || max > AsfHeader.MAX_PACKET_SIZE) {
            throw AsfFormatException.of(r.object(), "Maximum Data Packet Size",
                    max + " outside [" + AsfHeader.MIN_PACKET_SIZE + ", " + AsfHeader.MAX_PACKET_SIZE + "]");
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
