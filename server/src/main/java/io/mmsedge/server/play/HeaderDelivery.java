package io.mmsedge.server.play;

import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends one entry's ASF file header in pieces no larger than a data packet, paced at the
 * content's bit rate (§3.2.5.8.1), stopping while the player isn't reading.
 */
final class HeaderDelivery {

    private final PlaySession session;
    private final PlayerChannel channel;
    private final PlayerTransport transport;
    private final ByteBufAllocator alloc;
    private final byte[] bytes;
    private final int chunk;
    private final long bitRate;
    private final Runnable done;
    private final long gapNanos;
    private final long startNanos;
    private int offset;
    private int index;
    private ScheduledFuture<?> timer;
    private boolean cancelled;

    HeaderDelivery(PlaySession session, PlayerChannel channel, PlayerTransport transport, ByteBufAllocator alloc,
                   ContentInfo info, Runnable done) {
        this.session = session;
        this.channel = channel;
        this.transport = transport;
        this.alloc = alloc;
        this.bytes = info.fileHeader();
        this.chunk = Math.max(1, transport.maxHeaderPart(info));
        this.bitRate = Math.max(info.bitRate(), 8_000);
        this.done = done;
        this.gapNanos = session.replyGapNanos();
        this.startNanos = channel.nanoTime() + gapNanos;
    }

    void start() {
        schedule(gapNanos);
    }

    void cancel() {
        cancelled = true;
        PlaySession.cancel(timer);
    }

    private void schedule(long delayNanos) {
        timer = channel.schedule(this::pump, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    void pump() {
        session.guarded(this::pumpHeader);
    }

    private void pumpHeader() {
        if (cancelled || session.isClosed()) {
            return;
        }
        PlaySession.cancel(timer);
        timer = null;
        while (offset < bytes.length) {
            if (!channel.isWritable()) {
                channel.flush();
                return; // PlaySession.onWritable() resumes
            }
            long due = startNanos + Pacing.paceNanos(offset, bitRate, session.pacingSpeed());
            long wait = due - channel.nanoTime();
            if (wait > 0) {
                channel.flush();
                schedule(wait);
                return;
            }
            int n = Math.min(chunk, bytes.length - offset);
            boolean last = offset + n == bytes.length;
            ByteBuf part = alloc.buffer(n).writeBytes(bytes, offset, n);
            transport.sendHeaderPart(index++, part, last);
            session.countSent(n, true);
            offset += n;
        }
        channel.flush();
        done.run();
    }
}
