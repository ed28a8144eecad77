package io.mmsedge.bench.jmh;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.Fingerprint;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.ContentInfo;
import io.mmsedge.server.media.MediaPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-packet cost of serving on-demand content, as the server session pays it for every
 * packet it sends: a packet from the cache's memory tier, from its disk tier (checksum
 * verified), and — the baseline in the same run — from the ASF file as the origin reads it
 * (positional read, parse, padding stripped). Each yields a {@link MediaPacket} with parsed
 * payloads and is released, as the session does.
 *
 * <p>Run: {@code java -cp "$CP" org.openjdk.jmh.Main CacheReadBenchmark} (see README).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheReadBenchmark {

    private Path dir;
    private CacheStore hot;
    private CacheStore cold;
    private CacheItem hotItem;
    private CacheItem coldItem;
    private AsfFileEntry file;
    private long packets;
    private int packetSize;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("mms-edge-jmh");
        Path av = Fixtures.media("av.asf");
        file = AsfFileEntry.open(av, 0, ByteBufAllocator.DEFAULT);
        packets = file.packetCount();
        packetSize = file.info().packetSize();
        hot = CacheStore.open(new CacheSettings(dir.resolve("hot"), 64L << 20, 64L << 20), CacheMetrics.NONE);
        cold = CacheStore.open(new CacheSettings(dir.resolve("cold"), 64L << 20, 0), CacheMetrics.NONE);
        hotItem = fill(hot, av);
        coldItem = fill(cold, av);
        for (long i = 0; i < packets; i++) {
            hotItem.read(i).release(); // loads every chunk into the memory tier
        }
    }

    private CacheItem fill(CacheStore store, Path av) throws Exception {
        ContentInfo info = file.info();
        CacheItem item = store.create("mms://bench/av.asf", info, Fingerprint.of(info.fileHeader(), packets), false);
        try (AsfFile f = AsfFile.open(av)) {
            for (long i = 0; i < packets; i++) {
                ByteBuf raw = f.readPacket(i, ByteBufAllocator.DEFAULT);
                ByteBuf stripped = AsfPackets.stripPadding(raw, packetSize, ByteBufAllocator.DEFAULT);
                AsfPacket p = AsfPacket.parse(stripped, packetSize);
                item.write(i, stripped, p.sendTimeMs(), false);
                stripped.release();
                raw.release();
            }
        }
        if (!item.complete()) {
            throw new IllegalStateException("cache item not complete");
        }
        return item;
    }

    private long next() {
        long i = n;
        n = n + 1 == packets ? 0 : n + 1;
        return i;
    }

    private static MediaPacket asMediaPacket(long number, ByteBuf buf, CacheItem item, int packetSize) {
        AsfPacket p = AsfPacket.parse(buf, packetSize);
        return new MediaPacket(number, item.sendTimeMs(number), p.payloads(), buf);
    }

    @Benchmark
    public int fileAsTheOriginReadsIt() {
        MediaPacket p = file.read(next());
        int size = p.content().readableBytes();
        p.release();
        return size;
    }

    @Benchmark
    public int cacheMemoryTier() {
        long i = next();
        MediaPacket p = asMediaPacket(i, hotItem.read(i), hotItem, packetSize);
        int size = p.content().readableBytes();
        p.release();
        return size;
    }

    @Benchmark
    public int cacheDiskTier() {
        long i = next();
        MediaPacket p = asMediaPacket(i, coldItem.read(i), coldItem, packetSize);
        int size = p.content().readableBytes();
        p.release();
        return size;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        file.close();
        hot.close();
        cold.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
