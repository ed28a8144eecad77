package io.mmsedge.cache;

import io.mmsedge.protocol.content.ContentInfo;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * What an item's metadata file records. Binary, big-endian, every field fixed-size except the
 * strings and the header, so rewriting it (complete flag, last access) never changes its size:
 *
 * <pre>
 * "MECI" u16 version
 * u8 flags (bit 0 complete, bit 1 protected content)   s64 lastAccessMillis   s64 accessSeq
 * str url
 * str fileId  s64 fileSize  s64 fingerprint packetCount  str headerSha256
 * u32 headerLength, header bytes
 * u32 packetSize  s64 packetCount  s64 bitRate  f64 durationSeconds  u32 attributes
 * u32 slotSize
 * u32 CRC32C of everything before it
 * </pre>
 * where {@code str} is a u32 byte count and UTF-8 bytes.
 */
record ItemMeta(String url, Fingerprint fingerprint, byte[] fileHeader, int packetSize, long packetCount,
        long bitRate, double durationSeconds, int attributes, boolean protectedContent, boolean complete,
        long lastAccessMillis, long accessSeq) {

    private static final int MAGIC = 0x4D454349; // "MECI"
    private static final int VERSION = 1;
    private static final int FLAG_COMPLETE = 1;
    private static final int FLAG_PROTECTED = 2;
    /** Bound on any string or header in a metadata file: the largest header a file may have. */
    private static final int MAX_FIELD = io.mmsedge.protocol.asf.AsfFile.MAX_HEADER_SIZE;

    static ItemMeta of(String url, ContentInfo info, Fingerprint fingerprint, boolean protectedContent,
            long lastAccessMillis, long accessSeq) {
        return new ItemMeta(url, fingerprint, info.fileHeader(), info.packetSize(), info.packetCount(), info.bitRate(),
                info.durationSeconds(), info.attributes(), protectedContent, false, lastAccessMillis, accessSeq);
    }

    ItemMeta withState(boolean complete, long lastAccessMillis, long accessSeq) {
        return new ItemMeta(url, fingerprint, fileHeader, packetSize, packetCount, bitRate, durationSeconds,
                attributes, protectedContent, complete, lastAccessMillis, accessSeq);
    }

    /** The header facts, rebuilt from the stored header and figures. */
    ContentInfo contentInfo() {
        return ContentInfo.fromHeader(fileHeader, packetSize, packetCount, bitRate, durationSeconds, attributes);
    }

    int slotSize() {
        return SlotFormat.slotSize(packetSize);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(fileHeader.length + 512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeByte((complete ? FLAG_COMPLETE : 0) | (protectedContent ? FLAG_PROTECTED : 0));
            out.writeLong(lastAccessMillis);
            out.writeLong(accessSeq);
            writeString(out, url);
            writeString(out, fingerprint.fileId());
            out.writeLong(fingerprint.fileSize());
            out.writeLong(fingerprint.packetCount());
            writeString(out, fingerprint.headerSha256());
            out.writeInt(fileHeader.length);
            out.write(fileHeader);
            out.writeInt(packetSize);
            out.writeLong(packetCount);
            out.writeLong(bitRate);
            out.writeDouble(durationSeconds);
            out.writeInt(attributes);
            out.writeInt(slotSize());
            out.flush();
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Parses a metadata file's bytes. */
    static ItemMeta decode(byte[] data) throws BadMetadataException {
        if (data.length < 8) {
            throw new BadMetadataException(data.length + " bytes, too short for cache metadata");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        try {
            if (b.getInt() != MAGIC) {
                throw new BadMetadataException("not a cache metadata file (bad magic)");
            }
            int version = Short.toUnsignedInt(b.getShort());
            if (version != VERSION) {
                throw new BadMetadataException("unsupported metadata version " + version);
            }
            CRC32C crc = new CRC32C();
            crc.update(data, 0, data.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(data).getInt(data.length - 4)) {
                throw new BadMetadataException("checksum mismatch (torn or corrupt metadata)");
            }
            int flags = b.get() & 0xFF;
            long lastAccess = b.getLong();
            long accessSeq = b.getLong();
            String url = readString(b, "url");
            String fileId = readString(b, "fileId");
            long fileSize = b.getLong();
            long fpPackets = b.getLong();
            String sha = readString(b, "headerSha256");
            byte[] header = readBytes(b, "header");
            int packetSize = b.getInt();
            long packetCount = b.getLong();
            long bitRate = b.getLong();
            double duration = b.getDouble();
            int attributes = b.getInt();
            int slotSize = b.getInt();
            if (b.remaining() != 4) {
                throw new BadMetadataException(b.remaining() - 4 + " unexpected trailing bytes");
            }
            if (packetSize < 1 || packetSize > io.mmsedge.protocol.asf.AsfHeader.MAX_PACKET_SIZE) {
                throw new BadMetadataException("packet size " + packetSize + " out of range");
            }
            if (packetCount < 1 || packetCount > CacheStore.MAX_PACKETS) {
                throw new BadMetadataException("packet count " + packetCount + " out of range");
            }
            if (slotSize != SlotFormat.slotSize(packetSize)) {
                throw new BadMetadataException("slot size " + slotSize + " does not match packet size " + packetSize);
            }
            return new ItemMeta(url, new Fingerprint(fileId, fileSize, fpPackets, sha), header, packetSize,
                    packetCount, bitRate, duration, attributes, (flags & FLAG_PROTECTED) != 0,
                    (flags & FLAG_COMPLETE) != 0, lastAccess, accessSeq);
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new BadMetadataException("cut short");
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(ByteBuffer b, String field) throws BadMetadataException {
        return new String(readBytes(b, field), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ByteBuffer b, String field) throws BadMetadataException {
        int length = b.getInt();
        if (length < 0 || length > MAX_FIELD || length > b.remaining()) {
            throw new BadMetadataException(field + " length " + Integer.toUnsignedString(length) + " out of range");
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }

    /** A metadata file that cannot be used; the message is the reason for the log. */
    static final class BadMetadataException extends Exception {
        private static final long serialVersionUID = 1L;

        BadMetadataException(String reason) {
            super(reason);
        }
    }
}
