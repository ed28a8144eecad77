package io.mmsedge.protocol.mms.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.RequestPacketListResend;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Robustness: random and mutated inputs never produce anything but typed failures, never make the
 * frame decoder buffer more than one maximal frame, and never leak (checked by the testkit leak
 * extension at paranoid level). Fixed seeds, printed, so any failure reproduces.
 */
class FuzzTest {

    static final long SEED = Long.getLong("mmsedge.fuzzSeed", 0x4D4D53_2025L);
    static final int CODEC_CASES = Integer.getInteger("mmsedge.fuzzCodecCases", 120_000);
    static final int FRAME_CASES = Integer.getInteger("mmsedge.fuzzFrameCases", 100_000);
    static final int[] EDGE = {0, 1, 2, 7, 8, 0x10, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
        0x7FFFFFF0, 0xFFFFFFF8};

    static final List<byte[]> FRAMES = new ArrayList<>();

    @BeforeAll
    static void corpus() {
        System.out.println("FuzzTest seed=0x" + Long.toHexString(SEED) + " (override with -Dmmsedge.fuzzSeed)");
        for (String p : Captures.PLAYERS) {
            FRAMES.addAll(Captures.frames(Captures.toServer(p)));
        }
        int seq = 0;
        for (MmsMessage m : Samples.all()) {
            ByteBuf f = MmsFrameEncoder.encodeFrame(UnpooledByteBufAllocator.DEFAULT, seq++, 0, m);
            FRAMES.add(ByteBufUtil.getBytes(f));
            f.release();
        }
    }

