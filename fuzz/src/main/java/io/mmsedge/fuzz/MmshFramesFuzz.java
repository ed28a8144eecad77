package io.mmsedge.fuzz;

import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrameDecoder;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * An MMSH response body as an origin sends it: {@code $H $D $E $C $M $P} packets (MS-WMSP §2.2.3),
 * decoded as the edge's MMSH upstream does. Properties: bad input ends in
 * {@link CorruptedFrameException} and nothing else; no frame's payload exceeds what its 16-bit
 * PacketLength allows; decoding consumes input (no endless loop on a zero-length frame).
 */
public final class MmshFramesFuzz {

    private MmshFramesFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("mmsh-frames", data, MmshFramesFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(MmshFramesFuzz::check);
    }

    public static void fuzzerTearDown() {
        Harness.finalLeakCheck("mmsh-frames");
    }

    static void check(byte[] data) {
        ByteBuf in = Unpooled.wrappedBuffer(data);
        try {
            MmshFrame f;
            int before = in.readerIndex();
            while ((f = MmshFrameDecoder.decodeOne(in, 0xFFFF)) != null) {
                try {
                    if (in.readerIndex() <= before) {
                        throw new AssertionError("a frame was decoded without consuming input");
                    }
                    before = in.readerIndex();
                    if (f.content().readableBytes() > MmshFrames.MAX_PAYLOAD + MmshFrames.DATA_HEADER_SIZE) {
                        throw new AssertionError("payload of " + f.content().readableBytes() + " bytes");
                    }
                } finally {
                    f.release();
                }
            }
        } catch (CorruptedFrameException expected) {
            // the upstream session fails with a log line naming the origin
        } finally {
            in.release();
        }
    }
}
