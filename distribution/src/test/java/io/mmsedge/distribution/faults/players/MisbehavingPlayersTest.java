package io.mmsedge.distribution.faults.players;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.faults.FaultRig;
import io.mmsedge.distribution.realplayers.Players;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Players that misbehave (issue #17, fault-injection suite), against a real edge and origin
 * while ffmpeg plays through the same edge: 2,000 connects and closes in a burst, and a flood of
 * out-of-state messages. Each case checks what the misbehaving peers saw, what the edge logged,
 * that it holds no connection (file descriptor) afterwards, and that ffmpeg got exactly the
 * file's frames. (Silent, dripping and Connect-then-nothing peers: server/net AdmissionTest;
 * players that stop reading: StalledPlayerTest; see docs/fault-injection.md.)
 */
class MisbehavingPlayersTest {

    private static final int BURST = 2000;
    private static final int FLOODERS = 100;
    private static final int MESSAGES_EACH = 50;

    @BeforeAll
    static void tools() {
        Players.require("ffmpeg");
    }

    private static EdgeApplication origin() throws Exception {
        return FaultRig.start("""
                server: {bind: 127.0.0.1, port: 0, pacingSpeed: 2}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir()));
    }

    private static EdgeApplication edge(EdgeApplication origin) throws Exception {
        return FaultRig.start("""
                server: {pacingSpeed: 2}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  reverse:
                    - {prefix: "", origins: ["mms://127.0.0.1:%d"]}
                """.formatted(origin.mmsAddress().getPort()));
    }

    private static CompletableFuture<ExternalTool.Result> ffmpeg(InetSocketAddress edge) {
        return Players.inBackground(() -> Players.framemd5("mmst://127.0.0.1:" + edge.getPort() + "/av.asf"));
    }

    private static void assertHealthy(CompletableFuture<ExternalTool.Result> healthy) throws Exception {
        ExternalTool.Result want = Players.framemd5(Fixtures.media("av.asf").toString());
        ExternalTool.Result r = healthy.get(90, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(Players.frameLines(want.stdoutText()), Players.frameLines(r.stdoutText()),
                "the healthy player's frames are the file's");
    }

    /** Open file descriptors of this JVM (the edge runs in it). */
    private static long descriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Waits until the descriptors are back within {@code slack} of {@code baseline}; returns the last count. */
    private static long awaitDescriptors(long baseline, long slack) throws Exception {
        long n = descriptors();
        for (int i = 0; i < 100 && n > baseline + slack; i++) {
            Thread.sleep(100);
            n = descriptors();
        }
        return n;
    }

    /** Runs {@code count} jobs (job {@code n} made by {@code job}) on 8 threads; their results, each within 60 s. */
    private static <T> List<T> onEightThreads(int count, IntFunction<Callable<T>> job) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<T>> jobs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                jobs.add(pool.submit(job.apply(i)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : jobs) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoThousandConnectsAndClosesInABurstLeaveNothingBehind() throws Exception {
        try (EdgeApplication origin = origin(); EdgeApplication edge = edge(origin); LogCapture log = LogCapture.begin()) {
            InetSocketAddress at = edge.edgeAddress();
            long before = descriptors();
            CompletableFuture<ExternalTool.Result> healthy = ffmpeg(at);
            AtomicInteger connected = new AtomicInteger();
            onEightThreads(BURST, n -> () -> {
                try (Socket s = new Socket()) {
                    s.connect(at, 5000);
                    connected.incrementAndGet();
                    if (n % 2 == 0) {
                        s.setSoLinger(true, 0); // every other one resets instead of closing
                    }
                }
                return null;
            });
            assertEquals(BURST, connected.get(), "every connect was accepted");
            assertHealthy(healthy);
            long after = awaitDescriptors(before, 16);
            assertTrue(after <= before + 16, "descriptors back to " + before + " (+16), are " + after);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("Too many open files") || l.startsWith("ERROR")),
                    "no errors: " + log.lines().stream().filter(l -> !l.startsWith("INFO")).limit(5).toList());
        }
    }

    /** {@code count} StartPlaying commands after a Connect, in one write: out of state from the second message on. */
    private static byte[] flood(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            ByteBuf f = MmsFrameEncoder.encodeFrame(ByteBufAllocator.DEFAULT, i + 1, 0,
                    new StartPlaying(1, 0, 0, -1, -1, 0, 4, -1, -1, -1));
            try {
                out.writeBytes(ByteBufUtil.getBytes(f));
            } finally {
                f.release();
            }
        }
        return out.toByteArray();
    }

    @Test
    void aFloodOfOutOfStateMessagesClosesEachPeerWithOneWarning() throws Exception {
        try (EdgeApplication origin = origin(); EdgeApplication edge = edge(origin); LogCapture log = LogCapture.begin()) {
            InetSocketAddress at = edge.edgeAddress();
            long before = descriptors();
            CompletableFuture<ExternalTool.Result> healthy = ffmpeg(at);
            byte[] flood = flood(MESSAGES_EACH);
            List<Integer> ports = onEightThreads(FLOODERS, n -> () -> {
                try (MmsTestClient c = MmsTestClient.connect(at, Duration.ofSeconds(10))) {
                    c.send(new Connect(0xF0F0F0EF, 0x0004000B, 0x0003001C, MmsTestClient.DEFAULT_SUBSCRIBER));
                    c.expect(ReportConnectedEx.class);
                    try {
                        c.sendRaw(flood);
                    } catch (IOException closedMidFlood) {
                        // the edge closed at the first of them: the rest met a reset
                    }
                    assertTrue(c.closedByServer(), "the flooding peer is closed");
                    return c.localPort();
                }
            });
            Thread.sleep(500);
            for (int port : ports) {
                long warnings = log.lines().stream().filter(l -> l.contains("peer=/127.0.0.1:" + port + " ")
                        && l.contains("message=StartPlaying")).count();
                assertEquals(1, warnings, "one warning for peer " + port);
            }
            assertHealthy(healthy);
            long after = awaitDescriptors(before, 16);
            assertTrue(after <= before + 16, "descriptors back to " + before + " (+16), are " + after);
        }
    }
}
