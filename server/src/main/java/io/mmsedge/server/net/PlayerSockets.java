package io.mmsedge.server.net;

import java.time.Duration;

/**
 * How a listener's player sockets bound what a player that stops reading can hold (issue #17,
 * finding 4: 50 stalled players were dropped only at the broadcast lag limit, 93 s later, and
 * the kernel held about 2.8 MB of send queue for each of them, still held after the drop).
 *
 * @param sendBufferBytes   SO_SNDBUF of each player socket; the kernel doubles it for its
 *                          bookkeeping, and the send queue never grows past that (autotuning
 *                          would take it to tcp_wmem's maximum). 0 = the kernel's autotuning.
 * @param writeStallTimeout a player whose connection had data queued and sent none of it for
 *                          this long is dropped with an RST ({@link WriteStallWatch}); every
 *                          kind of player (files, cache hits, relays, splits; MMS and MMSH)
 */
public record PlayerSockets(int sendBufferBytes, Duration writeStallTimeout) {

    /**
     * 256 KiB: at 100 ms round trip that still carries 20 Mbit/s, ten times a Windows Media
     * stream's usual rate, while a stalled player pins at most about half a megabyte of kernel
     * memory instead of several.
     */
    public static final int DEFAULT_SEND_BUFFER_BYTES = 256 * 1024;

    /**
     * 20 s: longer than any pause of a player that is reading (a relay's origin catching up, a
     * player's own buffer full at an accelerated start), far shorter than the 93 s seen.
     */
    public static final Duration DEFAULT_WRITE_STALL_TIMEOUT = Duration.ofSeconds(20);

    public PlayerSockets {
        if (sendBufferBytes < 0 || writeStallTimeout.toMillis() <= 0) {
            throw new IllegalArgumentException("invalid player socket settings: " + sendBufferBytes + "/"
                    + writeStallTimeout);
        }
    }

    public static PlayerSockets defaults() {
        return new PlayerSockets(DEFAULT_SEND_BUFFER_BYTES, DEFAULT_WRITE_STALL_TIMEOUT);
    }

    public PlayerSockets withSendBufferBytes(int n) {
        return new PlayerSockets(n, writeStallTimeout);
    }

    public PlayerSockets withWriteStallTimeout(Duration d) {
        return new PlayerSockets(sendBufferBytes, d);
    }
}
