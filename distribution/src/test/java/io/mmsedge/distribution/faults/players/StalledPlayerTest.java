package io.mmsedge.distribution.faults.players;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.faults.FaultRig;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.client.Received;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #17, finding 4: a player that stops reading, mid-relay and mid-split, is dropped after
 * {@code server.writeStallSeconds} without write progress (not at the lag limit, 93 s later), its
 * kernel send queue stays within {@code server.sendBufferBytes} while it is stalled and is freed
 * at the drop (an RST: no socket left holding data), with a log line naming the player and the
 * reason and a count in the metrics; a healthy player on the same edge at the same time gets
 * exactly the file's frames (ffmpeg's framemd5).
 */
class StalledPlayerTest {

    private static final int SEND_BUFFER = 16 * 1024;
    /** The kernel doubles SO_SNDBUF for its bookkeeping; the queue of payload stays below that. */
    private static final long KERNEL_BOUND = 2L * SEND_BUFFER;
    private static final double STALL_SECONDS = 1;

    @BeforeAll
    static void tools() {
        Players.require("ffmpeg");
        Players.require("ss");
    }

    /** An origin serving the fixtures and av.asf as a looped broadcast at /live, both at real-time pace. */
    private static EdgeApplication origin() throws Exception {
        return FaultRig.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 1}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(Fixtures.mediaDir(), Fixtures.media("av.asf")));
    }

    /** An edge without a cache (on-demand content is relayed), with small player send buffers and a 1 s stall limit. */
    private static EdgeApplication edge(EdgeApplication origin) throws Exception {
        return FaultRig.start("""
                server: {pacingSpeed: 1, writeBufferBytes: 16384, sendBufferBytes: %d, writeStallSeconds: %s}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(SEND_BUFFER, STALL_SECONDS, origin.mmsAddress().getPort()));
    }

    @Test
    void aPlayerThatStopsReadingMidRelayIsDroppedAndItsKernelQueueFreed() throws Exception {
        stallAndCheck("av.asf");
    }

    @Test
    void aPlayerThatStopsReadingMidSplitIsDroppedAndItsKernelQueueFreed() throws Exception {
        stallAndCheck("live");
    }

    private static void stallAndCheck(String path) throws Exception {
        String want = fileFrames("av.asf");
        try (EdgeApplication origin = origin(); EdgeApplication edge = edge(origin); LogCapture log = LogCapture.begin();
             AsfFile av = AsfFile.open(Fixtures.media("av.asf"));
             MmsTestClient stalled = MmsTestClient.connect(edge.edgeAddress(), Duration.ofSeconds(20), 4096)) {
            int edgePort = edge.edgeAddress().getPort();
            // A healthy player on the same edge meanwhile: ffmpeg, on-demand through the relay.
            CompletableFuture<ExternalTool.Result> healthy = CompletableFuture.supplyAsync(() -> {
                try {
                    return Players.framemd5("mmst://127.0.0.1:" + edgePort + "/av.asf");
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            stalled.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, stalled.open(path).hr(), "open " + path);
            stalled.readHeader(2);
            stalled.selectStreams(av.header().streams().stream().mapToInt(AsfStream::number).toArray());
            assertEquals(0, stalled.startPlaying(0, 9).hr());
            assertTrue(stalled.nextAnsweringPings() instanceof Received.Data, "playing");
            int clientPort = stalled.localPort();
            long stallStart = System.nanoTime();

            // The player now reads nothing. While its queue fills, the kernel holds no more than the bound.
            long maxQueue = 0;
            String dropped = null;
            while (dropped == null && System.nanoTime() - stallStart < TimeUnit.SECONDS.toNanos(15)) {
                long q = FaultRig.sendQueue(edgePort, clientPort);
                maxQueue = Math.max(maxQueue, q);
                dropped = log.await(100, "stopped reading", ":" + clientPort);
            }
            long droppedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stallStart);
            assertNotNull(dropped, "the stalled player was dropped for want of write progress; log: " + log.lines());
            assertTrue(dropped.contains("no write progress"), dropped);
            System.out.println(path + ": dropped after " + droppedAfterMs + " ms; largest send queue " + maxQueue
                    + " bytes; " + dropped);
            assertTrue(maxQueue > 0, "the player did stall with data queued");
            assertTrue(maxQueue <= KERNEL_BOUND, "send queue " + maxQueue + " bytes within the bound " + KERNEL_BOUND);
            // Not at the 10 s lag limit of a split: the stall limit, plus the time to fill the buffers.
            assertTrue(droppedAfterMs < 9_000, "dropped after " + droppedAfterMs + " ms");

            // The drop was an RST: the edge holds no socket (and so no send queue) for the player.
            long after = -2;
            for (int i = 0; i < 50 && (after = FaultRig.sendQueue(edgePort, clientPort)) > 0; i++) {
                Thread.sleep(100);
            }
            assertTrue(after <= 0, "the edge's socket still queues " + after + " bytes after the drop");
            assertTrue(after == -1, "no socket left for the dropped player (an RST, not a FIN), got a queue of " + after);
            assertPlayerSeesTheEnd(stalled);

            String scrape = edge.registry().scrape();
            assertTrue(scrape.lines().anyMatch(l -> l.startsWith("mmsedge_errors_total") && l.contains("write_stall")
                    && !l.endsWith(" 0.0")), "the drop is counted:\n" + scrape.lines()
                    .filter(l -> l.startsWith("mmsedge_errors")).toList());

            ExternalTool.Result r = healthy.get(60, TimeUnit.SECONDS);
            assertEquals(0, r.exitCode(), r.describe());
            assertEquals(Players.frameLines(want), Players.frameLines(r.stdoutText()),
                    "the healthy player's frames are the file's");
            assertTrue(log.lines().stream().filter(l -> l.contains("stopped reading")).count() == 1,
                    "only the stalled player was dropped: " + log.lines());
        }
    }

    /** After the RST the player's socket reports the end: a reset, or an end of stream. */
    private static void assertPlayerSeesTheEnd(MmsTestClient c) throws IOException {
        c.setReadTimeout(Duration.ofSeconds(10));
        try {
            for (int i = 0; i < 100_000; i++) {
                c.next();
            }
            fail("the dropped player's connection kept delivering");
        } catch (EOFException | SocketException ended) {
            // expected: a reset discards what the player had not read, or ends it
        } catch (SocketTimeoutException open) {
            fail("the dropped player's connection is still open");
        }
    }

    private static String fileFrames(String fixture) throws Exception {
        ExternalTool.Result r = Players.framemd5(Fixtures.media(fixture).toString());
        assertEquals(0, r.exitCode(), r.describe());
        return r.stdoutText();
    }
}
