package io.mmsedge.distribution.auth;

import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Basic authentication for one publishing point (MS-MMSP §4.6.1): without valid credentials
 * the player gets a SecurityChallenge for the realm; with them, the point opens as usual.
 * Credentials are never logged — only the user name and the outcome.
 */
public final class BasicAuthCatalog implements MediaCatalog {

    private static final Logger log = LoggerFactory.getLogger("io.mmsedge.access");

    private final MediaCatalog inner;
    private final String realm;
    private final UsersFile users;

    public BasicAuthCatalog(MediaCatalog inner, String realm, UsersFile users) {
        this.inner = inner;
        this.realm = realm;
        this.users = users;
    }

    @Override
    public String authenPackage() {
        return "BASIC";
    }

    @Override
    public OpenResult open(OpenRequest request) {
        String credentials = request.credentials();
        if (credentials == null || credentials.isEmpty()) {
            return new OpenResult.AuthenticationRequired(realm);
        }
        UserPassword up = decode(credentials);
        if (up == null || !users.check(up.user(), up.password())) {
            log.info("peer={} path={} event=auth-failed realm=\"{}\" user=\"{}\"", request.peer(), request.path(),
                    realm, up == null ? "-" : up.user());
            return new OpenResult.AuthenticationRequired(realm);
        }
        log.info("peer={} path={} event=auth-ok realm=\"{}\" user=\"{}\"", request.peer(), request.path(), realm,
                up.user());
        return inner.open(request);
    }

    record UserPassword(String user, char[] password) {
    }

    /**
     * RFC 2617 basic-credentials: Base64 of "user:password", optionally after "Basic ". Plain
     * "user:password" is accepted too (some clients send it unencoded).
     */
    static UserPassword decode(String credentials) {
        String c = credentials.strip();
        if (c.regionMatches(true, 0, "Basic ", 0, 6)) {
            c = c.substring(6).strip();
        }
        String text;
        try {
            text = new String(Base64.getDecoder().decode(c), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            text = c;
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        return new UserPassword(text.substring(0, colon), text.substring(colon + 1).toCharArray());
    }
}
