package io.mmsedge.protocol.asf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AsfSeekTest {

    /** Content-time presentation of the video key frame starting in packet n, or -1. */
    private static long keyFrameTime(AsfFile f, long n, int stream) throws IOException {
        ByteBuf b = f.readPacket(n, ByteBufAllocator.DEFAULT);
        try {
            for (AsfPayload pl : AsfPacket.parse(b, f.packetSize()).payloads()) {
                if (pl.streamNumber() == stream && pl.isKeyFrameStart()) {
                    return pl.presentationTimeMs() - f.header().prerollMs();
                }
            }
            return -1;
        } finally {
            b.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"av.asf", "indexed.asf", "mbr.asf"})
    void seekLandsOnKeyFrameWithinOneSecond(String name) throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file(name))) {
            if (name.equals("av.asf")) {
                assertNull(f.index());
            } else {
                assertNotNull(f.index());
            }
            long durationMs = (long) (f.header().durationSeconds() * 1000);
            long firstKey = keyFrameTime(f, f.packetForTime(0), 1);
            assertTrue(firstKey >= 0 && firstKey < 100, "before the first key frame: start at it (" + firstKey + ")");
            for (long target = firstKey; target < durationMs; target += 250) {
                long n = f.packetForTime(target);
                assertTrue(n >= 0 && n < f.packetCount());
                long key = keyFrameTime(f, n, 1);
                assertTrue(key >= 0, name + " @" + target + ": packet " + n + " has no key-frame start");
                assertTrue(key <= target, name + " @" + target + ": key frame at " + key + " is after the target");
                assertTrue(target - key <= 1000, name + " @" + target + ": key frame at " + key + " too early");
            }
            // The seek used by the end-to-end test (-ss 5): key frame at 5 s exactly.
            long at5 = keyFrameTime(f, f.packetForTime(5000), 1);
            assertTrue(at5 <= 5000 && at5 > 4000, "key frame for 5 s at " + at5);
            // clamping
            assertEquals(f.packetForTime(0), f.packetForTime(-5));
            long end = f.packetForTime(Long.MAX_VALUE);
            assertTrue(end >= 0 && end < f.packetCount());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"indexed.asf", "mbr.asf"})
    void indexAndSendTimeSearchAgree(String name) throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file(name))) {
            for (long t = 0; t < 8000; t += 100) {
                long viaIndex = f.packetForTime(t, 1, true);
                long viaSearch = f.packetForTime(t, 1, false);
                assertEquals(keyFrameTime(f, viaIndex, 1), keyFrameTime(f, viaSearch, 1), name + " @" + t);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"audio.asf"})
    void audioOnlySeekUsesSendTimes(String name) throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.file(name))) {
            long previous = -1;
            for (long t = 0; t < 8000; t += 500) {
                long n = f.packetForTime(t);
                assertTrue(n >= previous, "monotonic");
                previous = n;
                ByteBuf b = f.readPacket(n, ByteBufAllocator.DEFAULT);
                try {
                    assertTrue(AsfPacket.parse(b, f.packetSize()).sendTimeMs() <= t + f.header().prerollMs());
                } finally {
                    b.release();
                }
            }
        }
    }
}
