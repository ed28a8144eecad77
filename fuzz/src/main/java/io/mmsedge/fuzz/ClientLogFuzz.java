package io.mmsedge.fuzz;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mmsh.LogStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A player's log: the binary LinkViewerToMacLogging structure (MS-MMSP §2.2.4.20) and, from the
 * same bytes taken as text, an MMSH LogStats body (MS-WMSP §2.2.2.4). Both are forwarded
 * upstream. Properties: neither parser throws; the binary log re-encodes, and decoding that
 * gives the same log (what reaches the origin is what the player said).
 */
public final class ClientLogFuzz {

    private ClientLogFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("client-log", data, ClientLogFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(ClientLogFuzz::check);
    }

    public static void fuzzerTearDown() {
        Harness.finalLeakCheck("client-log");
    }

    static void check(byte[] data) {
        ClientLog log = ClientLog.decode(Unpooled.wrappedBuffer(data));
        ByteBuf out = Unpooled.buffer(ClientLog.SIZE);
        try {
            log.encode(out);
            ClientLog again = ClientLog.decode(out);
            if (!again.equals(log)) {
                throw new AssertionError("the client log does not round-trip:\n" + log + "\n" + again);
            }
        } finally {
            out.release();
        }
        log.toLogString();
        LogStats.parse(new String(data, StandardCharsets.ISO_8859_1)).toLogString();
    }
}
