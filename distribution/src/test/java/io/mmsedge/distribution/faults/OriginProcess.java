package io.mmsedge.distribution.faults;

import io.mmsedge.fixtures.ExternalTool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An origin in a process of its own (a JVM on this test's classpath running {@code Main
 * --config}), so that a test can do to it what happens to real servers: {@code kill -9},
 * {@code SIGSTOP} and {@code SIGCONT}.
 */
public final class OriginProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    private OriginProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts an origin whose YAML {@code publishingPoints} section is {@code points}, paced at
     * {@code pacing}, on a free loopback port; returns once it listens.
     */
    public static OriginProcess start(Path dir, double pacing, String points) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return start(dir, port, pacing, points);
    }

    /** As {@link #start(Path, double, String)}, on {@code port} (an origin restarting where it was). */
    public static OriginProcess start(Path dir, int port, double pacing, String points) throws Exception {
        Path conf = Files.writeString(Files.createTempFile(dir, "origin", ".yaml"), """
                server: {bind: 127.0.0.1, port: %d, pacingSpeed: %s, idleTimeoutSeconds: 30, udp: {enabled: false}}
                %s
                """.formatted(port, pacing, points));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.mmsedge.distribution.Main", "--config", conf.toString()).redirectErrorStream(true).start();
        OriginProcess o = new OriginProcess(p, port);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    o.lines.add(l);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "origin-process-output");
        reader.setDaemon(true);
        reader.start();
        o.await("MMS listening on", 60_000);
        return o;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for an output line containing {@code fragment}. */
    public void await(String fragment, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            synchronized (lines) {
                if (lines.stream().anyMatch(l -> l.contains(fragment))) {
                    return;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the origin exited " + process.exitValue() + ": " + lines);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + fragment + "' from the origin in " + lines);
    }

    /** {@code kill -9}: the process dies at once, its sockets reset by the kernel. */
    public void kill9() throws Exception {
        signal("-KILL");
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the origin survived kill -9");
        }
    }

    /** {@code kill -STOP}: frozen, its sockets open and silent. */
    public void freeze() throws Exception {
        signal("-STOP");
    }

    /** {@code kill -CONT}. */
    public void resume() throws Exception {
        signal("-CONT");
    }

    private void signal(String sig) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("kill", sig, Long.toString(process.pid())),
                Duration.ofSeconds(10));
        if (r.exitCode() != 0) {
            throw new AssertionError(r.describe());
        }
    }

    @Override
    public void close() {
        try {
            signal("-CONT");
        } catch (Exception | AssertionError ignored) {
            // already gone
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
