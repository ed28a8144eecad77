package io.mmsedge.protocol.asf;

/**
 * One payload of an ASF data packet (or one sub-payload of a compressed payload). All
 * offsets are relative to the start of the packet.
 *
 * @param streamNumber          stream number, 1..127
 * @param keyFrame              the key-frame bit of the Stream Number byte
 * @param mediaObjectNumber     media object number (for sub-payloads of a compressed payload:
 *                              the payload's number plus the sub-payload's index, modulo the
 *                              field width)
 * @param offsetIntoMediaObject byte offset of this fragment in its media object (0 for
 *                              compressed sub-payloads, which are whole objects)
 * @param mediaObjectSize       size of the whole media object; -1 when the payload carries
 *                              no replicated data (size unknown)
 * @param presentationTimeMs    presentation time in ms (ASF time line, preroll included);
 *                              -1 when unknown (no replicated data)
 * @param compressed            part of a compressed payload (replicated data length 1)
 * @param payloadOffset         start of the enclosing payload's header (shared by all
 *                              sub-payloads of one compressed payload)
 * @param payloadEnd            end (exclusive) of the enclosing payload
 * @param dataOffset            start of this fragment's media data
 * @param dataLength            length of this fragment's media data
 */
public record AsfPayload(int streamNumber, boolean keyFrame, long mediaObjectNumber,
        long offsetIntoMediaObject, long mediaObjectSize, long presentationTimeMs, boolean compressed,
        int payloadOffset, int payloadEnd, int dataOffset, int dataLength) {

    /** True if this fragment starts a media object flagged as a key frame. */
    public boolean isKeyFrameStart() {
        return keyFrame && offsetIntoMediaObject == 0;
    }

    /** True when a payload of {@code stream} starts a key frame among {@code payloads} (a packet's). */
    public static boolean startsKeyFrame(java.util.List<AsfPayload> payloads, int stream) {
        for (int i = 0, n = payloads.size(); i < n; i++) {
            AsfPayload p = payloads.get(i);
            if (p.streamNumber == stream && p.isKeyFrameStart()) {
                return true;
            }
        }
        return false;
    }
}
