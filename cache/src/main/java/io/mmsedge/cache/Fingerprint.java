package io.mmsedge.cache;

import io.mmsedge.protocol.asf.AsfHeader;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a cached item was filled from: the origin serves the same content only while all four
 * agree. Compared on every freshness check (Connect, Funnel, OpenFile, ReadBlock, CloseFile).
 *
 * @param fileId       ASF File ID of the File Properties Object (GUID text)
 * @param fileSize     File Properties file size
 * @param packetCount  data packets (ReportOpenFile filePacketCount)
 * @param headerSha256 SHA-256 of the MMS file header bytes (Header Object + Data Object start), hex
 */
public record Fingerprint(String fileId, long fileSize, long packetCount, String headerSha256) {

    /**
     * The fingerprint of a header as an origin sent it. The hash covers exactly the MMS file
     * header (Header Object + 50-byte Data Object start); bytes after it are not part of it.
     *
     * @throws io.mmsedge.protocol.asf.AsfFormatException if the header does not parse
     */
    public static Fingerprint of(byte[] fileHeader, long packetCount) {
        Objects.requireNonNull(fileHeader, "fileHeader");
        AsfHeader h = AsfHeader.parse(fileHeader);
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(h.fileHeader());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
        return new Fingerprint(h.fileId(), h.fileSize(), packetCount, HexFormat.of().formatHex(digest));
    }
}
