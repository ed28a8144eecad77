package io.mmsedge.fuzz;

import java.util.List;
import java.util.function.Consumer;

/** Every fuzz target: its corpus name, its driver class (for Jazzer) and its check. */
public final class Targets {

    /** One target. {@code corpus} names its seed directory under {@code fuzz/corpus/}. */
    public record Target(String corpus, Class<?> driver, Consumer<byte[]> check) {
    }

    public static final List<Target> ALL = List.of(
            new Target("mms-stream", MmsStreamFuzz.class, MmsStreamFuzz::check),
            new Target("asf-header", AsfHeaderFuzz.class, AsfHeaderFuzz::check),
            new Target("asf-packet", AsfPacketFuzz.class, AsfPacketFuzz::check),
            new Target("asf-index", AsfIndexFuzz.class, AsfIndexFuzz::check),
            new Target("client-log", ClientLogFuzz.class, ClientLogFuzz::check),
            new Target("subscriber-name", SubscriberNameFuzz.class, SubscriberNameFuzz::check),
            new Target("mmsh-request", MmshRequestFuzz.class, MmshRequestFuzz::check),
            new Target("mmsh-frames", MmshFramesFuzz.class, MmshFramesFuzz::check),
            new Target("config", ConfigFuzz.class, ConfigFuzz::check));

    private Targets() {
    }
}
