package io.mmsedge.fuzz;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.codec.MmsDecodeFailure;
import io.mmsedge.protocol.mms.codec.MmsFrameDecoder;
import io.mmsedge.protocol.mms.codec.MmsMessageCodec;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;

/**
 * An MMS TCP byte stream (MS-MMSP §2.2) as a peer sends it, cut in two reads at a point the
 * input chooses: the frame decoder, then the message codec of both directions. Properties:
 * <ul>
 *   <li>the decoder never throws and never yields a Data packet larger than 65535 bytes;</li>
 *   <li>every decoded message re-encodes, and decoding that encoding gives the same bytes again
 *       (encode(decode(encode(m))) == encode(m)): what we relay upstream is what we understood;</li>
 *   <li>no buffer leaks and no allocation out of proportion to the input (see {@link Harness}).</li>
 * </ul>
 */
public final class MmsStreamFuzz {

    private MmsStreamFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("mms-stream", data, MmsStreamFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(MmsStreamFuzz::check);
    }

    public static void fuzzerTearDown() {
        Harness.finalLeakCheck("mms-stream");
    }

    static void check(byte[] data) {
        EmbeddedChannel ch = new EmbeddedChannel(new MmsFrameDecoder());
        try {
            int cut = data.length == 0 ? 0 : (data[0] & 0xFF) * data.length / 256;
            ch.writeInbound(Unpooled.wrappedBuffer(data, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(data, cut, data.length - cut));
            Object o;
            while ((o = ch.readInbound()) != null) {
                try {
                    checkDecoded(o);
                } finally {
                    ReferenceCountUtil.release(o);
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static void checkDecoded(Object o) {
        if (o instanceof MmsCommand c) {
            roundTrip(c.message());
        } else if (o instanceof DataPacket p) {
            if (p.content().readableBytes() > DataPacket.MAX_PACKET_SIZE) {
                throw new AssertionError("Data packet payload of " + p.content().readableBytes() + " bytes");
            }
        } else if (!(o instanceof MmsDecodeFailure)) {
            throw new AssertionError("unexpected decoder output " + o.getClass());
        }
    }

    static void roundTrip(MmsMessage m) {
        byte[] first = encode(m);
        ByteBuf again = Unpooled.wrappedBuffer(first);
        MmsMessage m2 = MmsMessageCodec.decode(again);
        byte[] second = encode(m2);
        if (!Arrays.equals(first, second)) {
            throw new AssertionError(m.type() + " does not round-trip: " + m + " -> " + m2);
        }
    }

    private static byte[] encode(MmsMessage m) {
        ByteBuf out = Unpooled.buffer();
        try {
            MmsMessageCodec.encode(m, out);
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            return b;
        } finally {
            out.release();
        }
    }
}
