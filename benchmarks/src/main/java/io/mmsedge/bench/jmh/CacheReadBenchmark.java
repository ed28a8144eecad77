package io.mmsedge.bench.jmh;

import io.mmsedge.cache.CacheItem;
import io.mmsedge.cache.CacheMetrics;
import io.mmsedge.cache.CacheSettings;
import io.mmsedge.cache.CacheStore;
import io.mmsedge.cache.Fingerprint;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.MediaPacket;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-packet cost of serving on-demand content, as the server session pays it for every
 * packet it sends: a packet from the cache's memory tier (payloads parsed once per chunk), from
 * its disk tier (checksum verified, parsed per read), and — the baseline in the same run — from
 * the ASF file as the origin reads it (positional read, parse, padding stripped). Each yields a
 * {@link MediaPacket} with parsed payloads and is released, as the session does.
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

    /** Where the packets come from: the cache's memory tier, its disk tier, or the ASF file. */
    @Param({"memory", "disk", "file"})
    public String source;

    private Path dir;
    private CacheStore store;
    private CacheItem item;
    private AsfFileEntry file;
    private long packets;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("mms-edge-jmh");
        file = AsfFileEntry.open(Fixtures.media("av.asf"), 0, ByteBufAllocator.DEFAULT);
        packets = file.packetCount();
        long memory = source.equals("memory") ? 64L << 20 : 0;
        store = CacheStore.open(new CacheSettings(dir, 64L << 20, memory), CacheMetrics.NONE);
        ContentInfo info = file.info();
        item = store.create("mms://bench/av.asf", info, Fingerprint.of(info.fileHeader(), packets), false);
        for (long i = 0; i < packets; i++) {
            MediaPacket p = file.read(i);
            try {
                item.write(i, p.content(), p.sendTimeMs(), false);
            } finally {
                p.release();
            }
        }
        if (!item.complete()) {
            throw new IllegalStateException("cache item not complete");
        }
        for (long i = 0; i < packets; i++) {
            item.read(i).release(); // with a memory tier, loads every chunk into it
        }
    }

    /** One packet as the server session gets it from its cursor, released as the session does. */
    @Benchmark
    public int readPacket() {
        long i = n;
        n = n + 1 == packets ? 0 : n + 1;
        MediaPacket p;
        if (source.equals("file")) {
            p = file.read(i);
        } else {
            CacheItem.StoredPacket s = item.readPacket(i);
            p = new MediaPacket(i, item.sendTimeMs(i), s.payloads(), s.content());
        }
        int size = p.payloads().size() + p.content().readableBytes();
        p.release();
        return size;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        file.close();
        store.close();
        io.mmsedge.bench.BenchSupport.deleteTree(dir);
    }
}
