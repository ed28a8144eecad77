package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrameDecoder;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A live publishing point served to an MMSH player and an MMS/TCP player at once. */
class MmshBroadcastTest {

    @Test
    void mmshAndMmsPlayersOfOneBroadcastGetTheSamePackets() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Broadcast live = new Broadcast("live", group.next(), BroadcastSettings.defaults(), ServerMetrics.NONE);
        try (LoopedFileSource source = new LoopedFileSource(live, List.of(Fixtures.media("av.asf")), 4,
                ByteBufAllocator.DEFAULT).start();
             MmsServer server = new MmsServer(ServerSettings.defaults(), request -> new BroadcastCatalog("live", live)
                     .open(request.withPath(request.path().equals("live") ? "" : request.path())),
                     ServerMetrics.NONE, group).start(new InetSocketAddress("127.0.0.1", 0))
                     .startHttp(new InetSocketAddress("127.0.0.1", 0));
             AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            CompletableFuture<Map<Long, byte[]>> mms = CompletableFuture.supplyAsync(() -> mmsPlayer(server, f));
            Map<Long, byte[]> mmsh = mmshPlayer(server.httpAddress(), live);
            Map<Long, byte[]> viaMms = mms.get();
            int common = 0;
            for (var e : mmsh.entrySet()) {
                byte[] other = viaMms.get(e.getKey());
                if (other != null) {
                    common++;
                    assertArrayEquals(other, e.getValue(), "packet " + e.getKey());
                }
            }
            assertTrue(common > 20, "packets both players got: " + common);
        } finally {
            live.close();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Reads three seconds of the live point over MMSH; checks the broadcast headers. */
    private static Map<Long, byte[]> mmshPlayer(InetSocketAddress http, Broadcast live) throws Exception {
        try (Socket s = new Socket(http.getAddress(), http.getPort())) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(MmshTestClient.get("live", "Pragma: xPlayStrm=1",
                    "Pragma: xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            long end = System.nanoTime() + 3_000_000_000L;
            byte[] buf = new byte[65536];
            int max = 0;
            while (System.nanoTime() < end) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                all.write(buf, 0, n);
                max = Math.max(max, live.subscriberCount());
            }
            assertEquals(2, max, "one broadcast, two subscribers: the MMSH and the MMS player");
            MmshTestClient.Response r = MmshTestClient.parse(all.toByteArray(), false);
            assertEquals(200, r.status());
            assertTrue(r.all("Pragma").contains("features=\"broadcast\""), r.headers().toString());
            ByteBuf body = Unpooled.wrappedBuffer(r.body());
            Map<Long, byte[]> out = new HashMap<>();
            MmshFrame fr;
            List<Integer> ids = new ArrayList<>();
            while ((fr = MmshFrameDecoder.decodeOne(body, 0xFFFF)) != null) {
                ids.add(fr.packetId());
                if (fr.packetId() == 'D') {
                    out.put(fr.locationId(), ByteBufUtil.getBytes(fr.content()));
                }
                fr.release();
            }
            assertEquals((int) 'H', ids.get(0));
            return out;
        }
    }

    private static Map<Long, byte[]> mmsPlayer(MmsServer server, AsfFile f) {
        try (MmsTestClient c = MmsTestClient.connect(server.localAddress(), Duration.ofSeconds(10))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            c.open("live");
            c.readHeader(2);
            c.selectStreams(f.header().streams().stream().mapToInt(AsfStream::number).toArray());
            c.startPlaying(0, 4);
            Map<Long, byte[]> out = new HashMap<>();
            long end = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < end) {
                if (c.nextAnsweringPings() instanceof Received.Data d) {
                    out.put(d.locationId(), d.payload());
                }
            }
            return out;
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void aStalledMmshPlayerIsDroppedWhileAnotherPlaysOn() throws Exception {
        // The broadcast's lag bound (BroadcastSettings) ends a player that stops reading; over
        // MMSH that is a closed connection (its $E cannot reach a full socket) and a log line.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        BroadcastSettings limits = BroadcastSettings.defaults().withMaxQueueBytes(512 * 1024)
                .withMaxLag(Duration.ofSeconds(1));
        Broadcast live = new Broadcast("live", group.next(), limits, ServerMetrics.NONE);
        try (LoopedFileSource source = new LoopedFileSource(live, List.of(Fixtures.media("av.asf")), 50,
                ByteBufAllocator.DEFAULT).start();
             MmsServer server = new MmsServer(ServerSettings.defaults().withPacingSpeed(0), request ->
                     new BroadcastCatalog("live", live).open(request.withPath("")), ServerMetrics.NONE, group)
                     .start(new InetSocketAddress("127.0.0.1", 0)).startHttp(new InetSocketAddress("127.0.0.1", 0));
             LogCapture logs = LogCapture.begin();
             Socket stalled = new Socket();
             Socket normal = new Socket()) {
            stalled.setReceiveBufferSize(16 * 1024);
            stalled.connect(server.httpAddress());
            normal.connect(server.httpAddress());
            byte[] play = MmshTestClient.get("live", "Pragma: xPlayStrm=1").getBytes(StandardCharsets.US_ASCII);
            stalled.getOutputStream().write(play);
            normal.getOutputStream().write(play);
            normal.setSoTimeout(5000);
            InputStream in = normal.getInputStream();
            byte[] buf = new byte[65536];
            long read = 0;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (logs.lines().stream().noneMatch(l -> l.contains("content error")) && System.nanoTime() < deadline) {
                int n = in.read(buf);
                assertTrue(n > 0, "the normal player's stream goes on");
                read += n;
            }
            assertTrue(System.nanoTime() < deadline, "the stalled player was dropped: " + logs.lines());
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            stalled.setSoTimeout(5000);
            assertTrue(MmshTestClient.readAll(stalled.getInputStream(), rest), "the stalled connection is closed");
            long until = System.nanoTime() + 5_000_000_000L;
            while (live.subscriberCount() != 1 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(1, live.subscriberCount(), "only the normal player is left");
            long more = 0;
            while (more < 200_000) {
                int n = in.read(buf);
                assertTrue(n > 0, "the normal player still plays");
                more += n;
            }
            assertTrue(read > 0);
        } finally {
            live.close();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void framingWritesTheSharedPayloadBufferItself() {
        List<ByteBuf> written = new ArrayList<>();
        List<Long> fields = new ArrayList<>();
        MmshFraming framing = new MmshFraming(new MmshFraming.Out() {
            @Override
            public void write(ByteBuf buf) {
                written.add(buf);
            }

            @Override
            public void writePacket(int locationId, int afFlags, ByteBuf payload) {
                fields.add(MmshFraming.dataFields(locationId, afFlags));
                written.add(payload);
            }
        }, ByteBufAllocator.DEFAULT);
        ByteBuf shared = Unpooled.buffer().writeBytes(new byte[100]);
        ByteBuf duplicate = shared.retainedDuplicate();
        framing.sendPacket(3, duplicate);
        assertEquals(1, written.size(), "the payload, for the connection to write behind its prefix");
        assertSame(duplicate, written.get(0), "the payload goes out as given: no copy per player");
        ByteBuf prefix = Unpooled.buffer();
        MmshFraming.DATA_PREFIX.write(prefix, fields.get(0), duplicate.readableBytes());
        assertEquals(12, prefix.readableBytes(), "a 12-byte prefix");
        assertEquals('$', prefix.getByte(0));
        assertEquals('D', prefix.getByte(1));
        assertEquals(108, prefix.getShortLE(2), "PacketLength: the data header and the payload");
        assertEquals(3, prefix.getIntLE(4), "LocationId: the packet's number");
        assertEquals(0, prefix.getByte(9), "AFFlags: the first $D's sequence");
        prefix.release();
        written.forEach(ByteBuf::release);
        assertEquals(1, shared.refCnt());
        shared.release();
    }
}
