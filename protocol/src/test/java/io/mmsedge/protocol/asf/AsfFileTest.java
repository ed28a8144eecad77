package io.mmsedge.protocol.asf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AsfFileTest {

    static List<String> fixtures() {
        return Fixtures.ALL;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void headerIsSaneAndEveryPacketParses(String name) throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file(name))) {
            AsfHeader h = f.header();
            assertEquals(h.minDataPacketSize(), h.maxDataPacketSize());
            assertEquals(name.equals("padded.asf") ? 1400 : 3200, f.packetSize(), "packet size");
            assertEquals(h.headerObjectSize() + 50, h.fileHeaderSize());
            assertEquals(h.fileHeaderSize(), f.firstPacketOffset());
            assertTrue(f.packetCount() > 10, "packets: " + f.packetCount());
            assertEquals(h.dataPacketsCount(), f.packetCount());
            assertEquals(50 + f.packetCount() * f.packetSize(), h.dataObjectSize());
            assertFalse(h.broadcast());
            assertTrue(h.seekable());
            assertTrue(h.prerollMs() > 0 && h.prerollMs() < 10_000, "preroll " + h.prerollMs());
            assertTrue(h.playDurationHns() > 0 && h.sendDurationHns() > 0);
            double expected = switch (name) {
                case "av.asf" -> 12;
                case "padded.asf" -> 6;
                default -> 8;
            };
            assertEquals(expected, h.durationSeconds(), 0.2, "duration");
            assertEquals(36, h.fileId().length());
            for (AsfStream s : h.streams()) {
                switch (s.type()) {
                    case VIDEO -> {
                        assertEquals("WMV2", s.codec());
                        boolean small = name.equals("mbr.asf") || name.equals("padded.asf");
                        assertEquals(small ? 160 : 320, s.width());
                        assertEquals(small ? 120 : 240, s.height());
                    }
                    case AUDIO -> {
                        assertEquals("wmav2", s.codec());
                        assertEquals(name.equals("padded.asf") ? 128_000 : 32_000, s.bitrate());
                        assertEquals(0, s.width());
                    }
                    default -> throw new AssertionError("unexpected stream " + s);
                }
            }
            long last = -1;
            for (byte[] raw : Fixtures.packets(f)) {
                AsfPacket p = AsfPacket.parse(Unpooled.wrappedBuffer(raw), f.packetSize());
                assertEquals(f.packetSize(), p.packetLength());
                assertTrue(p.paddingOffset() <= p.packetLength() && p.payloadsEnd() <= p.paddingOffset());
                assertFalse(p.payloads().isEmpty());
                assertTrue(p.sendTimeMs() >= last, "send times never go backwards");
                last = p.sendTimeMs();
                for (AsfPayload pl : p.payloads()) {
                    assertNotNull(h.stream(pl.streamNumber()), "payload of a declared stream");
                    assertTrue(pl.payloadOffset() >= p.payloadsOffset());
                    assertTrue(pl.payloadEnd() <= p.payloadsEnd());
                    assertTrue(pl.dataOffset() >= pl.payloadOffset() && pl.dataLength() >= 0
                            && pl.dataOffset() + pl.dataLength() <= pl.payloadEnd());
                    assertTrue(pl.offsetIntoMediaObject() + pl.dataLength() <= pl.mediaObjectSize());
                }
            }
        }
    }

    @Test
    void streamLayouts() throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file("mbr.asf"))) {
            List<AsfStream> s = f.header().streams();
            assertEquals(3, s.size());
            assertEquals(List.of(AsfStreamType.VIDEO, AsfStreamType.VIDEO, AsfStreamType.AUDIO),
                    s.stream().map(AsfStream::type).toList());
            assertEquals(List.of(1, 2, 3), s.stream().map(AsfStream::number).toList());
            assertEquals(f.header().totalBitrate(), s.stream().mapToLong(AsfStream::bitrate).sum());
            // No Stream Bitrate Properties and two video streams: the header cannot tell their rates.
            assertEquals(0, s.get(0).bitrate());
            assertEquals(432_000, f.header().maxBitrate());
            // Sending it takes no longer than playing it: at least the data over the duration
            // (the muxer's 432 kbit/s maximum is below what the packets hold), far above the
            // audio stream's 32 kbit/s that the streams' sum gives (issue 13 §3).
            long dataRate = (long) Math.ceil(f.packetCount() * f.packetSize() * 8.0 / f.header().durationSeconds());
            assertEquals(dataRate, f.header().realTimeBitrate());
            assertTrue(dataRate > 500_000, "mbr.asf carries " + dataRate + " bit/s");
        }
        try (AsfFile f = AsfFile.open(Fixtures.file("av.asf"))) {
            // One stream without a declared rate: File Properties maximum minus the audio rate.
            assertEquals(150_000, f.header().streams().get(0).bitrate());
            assertEquals(182_000, f.header().totalBitrate());
        }
        try (AsfFile f = AsfFile.open(Fixtures.file("audio.asf"))) {
            assertEquals(1, f.header().streams().size());
            assertEquals(32_000, f.header().totalBitrate());
        }
    }

    @Test
    void simpleIndexPresence() throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file("indexed.asf"))) {
            AsfIndex index = f.index();
            assertNotNull(index, "ffmpeg writes a Simple Index for seekable output");
            assertEquals(10_000_000, index.entryTimeIntervalHns());
            assertTrue(index.entryCount() >= 8, "entries " + index.entryCount());
            long previous = 0;
            for (int i = 0; i < index.entryCount(); i++) {
                assertTrue(index.packetNumber(i) >= previous && index.packetNumber(i) < f.packetCount());
                previous = index.packetNumber(i);
            }
            assertTrue(f.fileLength() > f.firstPacketOffset() + f.packetCount() * f.packetSize());
        }
        try (AsfFile f = AsfFile.open(Fixtures.file("av.asf"))) {
            assertNull(f.index(), "av.asf has its index cut off");
            assertEquals(f.firstPacketOffset() + f.packetCount() * f.packetSize(), f.fileLength());
        }
    }

    @Test
    void readPacketBoundsAndByteOffsets() throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file("av.asf"))) {
            assertThrows(IllegalArgumentException.class, () -> f.readPacket(-1, ByteBufAllocator.DEFAULT));
            assertThrows(IllegalArgumentException.class, () -> f.readPacket(f.packetCount(), ByteBufAllocator.DEFAULT));
            ByteBuf last = f.readPacket(f.packetCount() - 1, ByteBufAllocator.DEFAULT);
            try {
                assertEquals(f.packetSize(), last.readableBytes());
            } finally {
                last.release();
            }
            assertEquals(0, f.packetForByteOffset(0));
            assertEquals(0, f.packetForByteOffset(f.firstPacketOffset()));
            assertEquals(1, f.packetForByteOffset(f.firstPacketOffset() + f.packetSize()));
            assertEquals(2, f.packetForByteOffset(f.firstPacketOffset() + 3L * f.packetSize() - 1));
            assertEquals(f.packetCount(), f.packetForByteOffset(Long.MAX_VALUE));
        }
    }

    @Test
    void truncatedFileServesWholePacketsPresent(@TempDir Path tmp) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.file("av.asf"));
        try (AsfFile full = AsfFile.open(Fixtures.file("av.asf"))) {
            long cut = full.firstPacketOffset() + 10L * full.packetSize() + 100;
            Path p = tmp.resolve("cut.asf");
            Files.write(p, java.util.Arrays.copyOf(all, (int) cut));
            try (AsfFile f = AsfFile.open(p)) {
                assertEquals(10, f.packetCount());
                assertNull(f.index());
            }
        }
    }

    @Test
    void summaryJson() throws IOException {
        JsonNode j = new ObjectMapper().readTree(AsfSummary.inspectJson(Fixtures.file("mbr.asf")));
        assertEquals(3200, j.get("packetSize").asInt());
        assertTrue(j.get("packetCount").asLong() > 0);
        assertEquals(8.0, j.get("durationSeconds").asDouble(), 0.2);
        assertTrue(j.get("seekable").asBoolean());
        assertFalse(j.get("broadcast").asBoolean());
        assertTrue(j.get("hasSimpleIndex").asBoolean());
        assertEquals(36, j.get("fileId").asText().length());
        assertTrue(j.get("headerSize").asInt() > 0);
        assertEquals(3, j.get("streams").size());
        JsonNode audio = j.get("streams").get(2);
        assertEquals(3, audio.get("number").asInt());
        assertEquals("audio", audio.get("type").asText());
        assertEquals("wmav2", audio.get("codec").asText());
        assertEquals(32000, audio.get("bitrate").asLong());
        assertEquals("video", j.get("streams").get(0).get("type").asText());
        assertEquals("WMV2", j.get("streams").get(0).get("codec").asText());
        // FFmpeg writes no per-stream video rates: they are measured from the data.
        long low = j.get("streams").get(0).get("bitrate").asLong();
        long high = j.get("streams").get(1).get("bitrate").asLong();
        assertTrue(low > 50_000 && high > 2 * low, low + " / " + high);
        long sum = 0;
        for (JsonNode s : j.get("streams")) {
            sum += s.get("bitrate").asLong();
        }
        assertEquals(sum, j.get("totalBitrate").asLong());
    }

    @Test
    void inspectRejectsNonAsf(@TempDir Path tmp) throws IOException {
        Path text = tmp.resolve("notes.asf");
        Files.writeString(text, "this is not an ASF file, just some text that is long enough to be read ".repeat(4));
        AsfFormatException e = assertThrows(AsfFormatException.class, () -> AsfSummary.inspectJson(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an ASF file"), e.getMessage());

        Path tiny = tmp.resolve("tiny.asf");
        Files.write(tiny, new byte[] {0x30, 0x26});
        e = assertThrows(AsfFormatException.class, () -> AsfSummary.inspectJson(tiny));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());

        assertThrows(IOException.class, () -> AsfSummary.inspectJson(tmp.resolve("missing.asf")));
        assertThrows(IOException.class, () -> AsfSummary.inspectJson(tmp));
    }

    @Test
    void headerChunks() throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file("av.asf"))) {
            byte[] header = f.header().fileHeader();
            for (int max : new int[] {1, 7, 100, header.length - 1, header.length, header.length + 1, Integer.MAX_VALUE}) {
                List<byte[]> chunks = HeaderChunks.split(header, max);
                java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
                for (byte[] c : chunks) {
                    assertTrue(c.length <= max && c.length > 0);
                    joined.writeBytes(c);
                }
                assertArrayEquals(header, joined.toByteArray());
                assertEquals((header.length + (long) max - 1) / max, chunks.size());
            }
            assertTrue(HeaderChunks.split(new byte[0], 10).isEmpty());
            assertThrows(IllegalArgumentException.class, () -> HeaderChunks.split(header, 0));
            // fileHeader() is a defensive copy and re-parses to the same values
            header[0] ^= 1;
            assertEquals(AsfGuid.HEADER, AsfGuid.read(f.header().fileHeader(), 0));
            AsfHeader again = AsfHeader.parse(f.header().fileHeader());
            assertEquals(f.header().streams(), again.streams());
            assertEquals(f.header().fileId(), again.fileId());
        }
    }

    @Test
    void guidRoundTrip() {
        AsfGuid g = AsfGuid.of("75B22630-668E-11CF-A6D9-00AA0062CE6C");
        byte[] wire = g.toBytes();
        assertEquals(0x30, wire[0] & 0xFF);
        assertEquals(0x26, wire[1] & 0xFF);
        assertEquals(0xB2, wire[2] & 0xFF);
        assertEquals(0x75, wire[3] & 0xFF);
        assertEquals(0xCF, wire[6] & 0xFF);
        assertEquals(0x11, wire[7] & 0xFF);
        assertEquals(0xA6, wire[8] & 0xFF);
        assertEquals(g, AsfGuid.read(wire, 0));
        assertEquals("75B22630-668E-11CF-A6D9-00AA0062CE6C", AsfGuid.read(wire, 0).toString());
        assertEquals(g, AsfGuid.HEADER);
    }
}
