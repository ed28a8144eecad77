package io.mmsedge.bench.jmh;

import io.mmsedge.server.broadcast.LoopShare;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * The reference counting a split's player does on a packet's payload, by two event loops on the
 * two cores at once, as they do in every write window: per player per packet, the duplicate its
 * queue holds, the duplicate it writes, the memory address the socket write reads, and the two
 * releases. {@code sharedCount}: every duplicate counts on the one shared buffer (before
 * {@link LoopShare}); {@code loopShare}: each loop's duplicates count on its own share of it.
 * {@code oneLoop} is the shared count with one thread, no other core writing its cache line.
 *
 * <p>Run: {@code bench/jmh.sh SharedCountBenchmark} (see README).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class SharedCountBenchmark {

    /** One packet's payload, shared by both loops. */
    @State(Scope.Group)
    public static class Packet {
        ByteBuf shared;

        @Setup(Level.Trial)
        public void setUp() {
            shared = ByteBufAllocator.DEFAULT.directBuffer(3200);
            shared.writerIndex(3200);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shared.release();
        }
    }

    /** A loop's share of the packet. */
    @State(Scope.Thread)
    public static class Loop {
        LoopShare share;

        @Setup(Level.Trial)
        public void setUp(Packet p) {
            share = new LoopShare(p.shared.retain());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            share.release();
        }
    }

    private static long player(ByteBuf from) {
        ByteBuf queued = from.retainedDuplicate();
        ByteBuf written = queued.retainedDuplicate();
        queued.release();
        long address = written.memoryAddress() + written.readerIndex();
        written.release();
        return address;
    }

    @Benchmark
    @Group("sharedCount")
    @GroupThreads(2)
    public long sharedCount(Packet p) {
        return player(p.shared);
    }

    @Benchmark
    @Group("loopShare")
    @GroupThreads(2)
    public long loopShare(Loop l) {
        return player(l.share);
    }

    @Benchmark
    @Group("oneLoop")
    @GroupThreads(1)
    public long oneLoop(Packet p) {
        return player(p.shared);
    }
}
