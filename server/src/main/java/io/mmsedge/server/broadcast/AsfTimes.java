package io.mmsedge.server.broadcast;

import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPayload;
import io.netty.buffer.ByteBuf;

/**
 * Moves an ASF data packet along the time line, in place: its Send Time and every payload's
 * Presentation Time get {@code offsetMs} added (modulo 2^32, the fields' width).
 *
 * <p>Why: a looped file restarts at time 0, and players (FFmpeg, VLC) take backwards time
 * stamps for a broken stream. A live source therefore shifts each loop (and each playlist entry)
 * after the previous one. It is done once per packet, in the buffer that every player then
 * shares, before the packet is published — never per player.
 */
public final class AsfTimes {

    private AsfTimes() {
    }

    /** Rewrites {@code packet} (at its reader index) in place. */
    public static void shift(ByteBuf packet, AsfPacket parsed, long offsetMs) {
        if (offsetMs == 0) {
            return;
        }
        int base = packet.readerIndex();
        int sendTimeAt = base + parsed.sendTimeOffset();
        packet.setIntLE(sendTimeAt, (int) (packet.getUnsignedIntLE(sendTimeAt) + offsetMs));

        int pf = parsed.propertyFlags();
        int replicatedWidth = width(pf);
        int offsetWidth = width(pf >> 2);
        int objectNumberWidth = width(pf >> 4);
        int lastPayload = -1;
        for (AsfPayload p : parsed.payloads()) {
            if (p.payloadOffset() == lastPayload) {
                continue; // sub-payloads of one compressed payload share its presentation time field
            }
            lastPayload = p.payloadOffset();
            int at = base + p.payloadOffset() + 1 + objectNumberWidth;
            if (p.compressed()) {
                // The Offset Into Media Object field holds the presentation time.
                if (offsetWidth == 4) {
                    packet.setIntLE(at, (int) (packet.getUnsignedIntLE(at) + offsetMs));
                }
            } else if (p.presentationTimeMs() >= 0) {
                // Replicated data: Media Object Size (4), Presentation Time (4), ...
                int pt = at + offsetWidth + replicatedWidth + 4;
                packet.setIntLE(pt, (int) (packet.getUnsignedIntLE(pt) + offsetMs));
            }
        }
    }

    private static int width(int type) {
        return switch (type & 3) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 2;
            default -> 4;
        };
    }
}
