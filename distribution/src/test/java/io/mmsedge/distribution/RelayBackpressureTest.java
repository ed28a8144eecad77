package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relayed (non-split) player that stops reading pauses the edge's upstream reads (autoRead)
 * instead of being disconnected once 16 MiB wait for it: content larger than that, from an
 * unpaced origin on loopback, reaches it whole once it reads again.
 */
class RelayBackpressureTest {

    /** More than the 16 MiB a relay used to queue for a player before disconnecting it. */
    private static final long MORE_THAN_THE_OLD_LIMIT = 28L << 20;

    /** An ASF file of about 32 MB made with ffmpeg (40 s of 640x480 WMV2 at the best quality). */
    private static Path bigFile(Path dir) throws Exception {
        Path big = dir.resolve("big.asf");
        ExternalTool.Result r = ExternalTool.run(List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                "-y", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25:duration=40", "-c:v", "wmv2", "-q:v", "1",
                "-g", "25", "-f", "asf", big.toString()), Duration.ofMinutes(3));
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(Files.size(big) > MORE_THAN_THE_OLD_LIMIT, "big.asf has only " + Files.size(big) + " bytes");
        return big;
    }

    @Test
    void aSlowRelayPlayerIsNotDisconnectedAndGetsEveryPacketOnceItReadsAgain(@TempDir Path dir) throws Exception {
        assumeTrue(ExternalTool.available("ffmpeg"), "ffmpeg makes the large content");
        Path big = bigFile(dir);
        AtomicLong originSent = new AtomicLong();
        ServerMetrics counting = new ServerMetrics() {
            @Override
            public PacketCounter packetCounter(String publishingPoint) {
                return (packets, bytes, header) -> originSent.addAndGet(bytes);
            }
        };
        MmsServer origin = new MmsServer(ServerSettings.defaults().withPacingSpeed(0),
                new DirectoryCatalog("/", dir, ByteBufAllocator.DEFAULT), counting, null)
                .start(new InetSocketAddress("127.0.0.1", 0));
        try (EdgeApplication edge = EdgeProxyTest.reverseEdge(origin.localAddress().getPort(), "bp");
             AsfFile f = AsfFile.open(big);
             MmsTestClient c = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(30), 64 * 1024)) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open("big.asf").hr());
            assertArrayEquals(f.header().fileHeader(), c.readHeader(2));
            c.selectStreams(f.header().streams().stream().mapToInt(AsfStream::number).toArray());
            assertEquals(0, c.startPlaying(0, 9).hr());
            Received first = c.nextAnsweringPings();
            assertTrue(first instanceof Received.Data, "first: " + first);

            // The player reads nothing until the unpaced origin sends no more: all of it (a relay
            // without backpressure queues it, and drops the player past 16 MiB), or what the
            // paused relay and the sockets in between hold.
            long sent = waitUntilSteady(originSent);
            System.out.println("origin sent " + sent + " of " + Files.size(big) + " bytes while the relay player read nothing");
            assertTrue(sent < Files.size(big) / 2, "the origin was held back: it sent " + sent + " of "
                    + Files.size(big) + " bytes while the player read nothing");

            MmsTestClient.PlayResult rest = c.readUntilEnd(false, 1_000_000);
            assertEquals(0, rest.lastEndOfStream().hr(), "the stream ends normally, not with an error");
            assertEquals(f.packetCount(), 1 + rest.packets.size(), "every packet, once");
            for (int i = 0; i < rest.packets.size(); i++) {
                assertEquals(i + 1, rest.packets.get(i).locationId(), "in order, none lost or repeated");
            }
        } finally {
            origin.close();
        }
    }

    /** The counter once it stayed the same for 2 s (at most 2 minutes). */
    private static long waitUntilSteady(AtomicLong counter) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = counter.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > TimeUnit.SECONDS.toNanos(2)) {
                return now;
            }
            Thread.sleep(100);
        }
        return last;
    }
}