    static byte[] mutate(byte[] src, Random rnd, boolean frame) {
        byte[] b = src.clone();
        int ops = 1 + rnd.nextInt(4);
        for (int op = 0; op < ops; op++) {
            if (b.length == 0) {
                b = new byte[rnd.nextInt(64)];
                rnd.nextBytes(b);
                continue;
            }
            switch (rnd.nextInt(8)) {
                case 0 -> { // bit flips
                    for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                        int p = rnd.nextInt(b.length);
                        b[p] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncate
                case 2 -> { // length-ish field at an aligned offset set to an edge or near-length value
                    int p = (rnd.nextInt(Math.max(1, b.length / 4))) * 4;
                    if (p + 4 <= b.length) {
                        int v = rnd.nextBoolean() ? EDGE[rnd.nextInt(EDGE.length)] : b.length + (rnd.nextInt(33) - 16);
                        Unpooled.wrappedBuffer(b).setIntLE(p, v);
                    }
                }
                case 3 -> { // the framing fields themselves
                    int[] offs = frame ? new int[] {8, 16, 32, 40, 44, 48} : new int[] {0, 8, 12, 16, 20};
                    int p = offs[rnd.nextInt(offs.length)];
                    if (p + 4 <= b.length) {
                        Unpooled.wrappedBuffer(b).setIntLE(p, rnd.nextBoolean() ? EDGE[rnd.nextInt(EDGE.length)] : rnd.nextInt());
                    }
                }
                case 4 -> { // random bytes over a range
                    int p = rnd.nextInt(b.length);
                    int n = Math.min(b.length - p, 1 + rnd.nextInt(16));
                    for (int i = 0; i < n; i++) {
                        b[p + i] = (byte) rnd.nextInt();
                    }
                }
                case 5 -> { // insert bytes
                    int p = rnd.nextInt(b.length + 1);
                    byte[] ins = new byte[1 + rnd.nextInt(24)];
                    rnd.nextBytes(ins);
                    byte[] n = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, n, 0, p);
                    System.arraycopy(ins, 0, n, p, ins.length);
                    System.arraycopy(b, p, n, p + ins.length, b.length - p);
                    b = n;
                }
                case 6 -> { // delete bytes
                    int p = rnd.nextInt(b.length);
                    int n = Math.min(b.length - p, 1 + rnd.nextInt(24));
                    byte[] r = new byte[b.length - n];
                    System.arraycopy(b, 0, r, 0, p);
                    System.arraycopy(b, p + n, r, p, b.length - p - n);
                    b = r;
                }
                default -> { // entirely random
                    b = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(b);
                }
            }
        }
        return b;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void messageCodecOnlyThrowsTypedFailures() {
        Random rnd = new Random(SEED);
        int decoded = 0;
        int failures = 0;
        for (int i = 0; i < CODEC_CASES; i++) {
            byte[] frame = FRAMES.get(rnd.nextInt(FRAMES.size()));
            byte[] msg = mutate(Arrays.copyOfRange(frame, 32, frame.length), rnd, false);
            if (msg.length >= 4 && rnd.nextBoolean()) {
                // keep chunkLen consistent half of the time so the field parsers get exercised
                Unpooled.wrappedBuffer(msg).setIntLE(0, msg.length / 8);
                msg = Arrays.copyOf(msg, msg.length & ~7);
            }
            ByteBuf b = Unpooled.wrappedBuffer(msg);
            try {
                MmsMessage m = MmsMessageCodec.decode(b);
                decoded++;
                if (m instanceof Connect c) {
                    SubscriberName.parse(c.subscriberName()).render();
                }
                // Whatever decodes re-encodes and decodes to an equal value (padding may differ).
                ByteBuf re = Unpooled.buffer();
                try {
                    MmsMessageCodec.encode(m, re);
                    MmsMessage again = MmsMessageCodec.decode(re);
                    assertEquals(m.mid(), again.mid());
                } catch (IllegalArgumentException tooBig) {
                    // e.g. a decoded value that cannot be represented (never happens for in-range input)
                    fail("re-encode failed for " + m + ": " + tooBig);
                } finally {
                    re.release();
                }
            } catch (MmsDecodeException e) {
                failures++;
                assertTrue(e.getMessage().startsWith(e.messageName() + "." + e.field() + ": "));
            } catch (RuntimeException e) {
                fail("seed 0x" + Long.toHexString(SEED) + " case " + i + ": untyped " + e + " for "
                        + ByteBufUtil.hexDump(msg), e);
            }
            try {
                RequestPacketListResend.decode(b);
            } catch (MmsDecodeException expected) {
                // typed
            }
            try {
                DataDatagram.decode(b).release(); // the same bytes as a UDP Data datagram
            } catch (MmsDecodeException expected) {
                // typed
            }
        }
        System.out.println("FuzzTest codec: " + CODEC_CASES + " cases, " + decoded + " decoded, " + failures + " typed failures");
        assertTrue(decoded > CODEC_CASES / 20, "mutations too destructive to exercise the decoders: " + decoded);
    }

    /** Exposes the decoder's buffered byte count. */
    static final class Probe extends MmsFrameDecoder {
        int buffered() {
            return actualReadableBytes();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void frameDecoderNeverThrowsNeverOverBuffersNeverLeaks() {
        Random rnd = new Random(SEED ^ 0xF4A3E);
        int commands = 0;
        int data = 0;
        int fatal = 0;
        int nonFatal = 0;
        int maxBuffered = 0;
        // 1..4 frames per channel (a stream; 3 in 4 mutated), fed in random chunks.
        int fed = 0;
        for (int c = 0; fed < FRAME_CASES; c++) {
            int perChannel = 1 + rnd.nextInt(4);
            fed += perChannel;
            Probe dec = new Probe();
            int limit = Math.max(dec.maxCommandSize(), dec.maxDataPacketSize());
            EmbeddedChannel ch = new EmbeddedChannel(dec);
            boolean sawFatal = false;
            try {
                for (int k = 0; k < perChannel; k++) {
                    byte[] frame = FRAMES.get(rnd.nextInt(FRAMES.size()));
                    byte[] in = rnd.nextInt(4) == 0 ? frame : mutate(frame, rnd, true);
                    int p = 0;
                    while (p < in.length) {
                        int n = Math.min(in.length - p, 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 512));
                        ch.writeInbound(Unpooled.wrappedBuffer(in, p, n));
                        p += n;
                        maxBuffered = Math.max(maxBuffered, dec.buffered());
                        assertTrue(dec.buffered() < limit, "buffered " + dec.buffered());
                        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                            try {
                                if (o instanceof MmsCommand) {
                                    commands++;
                                } else if (o instanceof DataPacket d) {
                                    data++;
                                    assertTrue(d.packetSize() <= dec.maxDataPacketSize());
                                } else if (o instanceof MmsDecodeFailure f) {
                                    if (f.fatal()) {
                                        assertFalse(sawFatal, "only one fatal failure per channel");
                                        sawFatal = true;
                                        fatal++;
                                    } else {
                                        nonFatal++;
                                    }
                                } else {
                                    fail("unexpected output " + o);
                                }
                            } finally {
                                ReferenceCountUtil.release(o);
                            }
                        }
                    }
                }
            } catch (RuntimeException e) {
                fail("seed 0x" + Long.toHexString(SEED) + " channel " + c + ": " + e, e);
            } finally {
                ch.finishAndReleaseAll();
            }
        }
        System.out.println("FuzzTest frames: " + FRAME_CASES + " frames, " + commands + " commands, " + data
                + " data packets, " + nonFatal + " non-fatal, " + fatal + " fatal, max buffered " + maxBuffered);
        assertTrue(commands > 0 && fatal > 0 && nonFatal > 0 && data > 0);
    }
}
