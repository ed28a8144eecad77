package io.mmsedge.proxy.route;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One forward-proxy allow rule: a host pattern ({@code *.example.com}, {@code media.example.com})
 * or a CIDR block ({@code 10.0.0.0/8}, {@code ::1/128}), optionally with {@code :port} or
 * {@code :*} (host patterns only). A forward proxy without rules relays nothing: it must never be
 * an open relay.
 *
 * <p>A rule without a port allows only the streaming ports: 1755 for MMS, 80 for MMSH (issue #17,
 * finding 5: {@code --allow 127.0.0.1} let players make the edge connect to :22 and the status
 * ports, and the reply timing made it a port scanner). Another port must be named, or {@code :*}
 * written on purpose.
 */
public final class AllowRule {

    private final String text;
    private final Pattern hostPattern;
    private final int port; // DEFAULT_PORTS, ANY_PORT or one port
    /** No port in the rule: the protocol's own port only (1755 for MMS, 80 for MMSH). */
    private static final int DEFAULT_PORTS = -1;
    /** {@code :*}: any port. */
    private static final int ANY_PORT = -2;
    private final byte[] network;
    private final int prefixLength;

    private AllowRule(String text, Pattern hostPattern, int port, byte[] network, int prefixLength) {
        this.text = text;
        this.hostPattern = hostPattern;
        this.port = port;
        this.network = network;
        this.prefixLength = prefixLength;
    }

    public static AllowRule parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty allow rule");
        }
        int slash = t.indexOf('/');
        if (slash > 0) {
            try {
                InetAddress net = InetAddress.getByName(t.substring(0, slash));
                int prefix = Integer.parseInt(t.substring(slash + 1));
                int bits = net.getAddress().length * 8;
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("bad prefix length in " + t);
                }
                return new AllowRule(t, null, -1, net.getAddress(), prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("bad CIDR block: " + t);
            }
        }
        int port = DEFAULT_PORTS;
        String host = t;
        int colon = t.lastIndexOf(':');
        if (colon > 0 && t.indexOf(':') == colon) {
            String p = t.substring(colon + 1);
            if (p.equals("*")) {
                port = ANY_PORT;
            } else if (p.matches("[0-9]{1,5}") && Integer.parseInt(p) >= 1 && Integer.parseInt(p) <= 65535) {
                port = Integer.parseInt(p);
            } else {
                throw new IllegalArgumentException("bad port in allow rule " + t + " (1-65535 or *)");
            }
            host = t.substring(0, colon);
        }
        if (!host.matches("[A-Za-z0-9*.\\-\\[\\]:]+")) {
            throw new IllegalArgumentException("bad host pattern: " + t);
        }
        String regex = Pattern.quote(host.toLowerCase(Locale.ROOT)).replace("*", "\\E[^.]*\\Q");
        if (host.startsWith("*.")) {
            // *.example.com also matches deeper names (a.b.example.com)
            regex = "(?:[^.]+\\.)+" + Pattern.quote(host.substring(2).toLowerCase(Locale.ROOT));
        }
        return new AllowRule(t, Pattern.compile(regex), port, null, 0);
    }

    /**
     * True if this rule matches {@code host} whatever the port ({@code targetPort} -1, as redirect
     * policies ask), or an MMS forward request to host:targetPort.
     */
    public boolean allows(String host, int targetPort) {
        return allows(host, targetPort, false);
    }

    /** True if a forward request to host:targetPort, over MMSH ({@code http}) or MMS, is allowed. */
    public boolean allows(String host, int targetPort, boolean http) {
        if (targetPort >= 0 && !portAllowed(targetPort, http)) {
            return false;
        }
        if (network != null) {
            try {
                // Literal addresses only: a name is not resolved here (no DNS on the decision path).
                if (!host.matches("[0-9.]+|\\[?[0-9A-Fa-f:]+\\]?")) {
                    return false;
                }
                byte[] a = InetAddress.getByName(host.replace("[", "").replace("]", "")).getAddress();
                if (a.length != network.length) {
                    return false;
                }
                int full = prefixLength / 8;
                for (int i = 0; i < full; i++) {
                    if (a[i] != network[i]) {
                        return false;
                    }
                }
                int rest = prefixLength % 8;
                if (rest == 0) {
                    return true;
                }
                int mask = (0xFF << (8 - rest)) & 0xFF;
                return (a[full] & mask) == (network[full] & mask);
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return hostPattern.matcher(host.toLowerCase(Locale.ROOT)).matches();
    }

    /** True if one of {@code rules} allows a forward request to host:port (over MMSH if {@code http}). */
    public static boolean anyAllows(java.util.List<AllowRule> rules, String host, int port, boolean http) {
        String lower = host.toLowerCase(Locale.ROOT);
        for (AllowRule rule : rules) {
            if (rule.allows(lower, port, http)) {
                return true;
            }
        }
        return false;
    }

    private boolean portAllowed(int targetPort, boolean http) {
        return switch (port) {
            case ANY_PORT -> true;
            case DEFAULT_PORTS -> targetPort == (http ? OriginUrl.DEFAULT_HTTP_PORT : OriginUrl.DEFAULT_PORT);
            default -> targetPort == port;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}
