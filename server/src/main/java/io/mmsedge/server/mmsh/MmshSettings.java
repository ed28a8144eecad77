package io.mmsedge.server.mmsh;

import java.time.Duration;

/**
 * Settings of the MMSH front end ([MS-WMSP]).
 *
 * @param mmsPort        the MMS/TCP port that ASX metafiles point at; 0 = the port of the MMS
 *                       listener this front end runs beside (none for a lone HTTP listener)
 * @param maxInitialLine the longest HTTP request line accepted (the URL of a stream is short)
 * @param maxHeaderSize  the most bytes of request headers accepted
 * @param maxBodySize    the largest POST body accepted (LogStats lines are a few hundred bytes)
 * @param sniffTimeout   how long a connection may take to send its first bytes (shared port) and
 *                       its first whole HTTP request
 * @param sharePort      serve MMSH (and refuse RTSP) on the MMS port as well, by the first bytes
 */
public record MmshSettings(int mmsPort, int maxInitialLine, int maxHeaderSize, int maxBodySize,
                           Duration sniffTimeout, boolean sharePort) {

    /** Most bytes a shared port buffers before it knows the protocol: an RTSP request's headers. */
    public static final int MAX_SNIFF_BYTES = 4096;

    public MmshSettings {
        if (mmsPort < 0 || mmsPort > 65535) {
            throw new IllegalArgumentException("mmsPort must be 0..65535");
        }
        if (maxInitialLine < 64 || maxHeaderSize < 256 || maxBodySize < 0) {
            throw new IllegalArgumentException("MMSH bounds too small");
        }
        if (sniffTimeout.toMillis() <= 0) {
            throw new IllegalArgumentException("sniffTimeout must be positive");
        }
    }

    public static MmshSettings defaults() {
        return new MmshSettings(0, 4096, 16 * 1024, 16 * 1024, Duration.ofSeconds(10), true);
    }

    public MmshSettings withMmsPort(int port) {
        return new MmshSettings(port, maxInitialLine, maxHeaderSize, maxBodySize, sniffTimeout, sharePort);
    }

    public MmshSettings withSharePort(boolean share) {
        return new MmshSettings(mmsPort, maxInitialLine, maxHeaderSize, maxBodySize, sniffTimeout, share);
    }

    public MmshSettings withSniffTimeout(Duration d) {
        return new MmshSettings(mmsPort, maxInitialLine, maxHeaderSize, maxBodySize, d, sharePort);
    }
}
