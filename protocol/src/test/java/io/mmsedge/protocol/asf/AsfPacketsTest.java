package io.mmsedge.protocol.asf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AsfPacketsTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Payload identity independent of position in the packet. */
    private record Content(int stream, boolean key, long object, long offset, long objectSize, long pts,
            byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Content c && c.stream == stream && c.key == key && c.object == object
                    && c.offset == offset && c.objectSize == objectSize && c.pts == pts
                    && java.util.Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(stream, object, offset);
        }
    }

    private static List<Content> contents(ByteBuf packet, int packetSize) {
        AsfPacket p = AsfPacket.parse(packet, packetSize);
        List<Content> out = new ArrayList<>();
        for (AsfPayload pl : p.payloads()) {
            out.add(new Content(pl.streamNumber(), pl.keyFrame(), pl.mediaObjectNumber(), pl.offsetIntoMediaObject(),
                    pl.mediaObjectSize(), pl.presentationTimeMs(),
                    ByteBufUtil.getBytes(packet, packet.readerIndex() + pl.dataOffset(), pl.dataLength())));
        }
        return out;
    }

    @Test
    void stripPaddingOnPaddedFile() throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file("padded.asf"))) {
            int size = f.packetSize();
            long totalPadding = 0;
            long stripped = 0;
            for (byte[] raw : Fixtures.packets(f)) {
                ByteBuf in = Unpooled.wrappedBuffer(raw);
                AsfPacket before = AsfPacket.parse(in, size);
                ByteBuf out = AsfPackets.stripPadding(in, size, ALLOC);
                try {
                    totalPadding += before.paddingLength();
                    assertEquals(before.packetLength() - before.paddingLength(), out.readableBytes());
                    AsfPacket after = AsfPacket.parse(out, size);
                    assertEquals(0, after.paddingLength());
                    assertEquals(out.readableBytes(), after.packetLength());
                    assertEquals(before.sendTimeMs(), after.sendTimeMs());
                    assertEquals(before.durationMs(), after.durationMs());
                    assertEquals(contents(in, size), contents(out, size));
                    if (before.paddingLength() > 0) {
                        stripped++;
                        assertTrue(out.readableBytes() < size);
                    }
                    // the input is untouched
                    assertEquals(0, in.readerIndex());
                    assertEquals(before, AsfPacket.parse(in, size));
                } finally {
                    out.release();
                }
            }
            assertTrue(stripped > f.packetCount() / 2, "most packets padded: " + stripped + "/" + f.packetCount());
            assertTrue(totalPadding > (long) f.packetCount() * size / 10,
                    "substantial padding: " + totalPadding + " bytes");
        }
    }

    @Test
    void filterKeepsSelectedStreams() throws IOException {
        for (String name : List.of("av.asf", "mbr.asf", "padded.asf")) {
            try (AsfFile f = AsfFile.open(Fixtures.file(name))) {
                int size = f.packetSize();
                Set<Integer> audio = f.header().streams().stream().filter(s -> s.type() == AsfStreamType.AUDIO)
                        .map(AsfStream::number).collect(Collectors.toSet());
                int partial = 0;
                for (byte[] raw : Fixtures.packets(f)) {
                    ByteBuf in = Unpooled.wrappedBuffer(raw);
                    List<Content> all = contents(in, size);
                    List<Content> expected = all.stream().filter(c -> audio.contains(c.stream())).toList();

                    ByteBuf audioOnly = AsfPackets.filter(in, size, pl -> audio.contains(pl.streamNumber()), ALLOC);
                    try {
                        if (expected.isEmpty()) {
                            assertNull(audioOnly);
                        } else {
                            assertEquals(expected, contents(audioOnly, size));
                            AsfPacket p = AsfPacket.parse(audioOnly, size);
                            assertTrue(p.payloads().stream().allMatch(pl -> audio.contains(pl.streamNumber())));
                            assertEquals(AsfPacket.parse(in, size).sendTimeMs(), p.sendTimeMs());
                            if (expected.size() < all.size()) {
                                partial++;
                                assertEquals(raw.length, audioOnly.readableBytes(), "same packet length");
                                // still strips and re-parses
                                ByteBuf s = AsfPackets.stripPadding(audioOnly, size, ALLOC);
                                try {
                                    assertEquals(expected, contents(s, size));
                                } finally {
                                    s.release();
                                }
                            }
                        }
                    } finally {
                        if (audioOnly != null) {
                            audioOnly.release();
                        }
                    }

                    assertNull(AsfPackets.filter(in, size, pl -> false, ALLOC));

                    ByteBuf same = AsfPackets.filter(in, size, pl -> true, ALLOC);
                    try {
                        assertArrayEquals(raw, ByteBufUtil.getBytes(same));
                        assertSame(in.unwrap() == null ? in : in.unwrap(), same.unwrap() == null ? same : same.unwrap());
                    } finally {
                        same.release();
                    }
                    assertEquals(1, in.refCnt());
                }
                assertTrue(partial > 0, name + ": some packets mix audio and video");
            }
        }
    }

    @Test
    void filterSelectsOneOfTwoVideoStreams() throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file("mbr.asf"))) {
            int size = f.packetSize();
            int kept = 0;
            for (byte[] raw : Fixtures.packets(f)) {
                ByteBuf in = Unpooled.wrappedBuffer(raw);
                ByteBuf out = AsfPackets.filter(in, size, pl -> pl.streamNumber() != 2, ALLOC);
                if (out == null) {
                    continue;
                }
                try {
                    kept++;
                    for (AsfPayload pl : AsfPacket.parse(out, size).payloads()) {
                        assertFalse(pl.streamNumber() == 2);
                    }
                } finally {
                    out.release();
                }
            }
            assertTrue(kept > 0 && kept < f.packetCount());
        }
    }

    @Test
    void keyFrameStarts() throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file("av.asf"))) {
            int keyPackets = 0;
            for (byte[] raw : Fixtures.packets(f)) {
                ByteBuf in = Unpooled.wrappedBuffer(raw);
                boolean expected = AsfPacket.parse(in, f.packetSize()).payloads().stream()
                        .anyMatch(pl -> pl.streamNumber() == 1 && pl.keyFrame() && pl.offsetIntoMediaObject() == 0);
                assertEquals(expected, AsfPackets.containsKeyFrameStart(in, f.packetSize(), 1));
                assertFalse(AsfPackets.containsKeyFrameStart(in, f.packetSize(), 5));
                keyPackets += expected ? 1 : 0;
            }
            assertEquals(12, keyPackets, "one key frame per second over 12 s");
        }
    }

    /** Hand-built packets: compressed payloads, explicit packet length, error correction. */
    @Test
    void compressedPayloadAndExplicitLength() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x82).writeByte(0).writeByte(0); // error correction, 2 bytes of data
        b.writeByte(0x01 | (2 << 5) | (1 << 3)); // multiple payloads, WORD packet length, BYTE padding
        b.writeByte(0x01 | (3 << 2) | (1 << 4) | (1 << 6)); // replicated BYTE, offset DWORD, object BYTE, stream BYTE
        int lengthField = b.writerIndex();
        b.writeShortLE(0); // packet length, patched below
        b.writeByte(10); // padding
        b.writeIntLE(5000).writeShortLE(40);
        b.writeByte(0x80 | 2); // 2 payloads, WORD payload lengths
        // payload 1: compressed, stream 2 key, object 7, presentation time 1000, delta 20, two sub-payloads
        b.writeByte(0x82).writeByte(7).writeIntLE(1000).writeByte(1).writeByte(20).writeShortLE(1 + 3 + 1 + 2);
        b.writeByte(3).writeBytes(new byte[] {1, 2, 3}).writeByte(2).writeBytes(new byte[] {4, 5});
        // payload 2: stream 1, object 9, offset 0, replicated 8 (size 4, pts 990)
        b.writeByte(0x01).writeByte(9).writeIntLE(0).writeByte(8).writeIntLE(4).writeIntLE(990).writeShortLE(4);
        b.writeBytes(new byte[] {9, 9, 9, 9});
        b.writeZero(10); // padding
        b.setShortLE(lengthField, b.readableBytes());
        int packetSize = 200; // explicit length < packet size: the rest is implicit
        try {
            AsfPacket p = AsfPacket.parse(b, packetSize);
            assertEquals(b.readableBytes(), p.packetLength());
            assertEquals(10, p.paddingLength());
            assertEquals(5000, p.sendTimeMs());
            assertEquals(40, p.durationMs());
            assertEquals(3, p.payloads().size());
            AsfPayload s1 = p.payloads().get(0);
            AsfPayload s2 = p.payloads().get(1);
            assertTrue(s1.compressed() && s2.compressed());
            assertEquals(1000, s1.presentationTimeMs());
            assertEquals(1020, s2.presentationTimeMs());
            assertEquals(7, s1.mediaObjectNumber());
            assertEquals(8, s2.mediaObjectNumber());
            assertEquals(3, s1.dataLength());
            assertEquals(2, s2.mediaObjectSize());
            assertEquals(s1.payloadOffset(), s2.payloadOffset());
            assertTrue(s1.isKeyFrameStart());
            AsfPayload u = p.payloads().get(2);
            assertEquals(990, u.presentationTimeMs());
            assertEquals(4, u.mediaObjectSize());

            ByteBuf onlyVideo = AsfPackets.filter(b, packetSize, pl -> pl.streamNumber() == 2, ALLOC);
            try {
                AsfPacket q = AsfPacket.parse(onlyVideo, packetSize);
                assertEquals(2, q.payloads().size());
                assertEquals(p.packetLength(), q.packetLength());
                assertEquals(10 + u.payloadEnd() - u.payloadOffset(), q.paddingLength());
            } finally {
                onlyVideo.release();
            }
            ByteBuf stripped = AsfPackets.stripPadding(b, packetSize, ALLOC);
            try {
                AsfPacket q = AsfPacket.parse(stripped, packetSize);
                assertEquals(p.packetLength() - 10, q.packetLength());
                assertEquals(stripped.getUnsignedShortLE(lengthField), q.packetLength());
                assertEquals(p.payloads().size(), q.payloads().size());
            } finally {
                stripped.release();
            }
            assertTrue(AsfPackets.containsKeyFrameStart(b, packetSize, 2));
            assertFalse(AsfPackets.containsKeyFrameStart(b, packetSize, 1));
        } finally {
            b.release();
        }
    }

    @Test
    void filterWidensAnAbsentPaddingField() {
        // Single-byte padding field absent (type 0): filtering must add one.
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0x01); // multiple payloads, no packet length / sequence / padding fields
        b.writeByte(0x01 | (3 << 2) | (1 << 4) | (1 << 6));
        b.writeIntLE(100).writeShortLE(0);
        b.writeByte(0x80 | 2);
        for (int stream = 1; stream <= 2; stream++) {
            b.writeByte(stream).writeByte(0).writeIntLE(0).writeByte(8).writeIntLE(300).writeIntLE(100);
            b.writeShortLE(300).writeZero(300);
        }
        int packetSize = b.readableBytes();
        try {
            ByteBuf out = AsfPackets.filter(b, packetSize, pl -> pl.streamNumber() == 2, ALLOC);
            try {
                assertEquals(packetSize, out.readableBytes());
                AsfPacket q = AsfPacket.parse(out, packetSize);
                assertEquals(1, q.payloads().size());
                assertEquals(2, q.payloads().get(0).streamNumber());
                assertEquals(2, q.paddingLengthFieldWidth(), "padding > 255 needs a WORD field");
                assertEquals(packetSize - q.paddingLength(), q.payloadsEnd());
            } finally {
                out.release();
            }
        } finally {
            b.release();
        }
    }

    @Test
    void rejectsBadPacketSizeArgument() {
        ByteBuf b = Unpooled.buffer(8).writeZero(8);
        try {
            assertThrows(AsfFormatException.class, () -> AsfPacket.parse(b, 0));
            assertThrows(AsfFormatException.class, () -> AsfPacket.parse(b, Integer.MAX_VALUE));
            assertThrows(AsfFormatException.class, () -> AsfPacket.parse(b, 8));
        } finally {
            b.release();
        }
    }
}
