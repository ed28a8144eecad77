package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.asf.AsfStreamType;
import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real fixture file as an origin would send it: header, ReportOpenFile figures, and every
 * data packet with its padding stripped, its send time and whether it begins a video key frame.
 * Public for the tests of {@code io.mmsedge.cache.serve}.
 */
public final class TestMedia {

    private static final Map<String, TestMedia> LOADED = new ConcurrentHashMap<>();

    public final String name;
    public final byte[] header;
    public final int packetSize;
    public final List<byte[]> packets;
    public final long[] sendTimes;
    public final boolean[] keyFrames;
    public final ContentInfo info;
    public final Fingerprint fingerprint;

    private TestMedia(String name, byte[] header, int packetSize, List<byte[]> packets, long[] sendTimes,
            boolean[] keyFrames, ContentInfo info) {
        this.name = name;
        this.header = header;
        this.packetSize = packetSize;
        this.packets = packets;
        this.sendTimes = sendTimes;
        this.keyFrames = keyFrames;
        this.info = info;
        this.fingerprint = Fingerprint.of(header, packets.size());
    }

    public static TestMedia load(String fixture) {
        return LOADED.computeIfAbsent(fixture, TestMedia::read);
    }

    public static TestMedia av() {
        return load("av.asf");
    }

    private static TestMedia read(String fixture) {
        try (AsfFile file = AsfFile.open(Fixtures.media(fixture))) {
            int packetSize = file.packetSize();
            Set<Integer> video = new HashSet<>();
            for (AsfStream s : file.header().streams()) {
                if (s.type() == AsfStreamType.VIDEO) {
                    video.add(s.number());
                }
            }
            int count = (int) file.packetCount();
            List<byte[]> packets = new ArrayList<>(count);
            long[] sendTimes = new long[count];
            boolean[] keyFrames = new boolean[count];
            for (int n = 0; n < count; n++) {
                ByteBuf raw = file.readPacket(n, ByteBufAllocator.DEFAULT);
                try {
                    ByteBuf stripped = AsfPackets.stripPadding(raw, packetSize, ByteBufAllocator.DEFAULT);
                    try {
                        AsfPacket p = AsfPacket.parse(stripped, packetSize);
                        sendTimes[n] = p.sendTimeMs();
                        for (AsfPayload pl : p.payloads()) {
                            keyFrames[n] |= pl.isKeyFrameStart() && video.contains(pl.streamNumber());
                        }
                        packets.add(ByteBufUtil.getBytes(stripped));
                    } finally {
                        stripped.release();
                    }
                } finally {
                    raw.release();
                }
            }
            byte[] header = file.header().fileHeader();
            ContentInfo info = ContentInfo.fromHeader(header, packetSize, count, file.header().totalBitrate(),
                    file.header().durationSeconds(), ContentInfo.ATTR_CANSEEK | ContentInfo.ATTR_CANSTRIDE);
            return new TestMedia(fixture, header, packetSize, List.copyOf(packets), sendTimes, keyFrames, info);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int count() {
        return packets.size();
    }

    /** Packet {@code n} in a fresh buffer; the caller releases it. */
    public ByteBuf packet(int n) {
        return Unpooled.wrappedBuffer(packets.get(n));
    }

    public CacheItem.WriteResult write(CacheItem item, int n) {
        ByteBuf b = packet(n);
        try {
            CacheItem.WriteResult r = item.write(n, b, sendTimes[n], keyFrames[n]);
            assertEquals(0, b.readerIndex(), "write must not move the reader index");
            return r;
        } finally {
            b.release();
        }
    }

    public void writeAll(CacheItem item) {
        for (int n = 0; n < count(); n++) {
            assertEquals(CacheItem.WriteResult.WRITTEN, write(item, n), "packet " + n);
        }
    }

    /** Reads packet {@code n} and asserts it is the fixture's packet, byte for byte, with its facts. */
    void assertPacket(CacheItem item, int n) {
        assertArrayEquals(packets.get(n), read(item, n), name + " packet " + n);
        assertEquals(sendTimes[n], item.sendTimeMs(n), "send time of packet " + n);
        assertEquals(keyFrames[n], item.keyFrame(n), "key frame flag of packet " + n);
    }

    void assertAll(CacheItem item) {
        for (int n = 0; n < count(); n++) {
            assertPacket(item, n);
        }
    }

    static byte[] read(CacheItem item, long n) {
        ByteBuf b = item.read(n);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            assertTrue(b.release(), "the reader holds the only reference");
        }
    }

    /** Names of the cache files (.meta/.data) in {@code dir}. */
    static List<String> cacheFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".meta") || f.endsWith(".data"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sum of the lengths of every file in {@code dir}. */
    static long dirBytes(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            long total = 0;
            for (Path p : s.toList()) {
                try {
                    total += Files.size(p);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // A metadata temp file the I/O thread renamed meanwhile: it holds nothing now.
                }
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flips one byte of a file in place. */
    static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.flip();
            b.put(0, (byte) ~b.get(0));
            ch.write(b, position);
        }
    }

    /** Offset of payload byte {@code i} of packet {@code n}'s slot. */
    static long payloadOffset(CacheItem item, long n, int i) {
        return n * item.slotSize() + SlotFormat.HEADER_SIZE + i;
    }

    /** Counts the events it is told about. */
    static final class CountingMetrics implements CacheMetrics {
        final AtomicInteger discarded = new AtomicInteger();
        final AtomicInteger evicted = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong evictedBytes = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void evicted(long bytes) {
            evicted.incrementAndGet();
            evictedBytes.addAndGet(bytes);
        }

        @Override
        public void discarded() {
            discarded.incrementAndGet();
        }

        final AtomicInteger diskWriteFailures = new AtomicInteger();
        final AtomicInteger dropped = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong uncached = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void diskWriteFailed() {
            diskWriteFailures.incrementAndGet();
        }

        @Override
        public void packetDropped() {
            dropped.incrementAndGet();
        }

        @Override
        public void bytesUncached(long bytes) {
            uncached.addAndGet(bytes);
        }
    }
}
