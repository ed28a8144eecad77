package io.mmsedge.protocol.mmsh;

import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import java.util.List;

/**
 * The Pragma tokens of one MMSH request ([MS-WMSP] §2.2.1.4) that the server acts on, typed.
 * Unset numbers are -1 (the spec's "4294967295" and "4294967295:4294967295" mean unset too).
 *
 * @param clientId            client-id (§2.2.1.4.5), the server's session identifier
 * @param clientGuid          xClientGUID (§2.2.1.4.33), null if absent
 * @param playStrm            xPlayStrm=1 (§2.2.1.4.36): a Play request
 * @param streamSwitchCount   stream-switch-count (§2.2.1.4.26)
 * @param streamSwitchEntries stream-switch-entry (§2.2.1.4.27), in order
 * @param streamTimeMs        stream-time (§2.2.1.4.29), ms from the start
 * @param streamOffset        stream-offset (§2.2.1.4.28): byte offset into the data packets
 * @param packetNum           packet-num (§2.2.1.4.15): the first data packet to send
 * @param rate                rate (§2.2.1.4.19); 1 when absent
 * @param requestContext      request-context (§2.2.1.4.20)
 * @param maxDurationMs       max-duration (§2.2.1.4.12)
 * @param linkBandwidth       LinkBW (§2.2.1.4.10), bits per second
 * @param accelBandwidth      AccelBW (§2.2.1.4.1), bits per second
 * @param accelDurationMs     AccelDuration (§2.2.1.4.2)
 * @param logLine             log-line (§2.2.1.4.11), null if absent
 * @param stopStrm            xStopStrm=1 (§2.2.1.4.38)
 * @param keepAliveInPause    xKeepAliveInPause (§2.2.1.4.34)
 * @param playNextEntry       xPlayNextEntry (§2.2.1.4.35)
 * @param pipelineRequest     pipeline-request (§2.2.1.4.16)
 * @param version11Enabled    version11-enabled=1 (§2.2.1.4.30): this Play uses pipelined mode
 * @param packetPair          packet-pair-experiment=1 (§2.2.1.4.14): $P packets before the $H
 */
public record Pragmas(long clientId, String clientGuid, boolean playStrm, int streamSwitchCount,
                      List<StreamSwitchEntry> streamSwitchEntries, long streamTimeMs, long streamOffset,
                      long packetNum, double rate, long requestContext, long maxDurationMs, long linkBandwidth,
                      long accelBandwidth, long accelDurationMs, String logLine, boolean stopStrm,
                      boolean keepAliveInPause, boolean playNextEntry, boolean pipelineRequest,
                      boolean version11Enabled, boolean packetPair) {

    public static final Pragmas NONE = new Pragmas(-1, null, false, -1, List.of(), -1, -1, -1, 1.0, -1, -1, -1, -1,
            -1, null, false, false, false, false, false, false);

    public Pragmas {
        streamSwitchEntries = List.copyOf(streamSwitchEntries);
    }

    public boolean hasStreamSwitch() {
        return !streamSwitchEntries.isEmpty();
    }
}
