package io.mmsedge.server.play;

import io.mmsedge.protocol.asf.AsfGuid;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.Media;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Consecutive server-side playlist entries with the same streams and packet size, sent as one
 * stream: one header whose File Properties and Data Object count every joined entry, then each
 * entry's packets in turn, their times shifted after the previous entries' (ASF §3.2, §3.1).
 *
 * <p>Why: FFmpeg, VLC and MPlayer do not follow a stream change (MS-MMSP §3.2.4.2, [MS-WMSP]
 * §2.2.3.2). FFmpeg's MMST and VLC's MMS/TCP clients take any command mid-stream (EndOfStream
 * hr 1, ReportStreamChange) for the end or an error; FFmpeg's MMSH client ends at {@code $E};
 * VLC says "reinitialization needed --> unsupported"; MPlayer stops at the end of the first
 * entry. With a joined stream there is no change to follow: they play every joined entry, as
 * one file whose duration is the sum. Entries whose streams differ still change with a stream
 * change (the demuxers would have to start again, which none of them does). Seeking is not
 * offered in a joined stream (Seekable cleared): a position maps to one entry only.
 */
final class JoinedEntries {

    /** At most this many entries are joined (each is opened once to read its header). */
    static final int MAX_ENTRIES = 64;

    private static final int DATA_START = 50;
    private static final int FLAG_SEEKABLE = 0x02;

    private final ContentInfo joined;
    private final long[] shiftMs;
    private final long[] firstPacket;

    private JoinedEntries(ContentInfo joined, long[] shiftMs, long[] firstPacket) {
        this.joined = joined;
        this.shiftMs = shiftMs;
        this.firstPacket = firstPacket;
    }

    /**
     * The run of entries from {@code media}'s current one that can be joined with it, or null
     * when there is no such run (a single entry, a broadcast, media that can't look ahead).
     */
    static JoinedEntries plan(Media media) {
        ContentInfo first = media.info();
        if (first.broadcast() || !media.hasNextEntry()) {
            return null;
        }
        List<ContentInfo> run = new ArrayList<>();
        run.add(first);
        while (run.size() < MAX_ENTRIES) {
            ContentInfo next = media.upcomingEntry(run.size());
            if (next == null || !compatible(first, next)) {
                break;
            }
            run.add(next);
        }
        return run.size() < 2 ? null : of(run);
    }

    static JoinedEntries of(List<ContentInfo> run) {
        ContentInfo first = run.get(0);
        long[] shift = new long[run.size()];
        long[] packet = new long[run.size()];
        long packets = 0;
        long ms = 0;
        long sendDuration100ns = 0;
        for (int i = 0; i < run.size(); i++) {
            shift[i] = ms;
            packet[i] = packets;
            ContentInfo e = run.get(i);
            packets += e.packetCount();
            ms += Math.round(e.durationSeconds() * 1000);
            sendDuration100ns += fileProperty(e.fileHeader(), 72);
        }
        byte[] header = joinedHeader(first.fileHeader(), first.packetSize(), packets,
                (ms + first.prerollMs()) * 10_000, sendDuration100ns);
        int attributes = first.attributes() & ~ContentInfo.ATTR_CANSEEK & ~ContentInfo.ATTR_CANSTRIDE;
        ContentInfo joined = new ContentInfo(header, first.packetSize(), packets, first.bitRate(), ms / 1000.0,
                first.prerollMs(), attributes, first.streams());
        return new JoinedEntries(joined, shift, packet);
    }

    /** Same packet size and byte-identical Stream Properties Objects (codecs, stream numbers). */
    static boolean compatible(ContentInfo a, ContentInfo b) {
        if (b.broadcast() || a.packetSize() != b.packetSize() || a.packetSize() <= 0) {
            return false;
        }
        List<byte[]> sa = streamProperties(a.fileHeader());
        List<byte[]> sb = streamProperties(b.fileHeader());
        if (sa.isEmpty() || sa.size() != sb.size()) {
            return false;
        }
        for (int i = 0; i < sa.size(); i++) {
            if (!Arrays.equals(sa.get(i), sb.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The header to send: the first entry's, counting every joined entry. */
    ContentInfo info() {
        return joined;
    }

    int entries() {
        return shiftMs.length;
    }

    /** How far entry {@code i}'s send and presentation times move (ms). */
    long shiftMs(int i) {
        return shiftMs[i];
    }

    /** The LocationId entry {@code i}'s first packet gets. */
    long firstPacket(int i) {
        return firstPacket[i];
    }

    // ------------------------------------------------------------------ the header's objects

    private static List<byte[]> streamProperties(byte[] h) {
        List<byte[]> out = new ArrayList<>();
        forEachObject(h, (guid, off, size) -> {
            if (guid.equals(AsfGuid.STREAM_PROPERTIES)) {
                out.add(Arrays.copyOfRange(h, off, off + size));
            }
        });
        return out;
    }

    /** A File Properties field (8 bytes at {@code field} from the object's start), 0 if absent. */
    private static long fileProperty(byte[] h, int field) {
        long[] v = {0};
        forEachObject(h, (guid, off, size) -> {
            if (guid.equals(AsfGuid.FILE_PROPERTIES) && size >= 104) {
                v[0] = le64(h, off + field);
            }
        });
        return v[0];
    }

    private static byte[] joinedHeader(byte[] header, int packetSize, long packets, long play100ns,
                                       long send100ns) {
        byte[] h = header.clone();
        long dataSize = DATA_START + packets * packetSize;
        forEachObject(h, (guid, off, size) -> {
            if (guid.equals(AsfGuid.FILE_PROPERTIES) && size >= 104) {
                putLe64(h, off + 40, h.length + packets * packetSize); // File Size (no index)
                putLe64(h, off + 56, packets);                         // Data Packets Count
                putLe64(h, off + 64, play100ns);                       // Play Duration
                putLe64(h, off + 72, send100ns);                       // Send Duration
                ByteBuffer flags = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
                flags.putInt(off + 88, flags.getInt(off + 88) & ~FLAG_SEEKABLE);
            }
        });
        int end = h.length - DATA_START;
        if (end >= 30 && AsfGuid.read(h, end).equals(AsfGuid.DATA)) {
            putLe64(h, end + 16, dataSize); // Object Size
            putLe64(h, end + 40, packets);  // Total Data Packets
        }
        return h;
    }

    private interface ObjectVisitor {
        void visit(AsfGuid guid, int offset, int size);
    }

    /** The Header Object's top-level objects, each bounded by the header (ASF §3.1). */
    private static void forEachObject(byte[] h, ObjectVisitor v) {
        if (h.length < 30 + DATA_START || !AsfGuid.read(h, 0).equals(AsfGuid.HEADER)) {
            return;
        }
        int end = h.length - DATA_START;
        int off = 30;
        while (off + 24 <= end) {
            long size = le64(h, off + 16);
            if (size < 24 || off + size > end) {
                return;
            }
            v.visit(AsfGuid.read(h, off), off, (int) size);
            off += (int) size;
        }
    }

    private static long le64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    private static void putLe64(byte[] b, int off, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(off, v);
    }
}
