package io.mmsedge.distribution.faults;

import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** What the fault-injection cases share: servers from YAML, and the kernel's view of a socket. */
public final class FaultRig {

    private FaultRig() {
    }

    /** An origin or edge started in this JVM from {@code yaml} (relative paths: the fixture media). */
    public static EdgeApplication start(String yaml) throws Exception {
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test",
                Fixtures.mediaDir());
        return EdgeApplication.start(cfg, Fixtures.mediaDir());
    }

    /**
     * The kernel's send queue (bytes) of the TCP socket from local port {@code localPort} to peer
     * port {@code peerPort} on loopback, by {@code ss -tn}; -1 when there is no such socket (any
     * state: one closed with a FIN but still owing data stays listed, in FIN-WAIT).
     */
    public static long sendQueue(int localPort, int peerPort) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("ss", "-tnH", "state", "all", "sport", "=", ":" + localPort,
                "dport", "=", ":" + peerPort), Duration.ofSeconds(10));
        if (r.exitCode() != 0) {
            throw new AssertionError(r.describe());
        }
        for (String line : r.stdoutText().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5) {
                return Long.parseLong(f[2]); // State Recv-Q Send-Q Local Peer
            }
        }
        return -1;
    }
}
