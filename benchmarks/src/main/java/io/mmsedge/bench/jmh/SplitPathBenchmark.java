package io.mmsedge.bench.jmh;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.broadcast.Broadcast;
import io.mmsedge.server.broadcast.BroadcastMedia;
import io.mmsedge.server.broadcast.BroadcastSettings;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.media.PacketCursor;
import io.mmsedge.server.media.PlayRequest;
import io.mmsedge.server.net.PrefixBlocks;
import io.mmsedge.server.play.StreamSelection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.IovArray;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The split's per-player cost of one packet in user space, on the real classes: a
 * {@link Broadcast} publishes a packet to {@value #PLAYERS} subscribers on one event loop; then,
 * per player, what the pump does for it — poll the player's cursor, ask its stream selection
 * whether the packet goes out whole, take a duplicate of the shared payload and build the
 * player's 8-byte Data header (§2.2.2) — and the buffers are released as a completed write
 * releases them: the ordinary way (a header slice of its own, as on NIO) and the epoll batch's
 * (the header in the loop's scratch memory, both in the window's iovec array). The socket itself is left out (the split benchmark measures it): this is
 * the part the edge adds over a raw fan-out. Reported per player per packet.
 *
 * <p>The players select both streams (as FFmpeg and the load generator do) and start to play
 * (which makes every stream wait for a key frame, §3.2.5.10) before the measured packets.
 *
 * <p>Run: {@code bench/jmh.sh SplitPathBenchmark} (see README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class SplitPathBenchmark {

    static final int PLAYERS = 1000;

    private EventLoop loop;
    private Broadcast broadcast;
    private AsfFileEntry file;
    private ContentInfo info;
    private final List<PacketCursor> cursors = new ArrayList<>();
    private final List<StreamSelection> selections = new ArrayList<>();
    private long next;
    private long sink;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = new DefaultEventLoop();
        file = AsfFileEntry.open(Fixtures.media("av.asf"), 0, ByteBufAllocator.DEFAULT);
        broadcast = new Broadcast("bench", loop, BroadcastSettings.defaults(), ServerMetrics.NONE);
        loop.submit(() -> broadcast.publishHeader(file.info())).get();
        info = broadcast.header();
        loop.submit(() -> {
            List<StreamSwitchEntry> all = new ArrayList<>();
            for (ContentInfo.StreamInfo s : info.streams()) {
                all.add(new StreamSwitchEntry(StreamSwitchEntry.NO_STREAM, s.number(), 0));
            }
            for (int i = 0; i < PLAYERS; i++) {
                BroadcastMedia m = broadcast.open("bench", loop);
                cursors.add(m.play(PlayRequest.fromStart()));
                StreamSelection sel = StreamSelection.none(info);
                sel.apply(all, info);
                sel.resync();
                selections.add(sel);
            }
        }).get();
        io.netty.channel.epoll.Epoll.ensureAvailability(); // IovArray needs the native library loaded
        iov = new IovArray();
        // The players' starts run on the loop; then a second of content gets every stream past
        // its first key frame, as in a running split.
        for (int i = 0; i < 50; i++) {
            publishAndSend(false);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        loop.submit(() -> {
            cursors.forEach(PacketCursor::close);
            broadcast.close();
        }).get();
        file.close();
        scratch.release();
        iov.release();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Benchmark
    @OperationsPerInvocation(PLAYERS)
    public long onePacketToEveryPlayer() throws Exception {
        return publishAndSend(false);
    }

    /**
     * The same on the epoll path ({@code PacketBatch}): the header is written into the loop's
     * scratch memory and both go into the iovec array of the window's {@code writev}; the payload
     * is released once the kernel took it. Netty's outbound path, which the ordinary way adds
     * per buffer at the socket, is left out of both, so this shows only the per-packet part.
     */
    @Benchmark
    @OperationsPerInvocation(PLAYERS)
    public long onePacketToEveryPlayerBatched() throws Exception {
        return publishAndSend(true);
    }

    /**
     * Header building alone, for its share of the above: one player's 8-byte Data header for one
     * packet (§2.2.2) from the pooled allocator, as the edge took it before, written and released.
     */
    @Benchmark
    public int prefixFromAllocator() {
        ByteBuf header = MmsFrameEncoder.dataHeader(ByteBufAllocator.DEFAULT, (int) next++, 1, (int) next & 0xFF,
                headerFor);
        int n = header.readableBytes();
        header.release();
        return n;
    }

    /** The same header cut from this thread's {@link PrefixBlocks}, as the edge takes it now. */
    @Benchmark
    public int prefixFromBlock() {
        ByteBuf header = PrefixBlocks.current().take(8);
        MmsFrameEncoder.writeDataHeader(header, (int) next++, 1, (int) next & 0xFF,
                MmsFrameEncoder.dataPacketSize(headerFor));
        int n = header.readableBytes();
        header.release();
        return n;
    }

    private final ByteBuf headerFor = io.netty.buffer.Unpooled.wrappedBuffer(new byte[1400]);

    private long publishAndSend(boolean batched) throws Exception {
        // Publish, then (a task queued behind the delivery) send: as a write window does.
        loop.submit(() -> broadcast.publish(file.read(next++ % file.packetCount()))).get();
        return loop.submit(() -> sendAll(batched)).get();
    }

    /** A loop's scratch, as PacketBatch keeps one: the prefixes' memory and the iovec array. */
    private final ByteBuf scratch = ByteBufAllocator.DEFAULT.directBuffer(64 * 8);
    private IovArray iov;

    /** On the loop, per player, what PacketPump.send and the MMS front end do with a packet. */
    private long sendAll(boolean batched) {
        long bytes = 0;
        for (int i = 0; i < PLAYERS; i++) {
            MediaPacket p = cursors.get(i).poll();
            if (p == null) {
                continue;
            }
            try {
                StreamSelection sel = selections.get(i);
                if (!sel.keepsAll(p.payloads(), false)) {
                    // Not the common case once players run; kept apart so that it shows.
                    for (var pl : p.payloads()) {
                        sel.keep(pl, false);
                    }
                    continue;
                }
                ByteBuf payload = p.content().retainedDuplicate();
                if (batched) {
                    scratch.clear(); // a window of one packet per player
                    iov.clear();
                    MmsFrameEncoder.writeDataHeader(scratch, (int) p.number(), 1, i & 0xFF,
                            MmsFrameEncoder.dataPacketSize(payload));
                    iov.add(scratch, 0, 8);
                    iov.add(payload, payload.readerIndex(), payload.readableBytes());
                    bytes += iov.size();
                    payload.release(); // as the batch releases it once the kernel took it
                    continue;
                }
                ByteBuf header = PrefixBlocks.current().take(8); // the ordinary way (NIO, a backlog)
                MmsFrameEncoder.writeDataHeader(header, (int) p.number(), 1, i & 0xFF,
                        MmsFrameEncoder.dataPacketSize(payload));
                bytes += header.readableBytes() + payload.readableBytes();
                header.release(); // as the socket's completed write releases them
                payload.release();
            } finally {
                p.release();
            }
        }
        sink += bytes;
        return bytes;
    }
}
