package io.mmsedge.distribution.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The constraints a configuration key declares on its record component in {@link EdgeConfig};
 * {@link ConfigValidator} enforces them and names the key of a value that breaks one. Apart from
 * {@link NotEmpty}, a constraint only looks at a key that is present (absent keys take their
 * defaults). On a list of strings a string constraint applies to each element.
 */
public final class Check {

    private Check() {
    }

    /** A number between {@code min} and {@code max} inclusive (NaN never is). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Range {
        double min() default 0;

        double max() default Double.MAX_VALUE;

        /** Appended to the message, e.g. what 0 means for this key. */
        String note() default "";
    }

    /** A string matching {@code regex} in full. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Matches {
        String regex();

        String message();
    }

    /** Present, and a string that is not blank or a list that is not empty. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface NotEmpty {
        String message() default "must not be empty";
    }

    /** A byte size as operators write it ({@link ConfigLoader#parseByteSize}), at least {@code min}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface ByteSize {
        long min() default 0;

        String minText() default "0";
    }

    /** A string the parser of {@code value} accepts. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Format {
        Kind value();
    }

    /** Strings with a parser elsewhere; the parser's message says what is wrong. */
    public enum Kind {
        /** A host name or IP address to bind to. */
        ADDRESS {
            @Override
            void check(String s) {
                try {
                    InetAddress.getByName(s);
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("unknown address '" + s + "'");
                }
            }
        },
        /** mms://, mmst://, mmsu://, mmsh:// or http://host[:port][/path]. */
        ORIGIN_URL {
            @Override
            void check(String s) {
                io.mmsedge.proxy.route.OriginUrl.parse(s);
            }
        },
        /** A player address block: an IPv4 or IPv6 address, with an optional /prefix length. */
        CIDR {
            @Override
            void check(String s) {
                io.mmsedge.server.access.Cidr.parse(s);
            }
        },
        /** A forward-proxy allow rule: a host pattern or a CIDR. */
        ALLOW_RULE {
            @Override
            void check(String s) {
                io.mmsedge.proxy.route.AllowRule.parse(s);
            }
        };

        /** Throws IllegalArgumentException, with what is wrong, for a string this kind rejects. */
        abstract void check(String s);
    }

    /**
     * A section whose keys depend on one another (rules no single-key constraint can say). It is
     * asked after its keys passed their own constraints.
     */
    public interface CrossChecked {
        /** The first problem, or null; its key is relative to this section. */
        Problem problem();
    }

    /** A broken rule: {@code key} relative to the section ("" = the section itself). */
    public record Problem(String key, String message) {
        public static Problem at(String key, String message) {
            return new Problem(key, message);
        }
    }
}
