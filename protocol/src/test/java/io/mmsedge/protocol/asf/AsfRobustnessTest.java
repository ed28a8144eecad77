package io.mmsedge.protocol.asf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile-input robustness: mutated packets, headers, indexes and files must yield either a
 * valid result or {@link AsfFormatException}, never another exception. Fixed seeds.
 */
class AsfRobustnessTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static final List<byte[]> PACKETS = new ArrayList<>();
    private static final List<Integer> PACKET_SIZES = new ArrayList<>();
    private static final List<byte[]> HEADERS = new ArrayList<>();
    private static byte[] indexObject;
    private static byte[] smallFile;

    @BeforeAll
    static void load() throws IOException {
        for (String name : Fixtures.ALL) {
            try (AsfFile f = AsfFile.open(Fixtures.file(name))) {
                List<byte[]> packets = Fixtures.packets(f);
                for (int i = 0; i < packets.size(); i += 3) {
                    PACKETS.add(packets.get(i));
                    PACKET_SIZES.add(f.packetSize());
                }
                HEADERS.add(f.header().fileHeader());
                if (name.equals("indexed.asf")) {
                    byte[] all = Files.readAllBytes(f.path());
                    int start = (int) (f.firstPacketOffset() + f.packetCount() * f.packetSize());
                    indexObject = Arrays.copyOfRange(all, start, all.length);
                }
                if (name.equals("audio.asf")) {
                    smallFile = Files.readAllBytes(f.path());
                }
            }
        }
    }

    private static byte[] mutate(byte[] in, SplittableRandom rnd, int protectPrefix) {
        byte[] b = in.clone();
        switch (rnd.nextInt(6)) {
            case 0 -> { // bit flips
                int flips = 1 + rnd.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int at = protectPrefix + rnd.nextInt(b.length - protectPrefix);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // random bytes in the first 64 (where the structure lives)
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    int at = protectPrefix + rnd.nextInt(Math.min(64, b.length - protectPrefix));
                    b[at] = (byte) rnd.nextInt(256);
                }
            }
            case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length + 1)); // truncation
            case 3 -> { // extreme values
                int at = protectPrefix + rnd.nextInt(b.length - protectPrefix);
                byte v = rnd.nextBoolean() ? (byte) 0xFF : 0;
                for (int i = at; i < Math.min(b.length, at + 1 + rnd.nextInt(8)); i++) {
                    b[i] = v;
                }
            }
            case 4 -> { // flips + truncation
                b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            default -> { // random garbage
                rnd.nextBytes(b);
            }
        }
        return b;
    }

    @Test
    void mutatedPackets() {
        SplittableRandom rnd = new SplittableRandom(0x5EED_A5F0L);
        int ok = 0;
        int rejected = 0;
        for (int i = 0; i < 14_000; i++) {
            int which = rnd.nextInt(PACKETS.size());
            byte[] data = mutate(PACKETS.get(which), rnd, 0);
            int packetSize = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(70_000) : PACKET_SIZES.get(which);
            ByteBuf buf = Unpooled.wrappedBuffer(data);
            try {
                AsfPacket p = AsfPacket.parse(buf, packetSize);
                checkInvariants(p, data.length, packetSize);
                ok++;
                roundTrips(buf, packetSize, p, i);
            } catch (AsfFormatException e) {
                rejected++;
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + e + " on " + Arrays.toString(
                        Arrays.copyOf(data, Math.min(64, data.length))), e);
            }
            assertEquals(1, buf.refCnt());
            assertEquals(0, buf.readerIndex());
        }
        assertTrue(ok > 1000 && rejected > 1000, "ok " + ok + ", rejected " + rejected);
    }

    private static void checkInvariants(AsfPacket p, int available, int packetSize) {
        assertTrue(p.packetLength() <= Math.min(available, packetSize));
        assertTrue(p.paddingLength() >= 0 && p.paddingOffset() >= p.payloadsEnd());
        assertTrue(!p.payloads().isEmpty());
        for (AsfPayload pl : p.payloads()) {
            assertTrue(pl.payloadOffset() >= p.payloadsOffset() - 1 && pl.payloadOffset() < pl.payloadEnd()
                    && pl.payloadEnd() <= p.payloadsEnd());
            assertTrue(pl.dataOffset() >= pl.payloadOffset() && pl.dataLength() >= 0
                    && pl.dataOffset() + pl.dataLength() <= pl.payloadEnd());
            assertTrue(pl.streamNumber() >= 1 && pl.streamNumber() <= 127);
        }
    }

    /** Outputs of stripPadding and filter must be valid packets with the same payload data. */
    private static void roundTrips(ByteBuf buf, int packetSize, AsfPacket p, int i) {
        ByteBuf stripped = AsfPackets.stripPadding(buf, packetSize, ALLOC);
        try {
            AsfPacket q = AsfPacket.parse(stripped, packetSize);
            assertEquals(p.payloads().size(), q.payloads().size(), "case " + i);
            if (!p.multiplePayloads() && p.packetLengthFieldOffset() < 0 && p.paddingLength() > 0) {
                // A single payload whose length is implied by an implicit packet length keeps
                // its padding: a re-padding player would read zeros as payload otherwise.
                assertEquals(p.paddingLength(), q.paddingLength(), "case " + i);
                assertEquals(p.packetLength(), stripped.readableBytes(), "case " + i);
            } else {
                assertEquals(0, q.paddingLength(), "case " + i);
            }
        } finally {
            stripped.release();
        }
        int odd = p.payloads().get(0).streamNumber() & 1;
        ByteBuf filtered = AsfPackets.filter(buf, packetSize, pl -> (pl.streamNumber() & 1) == odd, ALLOC);
        if (filtered != null) {
            try {
                AsfPacket q = AsfPacket.parse(filtered, packetSize);
                for (AsfPayload pl : q.payloads()) {
                    assertEquals(odd, pl.streamNumber() & 1, "case " + i);
                }
            } finally {
                filtered.release();
            }
        }
        AsfPackets.containsKeyFrameStart(buf, packetSize, p.payloads().get(0).streamNumber());
    }

    @Test
    void mutatedHeaders() {
        SplittableRandom rnd = new SplittableRandom(0xA5F_4EADL);
        int ok = 0;
        for (int i = 0; i < 8_000; i++) {
            byte[] data = mutate(HEADERS.get(rnd.nextInt(HEADERS.size())), rnd, 0);
            try {
                AsfHeader h = AsfHeader.parse(data);
                assertTrue(h.fileHeaderSize() <= data.length && !h.streams().isEmpty());
                assertTrue(h.maxDataPacketSize() >= AsfHeader.MIN_PACKET_SIZE);
                assertTrue(h.durationSeconds() >= 0 && h.totalBitrate() >= 0);
                ok++;
            } catch (AsfFormatException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + e, e);
            }
        }
        assertTrue(ok > 100, "some mutations stay valid: " + ok);
    }

    @Test
    void mutatedIndexes() {
        SplittableRandom rnd = new SplittableRandom(0x1DE_0001L);
        for (int i = 0; i < 3_000; i++) {
            byte[] data = mutate(indexObject, rnd, 0);
            ByteBuf buf = Unpooled.wrappedBuffer(data);
            try {
                AsfIndex index = AsfIndex.parse(buf);
                index.packetForTime(rnd.nextLong());
                index.packetForTime(Long.MAX_VALUE);
                index.packetForTime(0);
            } catch (AsfFormatException e) {
                assertTrue(e.getMessage() != null);
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + e, e);
            }
        }
    }

    @Test
    void mutatedFiles(@TempDir Path tmp) throws IOException {
        SplittableRandom rnd = new SplittableRandom(0xF11EL);
        Path p = tmp.resolve("m.asf");
        int opened = 0;
        for (int i = 0; i < 300; i++) {
            byte[] data = smallFile.clone();
            int header = 600;
            byte[] mutatedStart = mutate(Arrays.copyOf(data, header), rnd, 0);
            byte[] file;
            if (mutatedStart.length < header) {
                file = mutatedStart; // truncated file
            } else {
                System.arraycopy(mutatedStart, 0, data, 0, header);
                file = data;
            }
            Files.write(p, file);
            try (AsfFile f = AsfFile.open(p)) {
                opened++;
                assertTrue(f.packetCount() >= 0);
                if (f.packetCount() > 0) {
                    f.packetForTime(rnd.nextInt(10_000));
                    f.measureStreamBitrates();
                    ByteBuf b = f.readPacket(f.packetCount() - 1, ALLOC);
                    b.release();
                }
            } catch (AsfFormatException e) {
                assertTrue(e.getMessage() != null);
            } catch (RuntimeException e) {
                fail("case " + i + ": " + e, e);
            }
        }
        assertTrue(opened > 10, "opened " + opened);
    }
}
