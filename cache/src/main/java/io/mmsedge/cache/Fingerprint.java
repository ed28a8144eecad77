package io.mmsedge.cache;

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

    /** The fingerprint of a header as an origin sent it. */
    public static Fingerprint of(byte[] fileHeader, long packetCount) {
        throw new UnsupportedOperationException("implemented by the cache store work");
    }
}
