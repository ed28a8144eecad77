package io.mmsedge.server.udp;

/**
 * How an MMS listener serves Data packets over UDP (MS-MMSP §2.2.2, §3.2.5.5), and the limits
 * that keep it from being used against anyone (§5.1).
 *
 * @param enabled        false: every UDP funnel is refused (ReportDisconnectedFunnel) and the
 *                       player rolls over to TCP
 * @param port           the UDP port for RequestPacketListResend and the source of Data
 *                       datagrams: {@link #SAME_PORT} = the MMS listener's TCP port (§3.2.5.11.1),
 *                       0 = any free port (tests)
 * @param rateFactor     a player's datagrams (data, header, packet-pair, resends) stay under its
 *                       content's bit rate times this, in the pacing's time
 * @param burstSeconds   how many seconds of content a player may receive ahead of that rate (the
 *                       preroll a play request starts with, a split's backlog)
 * @param resendSeconds  how long sent Data packets stay available for resending
 * @param resendShare    resends a player may ask for, as a share of its content's packet rate
 *                       (at least 4 a second, bursts of one full request of 32)
 * @param minClientPort  the lowest UDP port a player may name in its funnel: datagrams never go to
 *                       the well-known ports of the player's host
 */
public record UdpSettings(boolean enabled, int port, double rateFactor, double burstSeconds, double resendSeconds,
                          double resendShare, int minClientPort) {

    /** {@link #port()}: the same number as the MMS listener's TCP port. */
    public static final int SAME_PORT = -1;

    public UdpSettings {
        if (port < SAME_PORT || port > 0xFFFF) {
            throw new IllegalArgumentException("udp.port must be -1 (the MMS port), 0 (any) or 1..65535: " + port);
        }
        if (!(rateFactor >= 1 && rateFactor <= 1000)) {
            throw new IllegalArgumentException("udp.rateFactor must be between 1 and 1000: " + rateFactor);
        }
        if (!(burstSeconds >= 1 && burstSeconds <= 60)) {
            throw new IllegalArgumentException("udp.burstSeconds must be between 1 and 60: " + burstSeconds);
        }
        if (!(resendSeconds >= 0 && resendSeconds <= 30)) {
            throw new IllegalArgumentException("udp.resendSeconds must be between 0 and 30: " + resendSeconds);
        }
        if (!(resendShare >= 0 && resendShare <= 1)) {
            throw new IllegalArgumentException("udp.resendShare must be between 0 and 1: " + resendShare);
        }
        if (minClientPort < 1 || minClientPort > 0xFFFF) {
            throw new IllegalArgumentException("udp.minClientPort must be 1..65535: " + minClientPort);
        }
    }

    /** On, on the MMS port; twice the content rate with 5 s of burst; 5 s of resends at a quarter of the rate. */
    public static UdpSettings defaults() {
        return new UdpSettings(true, SAME_PORT, 2.0, 5, 5, 0.25, 1024);
    }

    public static UdpSettings disabled() {
        return new UdpSettings(false, SAME_PORT, 2.0, 5, 5, 0.25, 1024);
    }

    public UdpSettings withPort(int p) {
        return new UdpSettings(enabled, p, rateFactor, burstSeconds, resendSeconds, resendShare, minClientPort);
    }

    public UdpSettings withRateFactor(double f) {
        return new UdpSettings(enabled, port, f, burstSeconds, resendSeconds, resendShare, minClientPort);
    }

    public UdpSettings withResend(double seconds, double share) {
        return new UdpSettings(enabled, port, rateFactor, burstSeconds, seconds, share, minClientPort);
    }
}
