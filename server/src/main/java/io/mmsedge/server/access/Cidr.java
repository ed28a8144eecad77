package io.mmsedge.server.access;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one address ({@code /32} or
 * {@code /128} implied). An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}, what a player's
 * address looks like on a dual-stack socket) is compared as the IPv4 address it carries, both in
 * a rule and in a player's address, so that an IPv4 rule matches it.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses a block; only literal addresses (no host names: a rule must not depend on DNS).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address block");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        if (!addr.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address block (e.g. 10.0.0.0/8)");
        }
        byte[] bytes;
        try {
            bytes = normalize(InetAddress.getByName(addr)); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address block", e);
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be a number", e);
            }
            // An IPv4-mapped rule (::ffff:10.0.0.0/104) becomes the IPv4 rule it means.
            if (bytes.length == 4 && addr.contains(":")) {
                prefix -= 96;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 to " + max);
            }
        }
        return new Cidr(mask(bytes, prefix), prefix, s);
    }

    /** True if {@code address} lies in this block. */
    public boolean contains(InetAddress address) {
        byte[] a = normalize(address);
        if (a.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(a, prefix), network);
    }

    /** IPv4-mapped IPv6 addresses as their IPv4 bytes; others as they are. */
    static byte[] normalize(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && isMapped(b)) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        return b;
    }

    private static boolean isMapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (bits == 0 ? 0 : 0xFF << (8 - bits));
        }
        return out;
    }

    /** True for an IPv4 block. */
    public boolean ipv4() {
        return network.length == 4;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return text;
    }
}
