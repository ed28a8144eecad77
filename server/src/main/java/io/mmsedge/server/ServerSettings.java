package io.mmsedge.server;

import java.time.Duration;

/**
 * Settings of the MMS server role.
 *
 * @param serverVersionInfo ReportConnectedEX.ServerVersionInfo (§2.2.4.2). Major ≥ 9 makes
 *                          clients treat EndOfStream hr 1 as "StreamChange follows"
 *                          (§3.1.5.18), which server-side playlists need.
 * @param keepAlive         KeepAlive timer: a Ping after this long without sending (§3.2.2)
 * @param idleTimeout       Idle-Timeout timer in INIT/READY (§3.2.2)
 * @param pacingSpeed       multiplier on real time for pacing; 1 = the content's own rate,
 *                          8 = eight times faster (tests), 0 = unpaced
 * @param maxCommandSize    largest TcpMessageHeader frame accepted from a client
 * @param writeHighWaterMark per-connection outbound buffer above which sending pauses
 * @param writeMergeMillis  the write window for packets that arrive already paced (a broadcast,
 *                          a relay): a player gets the window's packets in one pump and one
 *                          write at its end (0 = one per packet). The first packets of a play go
 *                          at once; a proxy's upstream session (VIA) is never merged.
 */
public record ServerSettings(
        String serverVersionInfo,
        Duration keepAlive,
        Duration idleTimeout,
        double pacingSpeed,
        int maxCommandSize,
        int writeHighWaterMark,
        int writeMergeMillis) {

    public static final String DEFAULT_VERSION = "9.1.1.3862";

    /**
     * A tenth of a second: players buffer seconds, so they never notice, and a 600 kbit/s
     * broadcast then costs a player about 10 writes a second instead of 50.
     */
    public static final int DEFAULT_WRITE_MERGE_MILLIS = 100;

    public ServerSettings {
        if (pacingSpeed < 0 || Double.isNaN(pacingSpeed)) {
            throw new IllegalArgumentException("pacingSpeed must be >= 0");
        }
        if (keepAlive.toMillis() <= 0 || idleTimeout.toMillis() <= 0) {
            throw new IllegalArgumentException("timers must be positive");
        }
        if (writeMergeMillis < 0 || writeMergeMillis > 1000) {
            throw new IllegalArgumentException("writeMergeMillis must be between 0 and 1000");
        }
    }

    public static ServerSettings defaults() {
        return new ServerSettings(DEFAULT_VERSION, Duration.ofSeconds(30), Duration.ofSeconds(3600), 1.0, 65536,
                256 * 1024, DEFAULT_WRITE_MERGE_MILLIS);
    }

    public ServerSettings withPacingSpeed(double speed) {
        return new ServerSettings(serverVersionInfo, keepAlive, idleTimeout, speed, maxCommandSize, writeHighWaterMark,
                writeMergeMillis);
    }

    public ServerSettings withKeepAlive(Duration d) {
        return new ServerSettings(serverVersionInfo, d, idleTimeout, pacingSpeed, maxCommandSize,
                writeHighWaterMark, writeMergeMillis);
    }

    public ServerSettings withIdleTimeout(Duration d) {
        return new ServerSettings(serverVersionInfo, keepAlive, d, pacingSpeed, maxCommandSize, writeHighWaterMark,
                writeMergeMillis);
    }

    public ServerSettings withWriteMergeMillis(int ms) {
        return new ServerSettings(serverVersionInfo, keepAlive, idleTimeout, pacingSpeed, maxCommandSize,
                writeHighWaterMark, ms);
    }

    public ServerSettings withServerVersionInfo(String v) {
        return new ServerSettings(v, keepAlive, idleTimeout, pacingSpeed, maxCommandSize, writeHighWaterMark,
                writeMergeMillis);
    }
}
