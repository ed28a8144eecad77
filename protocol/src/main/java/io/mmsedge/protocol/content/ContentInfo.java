package io.mmsedge.protocol.content;

import java.util.List;

/**
 * What a server session needs to know about one playlist entry to fill ReportOpenFile
 * (§2.2.4.7) / ReportStreamChange (§2.2.4.12) and to send the ASF file header.
 *
 * @param fileHeader     the MMS "ASF file header": Header Object + 50-byte Data Object start (§2.2.2)
 * @param packetSize     maximum ASF data packet size (filePacketSize)
 * @param packetCount    number of ASF data packets, 0 for broadcasts
 * @param bitRate        sum of the streams' maximum bit rates (fileBitRate)
 * @param durationSeconds play duration without preroll, 0 for broadcasts
 * @param prerollMs      ASF preroll; the server sends this far ahead of real time
 * @param attributes     fileAttributes flags (FILE_ATTRIBUTE_MMS_*)
 * @param streams        the streams of the entry
 */
public record ContentInfo(
        byte[] fileHeader,
        int packetSize,
        long packetCount,
        long bitRate,
        double durationSeconds,
        long prerollMs,
        int attributes,
        List<StreamInfo> streams) {

    public static final int ATTR_CANSTRIDE = 0x00800000;
    public static final int ATTR_CANSEEK = 0x01000000;
    public static final int ATTR_BROADCAST = 0x02000000;
    public static final int ATTR_LIVE = 0x04000000;
    public static final int ATTR_PLAYLIST = 0x40000000;

    public ContentInfo {
        fileHeader = fileHeader.clone();
        streams = List.copyOf(streams);
    }

    /** The header bytes. A copy: the record stays immutable. */
    @Override
    public byte[] fileHeader() {
        return fileHeader.clone();
    }

    /**
     * The entry an origin described: its MMS file header plus the ReportOpenFile figures
     * (§2.2.4.7). Streams and preroll come from the header.
     *
     * @throws io.mmsedge.protocol.asf.AsfFormatException if the header does not parse
     */
    public static ContentInfo fromHeader(byte[] header, int packetSize, long packetCount, long bitRate,
                                         double durationSeconds, int attributes) {
        io.mmsedge.protocol.asf.AsfHeader h = io.mmsedge.protocol.asf.AsfHeader.parse(header);
        List<StreamInfo> streams = new java.util.ArrayList<>();
        for (io.mmsedge.protocol.asf.AsfStream s : h.streams()) {
            streams.add(new StreamInfo(s.number(), s.type() == io.mmsedge.protocol.asf.AsfStreamType.VIDEO,
                    s.type() == io.mmsedge.protocol.asf.AsfStreamType.AUDIO, s.bitrate()));
        }
        return new ContentInfo(header, packetSize, packetCount, bitRate, durationSeconds, h.prerollMs(), attributes,
                streams);
    }

    public int fileHeaderSize() {
        return fileHeader.length;
    }

    public boolean broadcast() {
        return (attributes & ATTR_BROADCAST) != 0;
    }

    /**
     * The first video stream's number, or -1 for audio-only content: the stream whose key frames
     * seeking, striding and joining a broadcast go by.
     */
    public int firstVideoStream() {
        for (StreamInfo s : streams) {
            if (s.video()) {
                return s.number();
            }
        }
        return -1;
    }

    /** True when {@code stream} is one of the entry's video streams. */
    public boolean isVideo(int stream) {
        for (StreamInfo s : streams) {
            if (s.number() == stream) {
                return s.video();
            }
        }
        return false;
    }

    /**
     * The bit rate at which sending this entry takes no longer than playing it: {@link #bitRate}
     * (the origin's fileBitRate, which counts streams whose header gives no rate as 0), raised to
     * what the header says ({@link io.mmsedge.protocol.asf.AsfHeader#realTimeBitrate()}: stream
     * rates, File Properties maximum bit rate, data over duration) and to the packets reported
     * here over the duration reported here. 0 only when nothing says anything.
     */
    public long realTimeBitRate() {
        long rate = Math.max(bitRate, io.mmsedge.protocol.asf.AsfHeader.parse(fileHeader).realTimeBitrate());
        if (!broadcast()) {
            rate = Math.max(rate, io.mmsedge.protocol.asf.AsfHeader.dataRate(packetCount, packetSize,
                    durationSeconds));
        }
        return rate;
    }

    public boolean seekable() {
        return (attributes & ATTR_CANSEEK) != 0;
    }

    /** One stream of the entry, enough to apply StreamSwitch selection. */
    public record StreamInfo(int number, boolean video, boolean audio, long bitRate) {
    }
}
