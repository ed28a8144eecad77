package io.mmsedge.fuzz;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.asf.AsfPayload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * An ASF data packet as an origin sends it. Input: the packet size (u16, big-endian) and the
 * packet. Properties: only {@link AsfFormatException} for bad input; every payload lies inside
 * the packet; padding removal and stream thinning (what the server does to packets it relays)
 * give packets no longer than the original that parse again.
 */
public final class AsfPacketFuzz {

    private AsfPacketFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("asf-packet", data, AsfPacketFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(AsfPacketFuzz::check);
    }

    public static void fuzzerTearDown() {
        Harness.finalLeakCheck("asf-packet");
    }

    static void check(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int packetSize = Math.max(1, ((data[0] & 0xFF) << 8) | (data[1] & 0xFF));
        ByteBuf packet = Unpooled.wrappedBuffer(data, 2, data.length - 2);
        AsfPacket p;
        try {
            p = AsfPacket.parse(packet, packetSize);
        } catch (AsfFormatException e) {
            return;
        }
        int limit = Math.min(packet.readableBytes(), packetSize);
        for (AsfPayload pl : p.payloads()) {
            if (pl.dataOffset() < 0 || pl.dataLength() < 0 || pl.dataOffset() + pl.dataLength() > limit
                    || pl.payloadEnd() > limit) {
                throw new AssertionError("payload outside the " + limit + "-byte packet: " + pl);
            }
        }
        reparse("stripPadding", AsfPackets.stripPadding(packet, packetSize, UnpooledByteBufAllocator.DEFAULT),
                packetSize);
        int drop = p.payloads().isEmpty() ? -1 : p.payloads().get(0).streamNumber();
        reparse("filter", AsfPackets.filter(packet, packetSize, pl -> pl.streamNumber() != drop,
                UnpooledByteBufAllocator.DEFAULT), packetSize);
        AsfPackets.containsKeyFrameStart(packet, packetSize, Math.max(drop, 1));
    }

    private static void reparse(String what, ByteBuf out, int packetSize) {
        if (out == null) {
            return; // filter: no payload kept, the packet is not sent
        }
        try {
            if (out.readableBytes() > packetSize) {
                throw new AssertionError(what + " grew the packet to " + out.readableBytes() + " > " + packetSize);
            }
            AsfPacket.parse(out, packetSize);
        } catch (AsfFormatException e) {
            throw new AssertionError(what + " produced a packet that does not parse: " + e.getMessage(), e);
        } finally {
            out.release();
        }
    }
}
