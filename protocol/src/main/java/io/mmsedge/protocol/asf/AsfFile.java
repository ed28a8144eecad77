package io.mmsedge.protocol.asf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only ASF file: validated header, data packets read by number, optional Simple Index.
 * All reads are positional, so one instance may be shared by many threads.
 */
public final class AsfFile implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(AsfFile.class);

    /** Largest accepted Header Object. */
    public static final int MAX_HEADER_SIZE = 16 << 20;
    /** Largest Simple Index Object read. */
    public static final int MAX_INDEX_SIZE = 64 << 20;
    /** Packets examined backwards from a seek target when looking for a key frame. */
    public static final int MAX_KEY_FRAME_STEP_BACK = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final long fileLength;
    private final AsfHeader header;
    private final long firstPacketOffset;
    private final long packetCount;
    private final AsfIndex index;
    private final int defaultVideoStream;

    private AsfFile(Path path, FileChannel channel, long fileLength, AsfHeader header, long firstPacketOffset,
            long packetCount, AsfIndex index) {
        this.path = path;
        this.channel = channel;
        this.fileLength = fileLength;
        this.header = header;
        this.firstPacketOffset = firstPacketOffset;
        this.packetCount = packetCount;
        this.index = index;
        int video = -1;
        for (AsfStream s : header.streams()) {
            if (s.type() == AsfStreamType.VIDEO) {
                video = s.number();
                break;
            }
        }
        this.defaultVideoStream = video;
    }

    /**
     * Opens and validates {@code file}.
     *
     * @throws AsfFormatException if it is not a valid ASF file
     * @throws IOException on I/O failure
     */
    public static AsfFile open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            AsfFile f = open(file, ch);
            ch = null;
            return f;
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }

    private static AsfFile open(Path file, FileChannel ch) throws IOException {
        long length = ch.size();
        int minimum = AsfHeader.HEADER_OBJECT_MIN_SIZE + AsfHeader.DATA_OBJECT_HEADER_SIZE;
        if (length < minimum) {
            throw new AsfFormatException(file + ": " + length + " bytes, too short for an ASF file (at least "
                    + minimum + " bytes)");
        }
        byte[] start = new byte[24];
        readFully(ch, ByteBuffer.wrap(start), 0);
        if (!AsfGuid.HEADER.matches(start, 0)) {
            throw AsfFormatException.of("Header Object", "Object ID",
                    "file does not start with the ASF Header Object GUID; not an ASF file");
        }
        long headerSize = new ByteReader(start, 16, 24, "Header Object").u64("Object Size");
        if (headerSize < AsfHeader.HEADER_OBJECT_MIN_SIZE || headerSize > MAX_HEADER_SIZE
                || headerSize > length - AsfHeader.DATA_OBJECT_HEADER_SIZE) {
            throw AsfFormatException.of("Header Object", "Object Size", headerSize + " outside ["
                    + AsfHeader.HEADER_OBJECT_MIN_SIZE + ", " + Math.min(MAX_HEADER_SIZE,
                            length - AsfHeader.DATA_OBJECT_HEADER_SIZE) + "] for a file of " + length + " bytes");
        }
        byte[] fileHeader = new byte[(int) headerSize + AsfHeader.DATA_OBJECT_HEADER_SIZE];
        readFully(ch, ByteBuffer.wrap(fileHeader), 0);
        AsfHeader header = AsfHeader.parse(fileHeader);

        long firstPacket = header.fileHeaderSize();
        long dataEnd = length;
        boolean dataComplete = false;
        if (header.dataObjectSize() > 0) {
            long declaredEnd = headerSize + header.dataObjectSize();
            if (declaredEnd <= length) {
                dataEnd = declaredEnd;
                dataComplete = true;
            } else {
                LOG.warn("{}: Data Object claims {} bytes but the file ends {} bytes early; serving what is present",
                        file, header.dataObjectSize(), declaredEnd - length);
            }
        }
        long packetSize = header.maxDataPacketSize();
        long present = (dataEnd - firstPacket) / packetSize;
        long declared = header.dataPacketsCount();
        if (declared == 0 || header.broadcast()) {
            declared = header.dataObjectPacketCount();
        }
        long count = declared > 0 && !header.broadcast() ? Math.min(declared, present) : present;
        if (declared > 0 && declared != present) {
            LOG.debug("{}: header declares {} packets, file holds {}", file, declared, present);
        }
        AsfIndex index = dataComplete ? readSimpleIndex(file, ch, dataEnd, length) : null;
        return new AsfFile(file, ch, length, header, firstPacket, count, index);
    }

    /** Walks the top-level objects after the Data Object; returns the first Simple Index. */
    private static AsfIndex readSimpleIndex(Path file, FileChannel ch, long position, long length) throws IOException {
        byte[] objectHeader = new byte[24];
        for (int objects = 0; objects < 64 && length - position >= 24; objects++) {
            readFully(ch, ByteBuffer.wrap(objectHeader), position);
            AsfGuid guid = AsfGuid.read(objectHeader, 0);
            long size;
            try {
                size = new ByteReader(objectHeader, 16, 24, "top-level object").u64("Object Size");
            } catch (AsfFormatException e) {
                LOG.warn("{}: ignoring trailing data after the Data Object: {}", file, e.getMessage());
                return null;
            }
            if (size < 24 || size > length - position) {
                LOG.warn("{}: ignoring trailing object {} at {} with invalid size {}", file, guid, position, size);
                return null;
            }
            if (AsfGuid.SIMPLE_INDEX.equals(guid)) {
                if (size > MAX_INDEX_SIZE) {
                    LOG.warn("{}: ignoring Simple Index Object of {} bytes (limit {})", file, size, MAX_INDEX_SIZE);
                    return null;
                }
                ByteBuf buf = Unpooled.buffer((int) size);
                try {
                    readFully(ch, buf.internalNioBuffer(0, (int) size), position);
                    buf.writerIndex((int) size);
                    return AsfIndex.parse(buf);
                } catch (AsfFormatException e) {
                    LOG.warn("{}: ignoring invalid Simple Index Object: {}", file, e.getMessage());
                    return null;
                } finally {
                    buf.release();
                }
            }
            position += size;
        }
        return null;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, p);
            if (n < 0) {
                throw new EOFException("unexpected end of file at offset " + p);
            }
            p += n;
        }
    }

    public Path path() {
        return path;
    }

    public AsfHeader header() {
        return header;
    }

    public long fileLength() {
        return fileLength;
    }

    /** Offset of data packet 0 in the file (= Header Object size + 50). */
    public long firstPacketOffset() {
        return firstPacketOffset;
    }

    /** Packets actually readable: the header's count, limited to what the file holds. */
    public long packetCount() {
        return packetCount;
    }

    public int packetSize() {
        return header.maxDataPacketSize();
    }

    /** The Simple Index, or null if the file has none (or an invalid one). */
    public AsfIndex index() {
        return index;
    }

    /**
     * Reads data packet {@code n} (raw, {@link #packetSize()} bytes). The caller releases it.
     *
     * @throws IllegalArgumentException if {@code n} is outside [0, packetCount)
     */
    public ByteBuf readPacket(long n, ByteBufAllocator alloc) throws IOException {
        Objects.requireNonNull(alloc, "alloc");
        if (n < 0 || n >= packetCount) {
            throw new IllegalArgumentException("packet " + n + " outside [0, " + packetCount + ")");
        }
        int size = packetSize();
        ByteBuf buf = alloc.buffer(size, size);
        try {
            long position = firstPacketOffset + n * size;
            while (buf.isWritable()) {
                int r = buf.writeBytes(channel, position + buf.writerIndex(), buf.writableBytes());
                if (r < 0) {
                    throw new EOFException(path + ": end of file inside packet " + n);
                }
            }
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /**
     * Packet to start playback from for content time {@code ms} (0 = start of content, i.e.
     * ASF presentation time minus preroll, the time base FFmpeg reports): the packet holding
     * the start of the first video stream's key frame at or before that time.
     *
     * <p>The candidate comes from the Simple Index when present (its entries are on the
     * presentation time line, so {@code ms + preroll} is looked up, as FFmpeg does; we take
     * the following entry so the step back can find the latest key frame), else from
     * a binary search for the last packet whose send time is at or before {@code ms} (send
     * times run about one preroll ahead of presentation times). From the candidate we step
     * back to a packet holding a key-frame start with presentation time at or before
     * {@code ms + preroll}; before the first key frame, the packet of the first key frame.
     * Audio-only files: the candidate itself.
     */
    public long packetForTime(long ms) throws IOException {
        return packetForTime(ms, defaultVideoStream);
    }

    /** As {@link #packetForTime(long)} with the key frame taken from {@code videoStream} (-1: none). */
    public long packetForTime(long ms, int videoStream) throws IOException {
        return packetForTime(ms, videoStream, true);
    }

    long packetForTime(long ms, int videoStream, boolean useIndex) throws IOException {
        if (packetCount == 0) {
            return 0;
        }
        long content = Math.max(0, ms);
        long target = content > Long.MAX_VALUE - header.prerollMs() ? Long.MAX_VALUE : content + header.prerollMs();
        long candidate;
        if (useIndex && index != null && index.entryCount() > 0) {
            // Entry floor(t / interval) names a key frame at or before the entry time, which may
            // be up to one interval older than needed; the next entry's packet is never before
            // the best key frame, and the step back below finds it.
            long intervalMs = Math.max(1, (index.entryTimeIntervalHns() + 9_999) / 10_000);
            long next = target > Long.MAX_VALUE - intervalMs ? Long.MAX_VALUE : target + intervalMs;
            candidate = Math.min(index.packetForTime(next), packetCount - 1);
        } else {
            candidate = lastPacketSentAtOrBefore(content);
        }
        if (videoStream < 0) {
            return candidate;
        }
        long limit = Math.max(0, candidate - MAX_KEY_FRAME_STEP_BACK);
        for (long n = candidate; n >= limit; n--) {
            if (hasKeyFrameAtOrBefore(n, videoStream, target)) {
                return n;
            }
        }
        if (limit == 0) {
            // Target before the first key frame: start at the first one.
            long max = Math.min(packetCount, MAX_KEY_FRAME_STEP_BACK);
            for (long n = 0; n < max; n++) {
                if (hasKeyFrameAtOrBefore(n, videoStream, Long.MAX_VALUE)) {
                    return n;
                }
            }
        }
        return candidate;
    }

    private long lastPacketSentAtOrBefore(long sendTimeMs) throws IOException {
        long lo = 0;
        long hi = packetCount - 1;
        long found = 0;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            long t = sendTime(mid);
            if (t <= sendTimeMs) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Send time of packet n; -1 (sorts before everything) if the packet does not parse. */
    private long sendTime(long n) throws IOException {
        ByteBuf buf = readPacket(n, ByteBufAllocator.DEFAULT);
        try {
            return AsfPacket.parse(buf, packetSize()).sendTimeMs();
        } catch (AsfFormatException e) {
            return -1;
        } finally {
            buf.release();
        }
    }

    private boolean hasKeyFrameAtOrBefore(long n, int stream, long targetMs) throws IOException {
        ByteBuf buf = readPacket(n, ByteBufAllocator.DEFAULT);
        try {
            for (AsfPayload p : AsfPacket.parse(buf, packetSize()).payloads()) {
                if (p.streamNumber() == stream && p.isKeyFrameStart() && p.presentationTimeMs() <= targetMs) {
                    return true;
                }
            }
            return false;
        } catch (AsfFormatException e) {
            return false;
        } finally {
            buf.release();
        }
    }

    /**
     * Average bit rate of each stream measured from the data: payload bytes of the stream over
     * all packets, times 8, divided by {@link AsfHeader#durationSeconds()} (or the send-time
     * span when the duration is unknown). Reads the whole data object; meant for inspection
     * tools and for files whose header lacks per-stream rates (FFmpeg writes none for video).
     * Unparsable packets are skipped.
     */
    public java.util.Map<Integer, Long> measureStreamBitrates() throws IOException {
        java.util.Map<Integer, Long> bytes = new java.util.TreeMap<>();
        long firstSend = -1;
        long lastSend = -1;
        for (long n = 0; n < packetCount; n++) {
            ByteBuf buf = readPacket(n, ByteBufAllocator.DEFAULT);
            try {
                AsfPacket p = AsfPacket.parse(buf, packetSize());
                if (firstSend < 0) {
                    firstSend = p.sendTimeMs();
                }
                lastSend = Math.max(lastSend, p.sendTimeMs() + p.durationMs());
                for (AsfPayload pl : p.payloads()) {
                    bytes.merge(pl.streamNumber(), (long) pl.dataLength(), Long::sum);
                }
            } catch (AsfFormatException e) {
                LOG.debug("{}: packet {} skipped while measuring bit rates: {}", path, n, e.getMessage());
            } finally {
                buf.release();
            }
        }
        double seconds = header.durationSeconds();
        if (seconds <= 0 && lastSend > firstSend) {
            seconds = (lastSend - firstSend) / 1000.0;
        }
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        for (var e : bytes.entrySet()) {
            out.put(e.getKey(), seconds > 0 ? Math.round(e.getValue() * 8 / seconds) : 0L);
        }
        return out;
    }

    /**
     * Packet containing byte {@code asfOffset} of the file: 0 for offsets inside the header,
     * {@link #packetCount()} for offsets at or past the end of the packets.
     */
    public long packetForByteOffset(long asfOffset) {
        if (asfOffset < firstPacketOffset) {
            return 0;
        }
        return Math.min(packetCount, (asfOffset - firstPacketOffset) / packetSize());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "AsfFile[" + path + ", packets=" + packetCount + ", packetSize=" + packetSize()
                + ", index=" + (index != null) + "]";
    }
}
