package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrameDecoder;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.broadcast.Broadcast;
import io.mmsedge.server.broadcast.BroadcastCatalog;
import io.mmsedge.server.broadcast.BroadcastSettings;
import io.mmsedge.server.broadcast.LoopedFileSource;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A broadcast playlist whose entries' streams differ changes its header while an MMSH player
 * watches: [MS-WMSP] §2.2.3.4 $E with S_FALSE (a new entry follows), §2.2.3.2 $C, then the new
 * entry's $H and its $D, on the same non-pipelined response.
 */
class MmshBroadcastChangeTest {

    @Test
    void aBroadcastHeaderChangeIsEndOfStreamSFalseThenStreamChangeThenTheNewHeader() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Broadcast live = new Broadcast("live", group.next(), BroadcastSettings.defaults(), ServerMetrics.NONE);
        // audio.asf (one stream) then av.asf (two), looped at 8x real time: a change every second or so.
        try (LoopedFileSource source = new LoopedFileSource(live, List.of(Fixtures.media("audio.asf"),
                Fixtures.media("av.asf")), 8, ByteBufAllocator.DEFAULT).start();
             MmsServer server = new MmsServer(ServerSettings.defaults(), request -> new BroadcastCatalog("live", live)
                     .open(request.withPath("")), ServerMetrics.NONE, group)
                     .start(new InetSocketAddress("127.0.0.1", 0)).startHttp(new InetSocketAddress("127.0.0.1", 0))) {
            List<MmshFrame> frames = play(server.httpAddress());
            try {
                StringBuilder ids = new StringBuilder();
                frames.forEach(f -> ids.append((char) f.packetId()));
                int change = ids.indexOf("EC");
                assertTrue(change > 0, "a header change within the read: " + ids);
                assertEquals('H', ids.charAt(0));
                assertEquals(Hresults.S_STREAM_CHANGE, frames.get(change).reason(), "$E S_FALSE");
                assertEquals(MmshFrames.HEADER, frames.get(change + 2).packetId(), "the new entry's $H follows");
                assertEquals(MmshFrames.DATA, frames.get(change + 3).packetId(), "then its data");
                int before = AsfHeader.parse(ByteBufUtil.getBytes(frames.get(0).content())).streams().size();
                int after = AsfHeader.parse(ByteBufUtil.getBytes(frames.get(change + 2).content())).streams()
                        .size();
                assertTrue(before != after, "the entries' streams differ: " + before + " then " + after);
                assertEquals(0, frames.get(change + 3).afFlags(), "$D sequence numbers start again after $C");
            } finally {
                frames.forEach(MmshFrame::release);
            }
        } finally {
            live.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** About four seconds of the broadcast over MMSH, as packets. */
    private static List<MmshFrame> play(InetSocketAddress http) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Socket s = new Socket(http.getAddress(), http.getPort())) {
            s.setSoTimeout(500);
            s.getOutputStream().write(MmshTestClient.get("live", "Pragma: xPlayStrm=1")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < end) {
                try {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    all.write(buf, 0, n);
                } catch (SocketTimeoutException e) {
                    // keep reading until the deadline
                }
            }
        }
        MmshTestClient.Response r = MmshTestClient.parse(all.toByteArray(), false);
        assertEquals(200, r.status());
        ByteBuf body = Unpooled.wrappedBuffer(r.body());
        List<MmshFrame> out = new ArrayList<>();
        MmshFrame f;
        while ((f = MmshFrameDecoder.decodeOne(body, 0xFFFF)) != null) {
            out.add(f);
        }
        return out;
    }
}
