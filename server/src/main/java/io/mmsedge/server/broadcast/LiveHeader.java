package io.mmsedge.server.broadcast;

import io.mmsedge.protocol.asf.AsfGuid;

/**
 * Turns a file's MMS header (Header Object + 50-byte Data Object start) into a live one, the way
 * a broadcast encoder writes it (ASF §3.2, §5.1): File Properties gets the Broadcast flag (and
 * loses Seekable), and the fields that are invalid for a broadcast (File Size, Data Packets
 * Count, Play and Send Duration) become 0; the Data Object gets Object Size 50 (its fixed part
 * only: no packets known) and Total Data Packets 0. The length never changes.
 *
 * <p>Why players need it: VLC 3's ASF demuxer takes any non-zero Data Object size for a local
 * file and stops at min(stream size, data end) — at once, since a live MMS stream has no size;
 * FFmpeg uses the Data Object size as the end of the stream unless the Broadcast flag is set. Either would end a live
 * stream after one file's worth of bytes.
 */
final class LiveHeader {

    private static final int FLAG_BROADCAST = 0x01;
    private static final int FLAG_SEEKABLE = 0x02;
    private static final int DATA_START = 50;

    private LiveHeader() {
    }

    static byte[] rewrite(byte[] header) {
        byte[] h = header.clone();
        if (h.length < 30 + DATA_START || !AsfGuid.read(h, 0).equals(AsfGuid.HEADER)) {
            return h; // not an ASF header we understand: sent as is
        }
        int end = h.length - DATA_START;
        int off = 30;
        while (off + 24 <= end) {
            long size = le64(h, off + 16);
            if (size < 24 || off + size > end) {
                break;
            }
            if (AsfGuid.read(h, off).equals(AsfGuid.FILE_PROPERTIES) && size >= 104) {
                putLe64(h, off + 40, 0); // File Size
                putLe64(h, off + 56, 0); // Data Packets Count
                putLe64(h, off + 64, 0); // Play Duration
                putLe64(h, off + 72, 0); // Send Duration
                int flags = (int) le32(h, off + 88);
                putLe32(h, off + 88, (flags | FLAG_BROADCAST) & ~FLAG_SEEKABLE);
            }
            off += (int) size;
        }
        if (AsfGuid.read(h, end).equals(AsfGuid.DATA)) {
            // Object Size 50: the Data Object's own fixed part, no packets known. VLC takes a size
            // <= 50 as live, but rejects any object smaller than its 24-byte common part ("not a
            // valid file"), so 0 would not do. FFmpeg ignores it once the Broadcast flag is set.
            putLe64(h, end + 16, DATA_START);
            putLe64(h, end + 40, 0);          // Total Data Packets
        }
        return h;
    }

    private static long le64(byte[] b, int off) {
        return le32(b, off) | le32(b, off + 4) << 32;
    }

    private static long le32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }

    private static void putLe64(byte[] b, int off, long v) {
        putLe32(b, off, (int) v);
        putLe32(b, off + 4, (int) (v >>> 32));
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
