package io.mmsedge.fuzz;

import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfIndex;
import io.netty.buffer.Unpooled;

/**
 * A Simple Index Object (read from files and cache items). Properties: only
 * {@link AsfFormatException} for bad input; every lookup stays inside the entries.
 */
public final class AsfIndexFuzz {

    private AsfIndexFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("asf-index", data, AsfIndexFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(AsfIndexFuzz::check);
    }

    public static void fuzzerTearDown() {
        Harness.finalLeakCheck("asf-index");
    }

    static void check(byte[] data) {
        AsfIndex index;
        try {
            index = AsfIndex.parse(Unpooled.wrappedBuffer(data));
        } catch (AsfFormatException e) {
            return;
        }
        if (index.entryCount() < 0 || (long) index.entryCount() * 6 > data.length) {
            throw new AssertionError(index.entryCount() + " entries in " + data.length + " bytes");
        }
        for (long ms : new long[] {0, 1, 1000, Long.MAX_VALUE / 20_000, -1}) {
            index.packetForTime(ms);
        }
        for (int i = 0; i < Math.min(index.entryCount(), 64); i++) {
            index.packetNumber(i);
            index.packetCount(i);
        }
    }
}
