package io.mmsedge.distribution.status;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may use the status listener's protected routes (everything that changes state, and the
 * cache's listings): requests carrying {@code Authorization: Bearer <token>} with the configured
 * token. Without a configured token those routes are refused to everyone. Independently of the
 * route, a request whose {@code Origin} is not the listener's own is refused, so that a web page
 * a browser shows cannot POST to the admin port (issue #17, finding 6: a cross-site
 * {@code POST /cache/invalidate} used to succeed).
 */
public final class AdminAccess {

    /** The environment variable that sets the token; it overrides {@code status.adminToken}. */
    public static final String TOKEN_ENV = "MMS_EDGE_ADMIN_TOKEN";
    /** What a token looks like: no spaces or control characters, long enough not to be guessed. */
    public static final String TOKEN_REGEX = "[\\x21-\\x7E]{16,256}";

    /** Why a request was refused: the HTTP status and a reason for the log and the client. */
    public record Refusal(int status, String reason) {
    }

    private final byte[] token;

    private AdminAccess(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.US_ASCII);
    }

    /** Protected routes open to the holders of {@code token}; null = to nobody. */
    public static AdminAccess withToken(String token) {
        if (token != null && !token.matches(TOKEN_REGEX)) {
            throw new IllegalArgumentException("an admin token is 16 to 256 printable ASCII characters, no spaces");
        }
        return new AdminAccess(token);
    }

    /** The token from the environment ({@link #TOKEN_ENV}) if set there, else {@code configured}. */
    public static String chooseToken(String configured, java.util.Map<String, String> env) {
        String fromEnv = env.get(TOKEN_ENV);
        return fromEnv != null && !fromEnv.isEmpty() ? fromEnv : configured;
    }

    public boolean tokenConfigured() {
        return token != null;
    }

    /** Null when {@code req} may use a route ({@code protectedRoute} or open), else why not. */
    public Refusal check(HttpRequest req, boolean protectedRoute) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !sameOrigin(origin, req.headers().get(HttpHeaderNames.HOST))) {
            return new Refusal(403, "cross-site request (Origin " + origin + ")");
        }
        if (!protectedRoute) {
            return null;
        }
        if (token == null) {
            return new Refusal(403, "admin endpoints are disabled: set status.adminToken or " + TOKEN_ENV);
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Refusal(401, "no bearer token");
        }
        byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.US_ASCII);
        // Constant time: the comparison must not tell how much of a guess was right.
        return MessageDigest.isEqual(given, token) ? null : new Refusal(401, "wrong bearer token");
    }

    /** A browser's Origin for a page of this listener: http:// and the Host it was asked by. */
    private static boolean sameOrigin(String origin, String host) {
        return host != null && origin.toLowerCase(Locale.ROOT).equals("http://" + host.toLowerCase(Locale.ROOT));
    }
}
