package io.mmsedge.server.net;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.codec.MmsDecodeFailure;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.session.CommandFields;
import io.mmsedge.server.session.ServerSession;
import io.mmsedge.server.session.SessionIo;
import io.mmsedge.server.udp.UdpTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects one channel to its {@link ServerSession}: decoded frames in, {@link SessionIo}
 * calls out. Holds no protocol logic of its own.
 */
public final class MmsServerHandler extends PlayerChannelHandler implements SessionIo {

    private static final Logger log = LoggerFactory.getLogger(MmsServerHandler.class);

    private final ServerSession session;
    /**
     * Where Data packets are written (and windows flushed) from: {@link #packetContext()}, past
     * the frame encoder (which passes ByteBufs on untouched) and the stall watch. Commands still
     * go through the encoder.
     */
    private ChannelHandlerContext dataCtx;
    /** Data packets between flushes, written with one writev per window (§2.2.2 headers). */
    private PacketBatch batch;

    MmsServerHandler(ServerSettings settings, MediaCatalog catalog, ServerMetrics metrics, SecureRandom random,
                     WriteWindows windows, UdpTransport udp) {
        super(windows);
        this.session = new ServerSession(settings, catalog, this, metrics,
                io.netty.buffer.ByteBufAllocator.DEFAULT, random, udp);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        dataCtx = packetContext();
        batch = new PacketBatch(dataCtx, DATA_HEADER);
    }

    /** A window's flush writes its batch of Data packets, and anything else that waits. */
    @Override
    public void flush() {
        batch.flush();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        session.onConnected();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof MmsCommand cmd) {
                CommandFields.Invalid bad = CommandFields.check(cmd);
                if (bad != null) {
                    session.onDecodeFailure(bad.messageName(), bad.field(), bad.reason());
                } else {
                    session.onMessage(cmd.message());
                }
            } else if (msg instanceof MmsDecodeFailure f) {
                session.onDecodeFailure(f.messageName(), f.field(), f.reason());
            } else if (msg instanceof DataPacket d) {
                session.onUnexpectedDataPacket(d.content().readableBytes() + DataPacket.HEADER_SIZE);
            } else {
                log.warn("peer={} unexpected pipeline object {}; closing", peer(), msg.getClass().getName());
                session.close();
            }
        } catch (RuntimeException e) {
            log.error("peer={} internal error handling {}; closing this session", peer(), msg, e);
            session.close();
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            session.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.onDisconnected();
        batch.discard();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logPipelineError(cause);
        session.close();
        ctx.close();
    }

    @Override
    protected void endForShutdown() {
        session.endForShutdown();
    }

    /**
     * A drain with a sibling: a broadcast player gets a type 2 (proxy) ReportRedirect to it and
     * the connection closes, as after any redirect (MS-MMSP §3.2.5.6). §2.2.4.9 defines the message
     * as the answer to OpenFile; a client that follows §3.1.5.7 reconnects through the sibling and
     * opens the same URL, where the broadcast goes on (split from the origin). A client that does
     * not is closed, as it would be at the deadline, only sooner.
     */
    @Override
    protected void redirectForDrain(String location) {
        if (session.redirectableBroadcast()) {
            log.info("peer={} draining: broadcast player redirected (type 2) to {}", peer(), location);
            send(new io.mmsedge.protocol.mms.message.ReportRedirect(io.mmsedge.protocol.mms.Hresults.S_OK,
                    io.mmsedge.server.media.OpenResult.Redirect.TYPE_PROXY, location));
            session.close();
        }
    }

    // ------------------------------------------------------------------ SessionIo

    @Override
    public void send(MmsMessage message) {
        batch.writeHeld(); // Data packets sent before it go before it
        ctx.writeAndFlush(message).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    @Override
    public void sendData(int locationId, int playIncarnation, int afFlags, ByteBuf payload) {
        // The streaming path, once per packet per player: the payload and the 8-byte header's
        // fields wait in the batch, and the window's flush writes them all with one writev.
        try {
            io.mmsedge.protocol.mms.codec.MmsFrameEncoder.dataPacketSize(payload);
        } catch (IllegalArgumentException tooLarge) {
            payload.release();
            throw tooLarge;
        }
        batch.add((locationId & 0xFFFFFFFFL) | (long) (playIncarnation & 0xFF) << 32 | (long) (afFlags & 0xFF) << 40,
                payload);
    }

    /** The Data packet header (§2.2.2), written by the codec's own writeDataHeader. */
    private static final PacketBatch.Prefix DATA_HEADER = new PacketBatch.Prefix() {
        @Override
        public int size() {
            return DataPacket.HEADER_SIZE;
        }

        @Override
        public void write(ByteBuf out, long fields, int payloadBytes) {
            io.mmsedge.protocol.mms.codec.MmsFrameEncoder.writeDataHeader(out, (int) fields, (int) (fields >>> 32) & 0xFF,
                    (int) (fields >>> 40) & 0xFF, DataPacket.HEADER_SIZE + payloadBytes);
        }
    };

    @Override
    public void close() {
        batch.flush(); // the held packets, and whatever else waits
        ctx.close();
    }
}
