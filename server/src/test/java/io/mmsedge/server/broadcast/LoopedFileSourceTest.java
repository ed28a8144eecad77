package io.mmsedge.server.broadcast;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.server.ServerMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A looped broadcast source that cannot produce its stream as fast as its pacing asks (seen:
 * 100× pacing under paranoid leak detection on a loaded machine) must not hold its event loop:
 * that loop also runs players' sessions, and holding it livelocked MmshBroadcastTest's shutdown.
 */
class LoopedFileSourceTest {

    @Test
    void aSourceFarBehindItsClockStillLetsTheEventLoopRunOtherWork() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Broadcast live = new Broadcast("live", group.next(), BroadcastSettings.defaults(), ServerMetrics.NONE);
        // A million times real time: every packet is always due, the source is always behind.
        try (LoopedFileSource source = new LoopedFileSource(live, List.of(Fixtures.media("av.asf")), 1e6,
                ByteBufAllocator.DEFAULT).start()) {
            // Tasks are queued one after another, 20 at least and until the source has finished a
            // loop of the file: each must run while the source is behind. (20 alone once ran before
            // the first loop was done, in a fresh JVM under paranoid leak detection.)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < 20 || (source.loops() == 0 && System.nanoTime() < deadline); i++) {
                CountDownLatch ran = new CountDownLatch(1);
                live.publisher().execute(ran::countDown);
                assertTrue(ran.await(10, TimeUnit.SECONDS), "a task queued on the source's event loop runs (" + i
                        + ", after " + source.loops() + " loops)");
            }
            assertTrue(source.loops() > 0, "and the source keeps publishing meanwhile");
        } finally {
            live.close();
            assertTrue(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS),
                    "the event loop shuts down");
        }
    }
}
