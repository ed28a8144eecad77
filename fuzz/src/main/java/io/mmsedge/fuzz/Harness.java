package io.mmsedge.fuzz;

import io.mmsedge.testkit.NettyLeakExtension;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every fuzz target checks besides its own properties: no allocation out of proportion to
 * the input, and no leaked buffer (paranoid leak detection, the same recording factory as the
 * tests use). A violation is thrown as an {@link AssertionError}, which Jazzer reports as a finding.
 *
 * <p>The allocation bound is what a hostile peer could make us allocate per byte it sends: a
 * fixed allowance plus {@link #PER_INPUT_BYTE} bytes per input byte. A parser that trusts a length
 * field (allocating 64 KiB for a 10-byte input claiming 64 KiB) breaks it. An input over the bound
 * is run a second time before it counts, so that one-time costs (class loading, static tables,
 * Netty's thread-local caches) are not taken for the parser's.
 */
public final class Harness {

    static {
        // Installs the recording leak-detector factory before any ByteBuf class is initialised.
        NettyLeakExtension.drainLeaks();
    }

    /** Fixed allowance per input: codec objects, exception messages, Jackson's buffers. */
    static final long BASE_ALLOWANCE = 2L << 20;
    /** Allowance per input byte: copies, strings (UTF-16), and the parsed objects. */
    static final long PER_INPUT_BYTE = 48;
    /** Leak checks force GCs; run them every so many inputs while fuzzing. */
    private static final long LEAK_CHECK_EVERY = 50_000;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static long runs;

    private Harness() {
    }

    /**
     * Runs {@code target} once on an empty input, from a target's {@code fuzzerInitialize}: class
     * loading, Jazzer's instrumentation of the classes it reaches and logging set-up then happen
     * before fuzzing starts. On a loaded machine they took longer than the 30 s per-input timeout
     * when the first input paid for them, which Jazzer reported as a (false) timeout finding.
     */
    public static void warmUp(Consumer<byte[]> target) {
        target.accept(new byte[0]);
    }

    /** Runs one input through {@code target} and checks the allocation bound and, now and then, leaks. */
    public static void run(String name, byte[] input, Consumer<byte[]> target) {
        long bound = BASE_ALLOWANCE + PER_INPUT_BYTE * input.length;
        long used = allocatedBy(input, target);
        if (used > bound) {
            used = allocatedBy(input, target);
            if (used > bound) {
                throw new AssertionError(name + ": allocated " + used + " bytes for an input of " + input.length
                        + " bytes (bound " + bound + ")");
            }
        }
        if (++runs % LEAK_CHECK_EVERY == 0) {
            checkLeaks(name);
        }
    }

    /**
     * Forces the leak detectors to report and fails on any report. Called every
     * {@link #LEAK_CHECK_EVERY} inputs (a finding like any other) and from each target's
     * {@code fuzzerTearDown}, where Jazzer does not report exceptions: there a leak ends the process
     * with {@link #LEAK_EXIT_CODE}.
     */
    public static void checkLeaks(String name) {
        NettyLeakExtension.collectLeaks();
        List<String> leaks = NettyLeakExtension.drainLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(name + ": Netty reported " + leaks.size() + " leak(s):\n"
                    + String.join("\n----\n", leaks));
        }
    }

    /** Exit status of a fuzzing run whose final leak check failed. */
    public static final int LEAK_EXIT_CODE = 86;

    /** The final leak check of a fuzzing run (a target's fuzzerTearDown). */
    public static void finalLeakCheck(String name) {
        try {
            checkLeaks(name);
        } catch (AssertionError e) {
            System.err.println("== mms-edge fuzz: " + e.getMessage());
            Runtime.getRuntime().halt(LEAK_EXIT_CODE);
        }
    }

    private static long allocatedBy(byte[] input, Consumer<byte[]> target) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        target.accept(input);
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
