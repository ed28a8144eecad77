package io.mmsedge.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns every Netty leak report into a test failure.
 *
 * <p>Registered for every test class by JUnit's extension auto-detection
 * ({@code junit-platform.properties} in this module). Its static initialiser installs a
 * {@link ResourceLeakDetectorFactory} before any {@code ByteBuf} class is initialised, so every
 * detector Netty creates records its reports here as well as logging them. After each test
 * class it forces collection and allocation (detectors poll their reference queue on
 * {@code track()}), then fails the class if anything leaked. Tests run with
 * {@code -Dio.netty.leakDetection.level=paranoid} (root pom), so every buffer is tracked.
 */
public final class NettyLeakExtension implements AfterAllCallback {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    /** Leak reports seen so far and not yet claimed by a failing class. */
    public static List<String> drainLeaks() {
        List<String> out = new ArrayList<>();
        String s;
        while ((s = LEAKS.poll()) != null) {
            out.add(s);
        }
        return out;
    }

    /** Forces GC and allocations until every detector has polled its queue. */
    public static void collectLeaks() {
        for (int i = 0; i < 6; i++) {
            System.gc();
            System.runFinalization();
            for (ByteBufAllocator alloc : new ByteBufAllocator[] {
                    ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, Unpooled.buffer(0).alloc()}) {
                ByteBuf b = alloc.buffer(16);
                b.release();
                ByteBuf d = alloc.directBuffer(16);
                d.release();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        collectLeaks();
        List<String> leaks = drainLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError("Netty reported " + leaks.size() + " leak(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n----\n", leaks));
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK (untraced): " + resourceType);
            super.reportUntracedLeak(resourceType);
        }
    }
}
