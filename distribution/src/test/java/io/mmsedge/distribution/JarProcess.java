package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * The packaged server as an operator runs it, {@code java -jar mms-edge.jar ARGS}, in a process of
 * its own, its output (stdout and stderr) collected line by line by a thread of its own. For the
 * ITs of the verify phase (failsafe), which run after the jar exists; {@link #close()} kills it.
 */
public final class JarProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private JarProcess(Process process) {
        this.process = process;
    }

    /** The jar the build made (system property {@code mmsedge.jar}); fails the test if it is missing. */
    public static Path jar() {
        Path p = Path.of(System.getProperty("mmsedge.jar", "target/mms-edge.jar"));
        assertTrue(Files.isRegularFile(p), "jar missing: " + p);
        return p;
    }

    /** A free loopback port (closed again: the jar binds it next). */
    public static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code java -jar mms-edge.jar args...}; returns at once (see {@link #await}). */
    public static JarProcess start(String... args) throws java.io.IOException {
        return start(List.of(), args);
    }

    /**
     * As {@link #start(String...)}, with SIGHUP's disposition set first: {@code "DEFAULT"}, so that
     * a test runner started under nohup (which children inherit) does not make SIGHUP vanish, or
     * {@code "IGNORE"}, to start as nohup would. Perl (Essential on Debian) sets it, then execs java.
     */
    public static JarProcess startWithHangUp(String disposition, String... args) throws java.io.IOException {
        return start(List.of("perl", "-e", "$SIG{HUP} = '" + disposition + "'; exec @ARGV or die \"exec: $!\"",
                "--"), args);
    }

    private static JarProcess start(List<String> prefix, String... args) throws java.io.IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("java", "-jar", jar().toString()));
        command.addAll(List.of(args));
        JarProcess j = new JarProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(j.process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    j.lines.add(l);
                }
            } catch (java.io.IOException ignored) {
                // the process is gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        return j;
    }

    public Process process() {
        return process;
    }

    /** The output so far (a synchronized list: lock it to iterate). */
    public List<String> lines() {
        return lines;
    }

    /** The first output line containing {@code fragment}, once there is one; fails after {@code millis}. */
    public String await(String fragment, long millis) throws InterruptedException {
        return await(fragment, 1, millis);
    }

    /**
     * Waits until {@code occurrences} output lines contain {@code fragment}, and returns the first
     * of them; fails after {@code millis}, or at once if the process exited without a word.
     */
    public String await(String fragment, int occurrences, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            synchronized (lines) {
                List<String> found = matching(fragment).toList();
                if (found.size() >= occurrences) {
                    return found.get(0);
                }
            }
            assertTrue(process.isAlive() || !lines.isEmpty(), "the process exited: " + lines);
            Thread.sleep(20);
        }
        throw new AssertionError("no '" + fragment + "'" + (occurrences == 1 ? "" : " (" + occurrences + ")")
                + " in " + lines);
    }

    /** True if an output line so far contains {@code fragment}. */
    public boolean logged(String fragment) {
        synchronized (lines) {
            return matching(fragment).findAny().isPresent();
        }
    }

    private Stream<String> matching(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
