package io.mmsedge.distribution.cli;

import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.distribution.config.ServerSection;
import io.mmsedge.distribution.status.AdminAccess;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options {@code origin} and {@code edge} share: where they listen, and how they send. */
final class ListenerOptions {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "1755", converter = PortConverter.class,
            description = "MMS/TCP port (default: ${DEFAULT-VALUE}, the IANA-registered MMS port; 0 = any free port).")
    int port;

    @Option(names = "--http-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "Also serve MMSH (Windows Media HTTP streaming) on this HTTP port; the MMS port "
                    + "serves it too, told apart by a connection's first bytes.")
    Integer httpPort;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address of the MMS listeners (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--status-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "Also serve /status (JSON), /metrics (Prometheus), health and admin endpoints over HTTP "
                    + "on this port (admin ones need the token in $" + AdminAccess.TOKEN_ENV + ").")
    Integer statusPort;

    // The status listener has its own address: admin endpoints must not follow --bind 0.0.0.0.
    @Option(names = "--status-bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address of the status listener (default: ${DEFAULT-VALUE}, whatever --bind is).")
    String statusBind;

    @Option(names = "--drain-seconds", paramLabel = "S", converter = DrainConverter.class,
            description = "On SIGTERM or POST /admin/drain, let sessions finish this long before ending them "
                    + "(server.drainSeconds: 0 to 3600, default 30).")
    Integer drainSeconds;
    @Option(names = "--udp-port", paramLabel = "PORT", converter = PortConverter.class,
            description = "UDP port for MMS Data over UDP (mmsu://) and resend requests "
                    + "(default: the MMS port's number; 0 = any free port).")
    Integer udpPort;

    @Option(names = "--no-udp", description = "Refuse UDP funnels: players then roll over to TCP.")
    boolean noUdp;

    @Option(names = "--pacing-speed", paramLabel = "X", converter = SpeedConverter.class,
            description = "Send at X times the content's rate (1 = real time, 0 = unpaced; default 1).")
    Double pacingSpeed;

    @Option(names = "--write-merge-ms", paramLabel = "MS", converter = MergeConverter.class,
            description = "Flush broadcast and relayed packets to each player at most once per MS "
                    + "(server.writeMergeMillis: 0 to 1000, default 100; 0 = a write per packet).")
    Integer writeMergeMillis;

    /** The server section: {@code listener} says whether this process's own listener is the origin's. */
    ServerSection server(boolean listener) {
        return new ServerSection(listener ? bind : null, listener ? port : null,
                listener ? httpPort : null, null, null, null,
                pacingSpeed, null, null, writeMergeMillis, null, drainSeconds, listener ? udp() : null);
    }

    /** The udp section of this process's listener, or null when the options leave the defaults. */
    EdgeConfig.UdpConfig udp() {
        return udpPort == null && !noUdp ? null
                : new EdgeConfig.UdpConfig(!noUdp, udpPort, null, null, null, null, null);
    }

    /** The status section, or null without {@code --status-port}. */
    EdgeConfig.StatusSection status() {
        return statusPort == null ? null : new EdgeConfig.StatusSection(statusBind, statusPort);
    }

    /** server.drainSeconds: 0 to 3600 s. */
    static final class DrainConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return intIn(value, 0, 3600, "must be between 0 (end every session at once) and 3600");
        }
    }

    /** A TCP port, 0..65535. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return intIn(value, 0, 65535, "must be a port 0..65535");
        }
    }

    /** server.writeMergeMillis: 0 to 1000 ms. */
    static final class MergeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return intIn(value, 0, 1000, "must be between 0 (a write per packet) and 1000");
        }
    }

    private static int intIn(String value, int min, int max, String rule) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a number: '" + value + "'");
        }
        if (n < min || n > max) {
            throw new TypeConversionException(rule + ", got " + value);
        }
        return n;
    }

    /** A pacing speed: a number >= 0. */
    static final class SpeedConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double d;
            try {
                d = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("not a number: '" + value + "'");
            }
            if (!(d >= 0)) {
                throw new TypeConversionException("must be >= 0, got " + value);
            }
            return d;
        }
    }
}
