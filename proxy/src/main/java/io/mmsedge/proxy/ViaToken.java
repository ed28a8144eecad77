package io.mmsedge.proxy;

import java.security.SecureRandom;

/**
 * This instance's VIA token (§2.2.4.17): {@code mms-edge/<version>+<instance>}. The product
 * and version tell an origin what relayed the request; the instance suffix lets a chain of
 * mms-edge proxies (A → B → origin) tell each other apart, so that finding <em>its own</em>
 * token in the VIA string is a certain proxy loop, while another mms-edge is not.
 */
public record ViaToken(String value) {

    public static final String PRODUCT = "mms-edge";

    public ViaToken {
        if (!value.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+/[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new IllegalArgumentException("VIA token must be product/version using token characters: " + value);
        }
    }

    /** A token with a random instance id. */
    public static ViaToken generate(String version) {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        return of(version, String.format("%02x%02x%02x%02x", b[0], b[1], b[2], b[3]));
    }

    public static ViaToken of(String version, String instance) {
        return new ViaToken(PRODUCT + "/" + version + "+" + instance);
    }

    @Override
    public String toString() {
        return value;
    }
}
