package io.mmsedge.server.net;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Bounds on a listener's connections (issue #17, finding 2: 1,000 silent and 500 dripping
 * connections were held for the hour-long idle timeout, and at the file-descriptor limit
 * legitimate players and the status port were shut out).
 *
 * @param maxConnections   open player connections on the listener, all addresses together
 * @param maxPerAddress    open connections from one IP address (0 = no per-address bound)
 * @param maxHandshakes    connections still in their handshake (accepted, no header sent yet)
 * @param handshakeTimeout how long a connection may take from accept to its content's header
 *                         (MMS: Connect … OpenFile and the header's ReadBlock, §3.2.5.1–§3.2.5.8;
 *                         MMSH: the Describe or Play request); then it is closed
 */
public record ConnectionLimits(int maxConnections, int maxPerAddress, int maxHandshakes, Duration handshakeTimeout) {

    /** File descriptors kept out of the player bound: the status port, upstream sessions, cache files, logs. */
    static final int DESCRIPTOR_RESERVE = 512;

    public ConnectionLimits {
        if (maxConnections < 1 || maxPerAddress < 0 || maxHandshakes < 1 || handshakeTimeout.toMillis() <= 0) {
            throw new IllegalArgumentException("invalid connection limits: " + maxConnections + "/" + maxPerAddress
                    + "/" + maxHandshakes + "/" + handshakeTimeout);
        }
    }

    /**
     * The defaults: connections bounded below the process's file-descriptor limit (minus a
     * reserve, so the status port and admitted players keep working at the cap), a quarter of
     * them (256 at least) in handshake at once, 10 s to get through the handshake, no per-address bound (a
     * whole office or a carrier-grade NAT can share one address; operators set one).
     */
    public static ConnectionLimits defaults() {
        int max = Math.max(64, descriptorLimit() - DESCRIPTOR_RESERVE);
        return new ConnectionLimits(max, 0, Math.max(256, max / 4), Duration.ofSeconds(10));
    }

    private static int descriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            return (int) Math.min(Integer.MAX_VALUE / 2, u.getMaxFileDescriptorCount());
        }
        return 65536;
    }

    public ConnectionLimits withMaxConnections(int n) {
        return new ConnectionLimits(n, maxPerAddress, maxHandshakes, handshakeTimeout);
    }

    public ConnectionLimits withMaxPerAddress(int n) {
        return new ConnectionLimits(maxConnections, n, maxHandshakes, handshakeTimeout);
    }

    public ConnectionLimits withMaxHandshakes(int n) {
        return new ConnectionLimits(maxConnections, maxPerAddress, n, handshakeTimeout);
    }

    public ConnectionLimits withHandshakeTimeout(Duration d) {
        return new ConnectionLimits(maxConnections, maxPerAddress, maxHandshakes, d);
    }
}
