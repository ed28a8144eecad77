package io.mmsedge.protocol.mms;

import java.util.Locale;

/**
 * The funnelName of LinkViewerToMacConnectFunnel (MS-MMSP §2.2.4.18):
 * {@code "\\" ip-addr "\" proto "\" port}, proto TCP or UDP, port 1..65535.
 *
 * <p>The address is kept only for logs: §3.2.5.5 says a server ignores it and sends Data
 * packets to the address of the player's TCP connection, and real players put fake or private
 * addresses there (notes in README). Only a UDP funnel's port is ever used.
 *
 * @param address the ip-addr element as sent, never used to send anything
 * @param udp     true for proto UDP
 * @param port    1..65535
 */
public record FunnelName(String address, boolean udp, int port) {

    /** Longest funnelName parsed: an IPv6 address with zone, a proto and a port fit easily. */
    public static final int MAX_LENGTH = 96;
    private static final int MAX_ADDRESS = 64;

    public FunnelName {
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
    }

    /** The name a client announces, e.g. {@code \\192.168.0.1\UDP\7000}. */
    public String format() {
        return "\\\\" + address + "\\" + (udp ? "UDP" : "TCP") + "\\" + port;
    }

    /**
     * Parses a funnelName, bounded: at most {@link #MAX_LENGTH} characters, an address of at most
     * 64 characters without separators, proto TCP or UDP in any case, 1 to 5 digits of port.
     *
     * @throws MmsDecodeException naming the element that breaks the syntax
     */
    public static FunnelName parse(String name) {
        if (name == null || name.isEmpty()) {
            throw fail("empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw fail(name.length() + " characters, more than " + MAX_LENGTH);
        }
        if (!name.startsWith("\\\\")) {
            throw fail("does not start with \\\\");
        }
        int a = 2;
        int b = name.indexOf('\\', a);
        int c = b < 0 ? -1 : name.indexOf('\\', b + 1);
        if (b < 0 || c < 0 || name.indexOf('\\', c + 1) >= 0) {
            throw fail("not \\\\ip-addr\\proto\\port");
        }
        String address = name.substring(a, b);
        if (address.isEmpty() || address.length() > MAX_ADDRESS || !printable(address)) {
            throw fail("bad ip-addr");
        }
        String proto = name.substring(b + 1, c).toUpperCase(Locale.ROOT);
        if (!proto.equals("UDP") && !proto.equals("TCP")) {
            throw fail("proto is neither TCP nor UDP");
        }
        String digits = name.substring(c + 1);
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw fail("port is not 1 to 5 digits");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 0xFFFF) {
            throw fail("port " + port + " outside 1..65535");
        }
        return new FunnelName(address, proto.equals("UDP"), port);
    }

    private static boolean printable(String s) {
        return s.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F);
    }

    private static MmsDecodeException fail(String reason) {
        return new MmsDecodeException("ConnectFunnel", "funnelName", reason);
    }
}
