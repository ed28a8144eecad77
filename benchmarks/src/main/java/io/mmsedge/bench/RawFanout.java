package io.mmsedge.bench;

import io.mmsedge.fixtures.load.LoadGenerator;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.MediaPacket;
import io.mmsedge.server.net.PrefixBlocks;
import io.mmsedge.server.net.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline a splitting edge is measured against: a minimal fan-out server with no MMS logic.
 * It reads an ASF file once (padding stripped, as the edge sends packets), and writes every packet
 * at its send time, in a loop, to every connected socket, behind the 8-byte MMS Data packet
 * header (LocationId counting on, playIncarnation {@link LoadGenerator#PLAY_INCARNATION}, AFFlags
 * sequence) — the same bytes an MMS player of the edge gets, so {@link LoadGenerator#raw} checks
 * and times them the same way. No handshake, no commands, no queues: a socket that is not
 * writable misses the packet (counted).
 *
 * <p>Fan-out as the edge does it: one buffer per packet, shared by every socket through
 * {@link ByteBuf#retainedDuplicate()}, and at most one task per event loop at a time (not one
 * per socket): the task writes every packet published since it last ran to each of its loop's
 * sockets and flushes each socket once, so that a loop that falls behind catches up with fewer
 * system calls, as the edge's sessions do. Same event loop group (the edge's transport choice,
 * {@link Transports}: epoll where it loads) and per-socket write buffer (256 KiB) as the edge. Send times in the packets are moved on by the file's span on every
 * loop, so that they keep increasing.
 *
 * <p>With {@code --merge-ms M}, packets published within M ms go to each socket in one write, as
 * the edge merges its players' writes ({@code server.writeMergeMillis}), so that the two compare
 * like for like. With {@code --own-headers true}, every socket gets the header in a buffer of
 * its own (cut from {@link PrefixBlocks}, as the edge's are) in front of a slice of the shared
 * packet: two buffers per packet per socket, as MS-MMSP obliges the edge to write them.
 *
 * <p>Usage: {@code RawFanout --port PORT --file FILE.asf [--bind 127.0.0.1] [--merge-ms M]
 * [--own-headers true]}; runs until killed.
 */
public final class RawFanout {

    private static final int WRITE_BUFFER = 256 * 1024;

    /** The file's packets as the origin reads them (padding stripped), with their send times. */
    private final List<MediaPacket> packets = new ArrayList<>();
    private final long[] sendTimes;
    private final int[] sendTimeOffsets;
    private final long spanMs;
    /** The edge's own transport choice (epoll where it loads), so that the two compare like for like. */
    private final EventLoopGroup group = Transports.newGroup(0);
    private final EventLoop publisher = group.next();
    private final Map<EventLoop, LoopFanout> byLoop = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();
    /** Packets published within this long go to each socket in one write (0 = a write per packet). */
    private final int mergeMillis;
    /**
     * Each socket gets its own 8-byte header buffer in front of the shared payload, as MS-MMSP
     * makes the edge do (§2.2.2: AFFlags and playIncarnation are the player's): the raw cost of
     * that second buffer per packet, without any MMS logic. Same header values as the shared frame.
     */
    private final boolean ownHeaders;
    private long locationId;
    private long startNanos;
    private int index;
    private long loopOffsetMs;

    RawFanout(Path file, int mergeMillis, boolean ownHeaders) throws Exception {
        this.mergeMillis = mergeMillis;
        this.ownHeaders = ownHeaders;
        try (AsfFileEntry f = AsfFileEntry.open(file, 0, ByteBufAllocator.DEFAULT)) {
            int count = (int) f.packetCount();
            sendTimes = new long[count];
            sendTimeOffsets = new int[count];
            for (int n = 0; n < count; n++) {
                MediaPacket p = f.read(n);
                packets.add(p);
                sendTimes[n] = p.sendTimeMs();
                sendTimeOffsets[n] = AsfPacket.parse(p.content(), f.info().packetSize()).sendTimeOffset();
            }
        }
        long first = sendTimes[0];
        long last = sendTimes[sendTimes.length - 1];
        // The next loop starts one average packet interval after the last packet.
        spanMs = last - first + Math.max(1, (last - first) / Math.max(1, sendTimes.length - 1));
    }

    InetSocketAddress start(InetSocketAddress bind) throws InterruptedException {
        Channel server = new ServerBootstrap().group(group).channel(Transports.serverChannel(group))
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(WRITE_BUFFER / 2,
                        WRITE_BUFFER))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Subscriber());
                    }
                }).bind(bind).sync().channel();
        publisher.execute(() -> {
            startNanos = System.nanoTime();
            pump();
        });
        return (InetSocketAddress) server.localAddress();
    }

    private void pump() {
        while (true) {
            long due = startNanos + (loopOffsetMs + sendTimes[index] - sendTimes[0]) * 1_000_000;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                publisher.schedule(this::pump, wait, TimeUnit.NANOSECONDS);
                return;
            }
            publish(frame(index));
            if (++index == packets.size()) {
                index = 0;
                loopOffsetMs += spanMs;
            }
        }
    }

    /** The packet behind its 8-byte Data packet header, send time moved on by the loops so far. */
    private ByteBuf frame(int i) {
        ByteBuf p = packets.get(i).content();
        int n = p.readableBytes();
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(DataPacket.HEADER_SIZE + n);
        MmsFrameEncoder.writeDataHeader(b, (int) locationId, LoadGenerator.PLAY_INCARNATION, (int) (locationId & 0xFF),
                DataPacket.HEADER_SIZE + n);
        b.writeBytes(p, p.readerIndex(), n);
        int at = DataPacket.HEADER_SIZE + sendTimeOffsets[i];
        b.setIntLE(at, (int) (sendTimes[i] + loopOffsetMs));
        locationId++;
        return b;
    }

    /** Hands the packet to every event loop with sockets; each socket gets a duplicate of the one buffer. */
    private void publish(ByteBuf frame) {
        try {
            for (LoopFanout f : byLoop.values()) {
                f.offer(frame.retainedDuplicate());
            }
        } finally {
            frame.release();
        }
    }

    /** The sockets of one event loop ({@link #channels} confined to it) and the packets not yet written. */
    private final class LoopFanout {
        private final EventLoop loop;
        private final List<Channel> channels = new ArrayList<>();
        private final ConcurrentLinkedQueue<ByteBuf> pending = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        LoopFanout(EventLoop loop) {
            this.loop = loop;
        }

        void offer(ByteBuf frame) {
            pending.add(frame);
            if (scheduled.compareAndSet(false, true)) {
                if (mergeMillis > 0) {
                    // As the edge's server.writeMergeMillis: one write per socket per window.
                    loop.schedule(this::drain, mergeMillis, TimeUnit.MILLISECONDS);
                } else {
                    loop.execute(this::drain);
                }
            }
        }

        private void drain() {
            scheduled.set(false);
            List<ByteBuf> batch = new ArrayList<>();
            for (ByteBuf b; (b = pending.poll()) != null; ) {
                batch.add(b);
            }
            try {
                for (Channel c : channels) {
                    if (!c.isWritable()) {
                        if (c.isActive()) {
                            skipped.addAndGet(batch.size());
                        }
                        continue;
                    }
                    for (ByteBuf b : batch) {
                        if (ownHeaders) {
                            ByteBuf h = PrefixBlocks.current().take(DataPacket.HEADER_SIZE);
                            h.writeBytes(b, b.readerIndex(), DataPacket.HEADER_SIZE);
                            c.write(h, c.voidPromise());
                            c.write(b.retainedSlice(b.readerIndex() + DataPacket.HEADER_SIZE,
                                    b.readableBytes() - DataPacket.HEADER_SIZE), c.voidPromise());
                        } else {
                            c.write(b.retainedDuplicate(), c.voidPromise());
                        }
                    }
                    c.flush();
                }
            } finally {
                batch.forEach(ByteBuf::release);
            }
        }
    }

    /** Registers its channel with its loop's fan-out (confined to that loop); ignores anything read. */
    private final class Subscriber extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            byLoop.computeIfAbsent(ctx.channel().eventLoop(), LoopFanout::new).channels.add(ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            LoopFanout f = byLoop.get(ctx.channel().eventLoop());
            if (f != null) {
                f.channels.remove(ctx.channel());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    public static void main(String[] args) throws Exception {
        String bind = "127.0.0.1";
        int port = 0;
        Path file = null;
        int merge = 0;
        boolean ownHeaders = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bind" -> bind = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--file" -> file = Path.of(args[i + 1]);
                case "--merge-ms" -> merge = Integer.parseInt(args[i + 1]);
                case "--own-headers" -> ownHeaders = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("--file FILE.asf is required");
        }
        RawFanout f = new RawFanout(file, merge, ownHeaders);
        InetSocketAddress a = f.start(new InetSocketAddress(bind, port));
        System.out.println("raw fan-out on " + a + ": " + f.packets.size() + " packets, loop " + f.spanMs + " ms");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("raw fan-out: "
                + f.skipped.get() + " packet writes skipped (socket not writable)")));
        new CountDownLatch(1).await();
    }
}
