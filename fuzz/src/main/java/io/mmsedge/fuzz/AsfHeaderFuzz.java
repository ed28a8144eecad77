package io.mmsedge.fuzz;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.content.ContentInfo;

/**
 * An ASF file header as an origin sends it (the $H / header ReadBlock bytes): the Header Object
 * parser and what front ends derive from it. Properties: only {@link AsfFormatException} for bad
 * input; a parsed header keeps its sizes and packet sizes within the bounds the rest of the
 * server relies on; the derived {@link ContentInfo} does not throw.
 */
public final class AsfHeaderFuzz {

    private AsfHeaderFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("asf-header", data, AsfHeaderFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(AsfHeaderFuzz::check);
    }

    static void check(byte[] data) {
        AsfHeader h;
        try {
            h = AsfHeader.parse(data);
        } catch (AsfFormatException e) {
            return;
        }
        if (h.fileHeaderSize() > data.length || h.fileHeaderSize() < AsfHeader.HEADER_OBJECT_MIN_SIZE) {
            throw new AssertionError("file header size " + h.fileHeaderSize() + " for " + data.length + " bytes");
        }
        if (h.maxDataPacketSize() < AsfHeader.MIN_PACKET_SIZE || h.maxDataPacketSize() > AsfHeader.MAX_PACKET_SIZE) {
            throw new AssertionError("packet size " + h.maxDataPacketSize() + " outside the accepted bounds");
        }
        for (AsfStream s : h.streams()) {
            if (s.number() < 1 || s.number() > 127 || s.bitrate() < 0) {
                throw new AssertionError("stream " + s);
            }
        }
        h.totalBitrate();
        h.durationSeconds();
        h.toString();
        ContentInfo.fromHeader(data, h.maxDataPacketSize(), h.dataPacketsCount(), h.totalBitrate(),
                h.durationSeconds(), 0).firstVideoStream();
    }
}
