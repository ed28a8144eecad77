package io.mmsedge.server.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.fixtures.load.LoadGenerator;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.server.ServerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue acceptance ("Slow player"): one player that stops reading for 30 s does not move the
 * other players' p99 lag by more than 100 ms, its queue stays within its bound, and it is
 * dropped after the configured lag.
 *
 * <p>The other players' p99 lag (in real milliseconds, see {@link LoadGenerator}) is measured
 * twice in the same run, by the same load generator over the same 30 s: without a stalled player,
 * and while one player reads nothing for the whole 30 s. The stall is the real 30 s and
 * the 100 ms tolerance is the issue's; what is scaled is the content rate: the broadcast plays 16
 * times faster than real time. On loopback the kernel keeps up to ~3 MB in the send buffer of a
 * socket whose reader stopped (its MSS is 64 KiB, so the buffer autotunes large), which at
 * av.asf's real rate (~23 KB/s) would take minutes to fill before the broadcast's own queue sees
 * the stall; at 16x (~360 KB/s) it fills in about 10 s, the 128 KiB queue overflows, and the
 * 10 s lag limit runs out inside the 30 s.
 */
class SlowPlayerLagTest {

    private static final long QUEUE = 128 * 1024;
    private static final Duration MAX_LAG = Duration.ofSeconds(10);
    private static final int STALL_SECONDS = 30;
    private static final int OTHERS = 20;
    private static final double SPEED = 16;
    private static final long TOLERANCE_MS = 100;
    private static final Pattern LAG = Pattern.compile("player lags (\\d+) ms");

    @Test
    void aPlayerThatStopsReadingFor30sDoesNotMoveTheOthersP99Lag() throws Exception {
        BroadcastSettings limits = BroadcastSettings.defaults().withMaxQueueBytes(QUEUE).withMaxLag(MAX_LAG);
        ServerSettings d = ServerSettings.defaults();
        ServerSettings settings = new ServerSettings(d.serverVersionInfo(), d.keepAlive(), d.idleTimeout(), SPEED,
                d.maxCommandSize(), 32 * 1024, d.writeMergeMillis());
        try (AsfFile av = AsfFile.open(BroadcastTestServer.av());
             BroadcastTestServer server = new BroadcastTestServer(settings,
                     Map.of("live", List.of(BroadcastTestServer.av())), Map.of("live", limits), SPEED)) {
            int[] all = BroadcastSessionTest.streams(av, null);
            new LoadGenerator(server.address(), "live").withContentSpeed(SPEED).run(OTHERS, 3, 1); // warm-up (JIT), not measured

            LoadGenerator.Result without = new LoadGenerator(server.address(), "live").withContentSpeed(SPEED)
                    .run(OTHERS, STALL_SECONDS, 1, 1, null);

            AtomicReference<MmsTestClient> stalled = new AtomicReference<>();
            AtomicReference<BroadcastMedia> stalledMedia = new AtomicReference<>();
            AtomicLong stallStart = new AtomicLong();
            AtomicLong droppedAt = new AtomicLong(-1);
            AtomicReference<Throwable> problem = new AtomicReference<>();
            Thread watcher = new Thread(() -> {
                // Notes when the server gives up on the stalled player.
                while (!Thread.currentThread().isInterrupted() && droppedAt.get() < 0) {
                    BroadcastMedia m = stalledMedia.get();
                    BroadcastSubscriber s = m == null ? null : m.subscriber();
                    if (s != null && s.failure() != null) {
                        droppedAt.set(System.nanoTime());
                        return;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            LoadGenerator others = new LoadGenerator(server.address(), "live").withContentSpeed(SPEED);
            LoadGenerator.Result with = others.run(OTHERS, STALL_SECONDS, 1, 1, new LoadGenerator.Window() {
                @Override
                public void opened() {
                    try {
                        int before = server.opened.size();
                        MmsTestClient c = MmsTestClient.connect(server.address(), Duration.ofSeconds(10), 4096);
                        stalled.set(c);
                        c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
                        assertEquals(0, c.open("live").hr());
                        assertEquals(before + 1, server.opened.size(), "only the stalled player opened now");
                        stalledMedia.set(server.opened.get(before));
                        c.readHeader(2);
                        c.selectStreams(all);
                        c.startPlaying(0, 4);
                        stallStart.set(System.nanoTime()); // from here on it reads nothing
                        watcher.start();
                    } catch (Throwable t) {
                        problem.set(t);
                    }
                }

                @Override
                public void closing() {
                }
            });
            watcher.interrupt();
            watcher.join();
            if (problem.get() != null) {
                throw new AssertionError("the stalled player could not start", problem.get());
            }
            System.out.println("others without a stalled player: " + without.summary());
            System.out.println("others with a stalled player:    " + with.summary());

            for (LoadGenerator.Result r : List.of(without, with)) {
                assertEquals(0, r.failures(), r.summary());
                assertEquals(OTHERS, r.playing(), "every other player plays to the end: " + r.summary());
                assertEquals(0, r.continuityErrors(), r.summary());
                assertEquals(0, r.missedPackets(), "the others miss nothing: " + r.summary());
                // av.asf at 16x is ~155 packets/s: each other player got nearly all of 30 s.
                assertTrue(r.minPacketsPerPlayer() > 4000, r.summary());
            }
            long delta = with.lagPercentile(99) - without.lagPercentile(99);
            assertTrue(Math.abs(delta) <= TOLERANCE_MS, "the stalled player moved the others' p99 lag by " + delta
                    + " ms (without " + without.lagPercentile(99) + " ms, with " + with.lagPercentile(99) + " ms)");

            // The server gave up on the stalled player after the lag limit, within the stall.
            BroadcastSubscriber s = stalledMedia.get().subscriber();
            assertNotNull(s.failure(), "the stalled player was dropped (it took " + s.deliveredPackets()
                    + " packets, queued at most " + s.peakQueuedBytes() + " bytes, skipped " + s.droppedPackets() + ")");
            assertTrue(droppedAt.get() > 0, "dropped during the stall");
            long droppedAfterMs = (droppedAt.get() - stallStart.get()) / 1_000_000;
            assertTrue(droppedAfterMs >= MAX_LAG.toMillis() && droppedAfterMs < STALL_SECONDS * 1000L,
                    "dropped " + droppedAfterMs + " ms into the stall (lag limit " + MAX_LAG.toMillis() + " ms)");
            Matcher m = LAG.matcher(s.failure());
            assertTrue(m.find(), s.failure());
            long lagAtDrop = Long.parseLong(m.group(1));
            // Lag is checked as packets arrive (~155/s) and while the socket can't take more. The
            // server drops at a lag above the limit in nanoseconds and reports it in whole
            // milliseconds, truncated: 10000.4 ms reads 10000.
            assertTrue(lagAtDrop >= MAX_LAG.toMillis() && lagAtDrop < MAX_LAG.toMillis() + 1000,
                    "dropped at a lag of " + lagAtDrop + " ms: " + s.failure());
            assertTrue(s.peakQueuedBytes() <= QUEUE, "queue bound kept: " + s.peakQueuedBytes());
            assertTrue(s.peakQueuedBytes() > QUEUE / 2, "the stall did reach the queue: " + s.peakQueuedBytes());
            assertEquals(0, s.queuedBytes(), "a dropped player holds no buffers");

            // Reading again, it finds what its socket buffers held, then the closed connection.
            BroadcastTestServer.assertServerCloses(stalled.get(), Duration.ofSeconds(5));
        }
    }
}
