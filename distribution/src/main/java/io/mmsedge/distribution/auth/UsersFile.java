package io.mmsedge.distribution.auth;

import io.mmsedge.distribution.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A users file: one {@code user:HASH} per line ({@code mms-edge passwd USER} prints one);
 * blank lines and lines starting with '#' are ignored.
 */
public final class UsersFile {

    private final Map<String, String> hashes;

    private UsersFile(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    public static UsersFile load(Path file, String key) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("key '" + key + "': cannot read users file " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0 || !PasswordHash.wellFormed(l.substring(colon + 1))) {
                // The line is not echoed: it may hold a password typed by mistake.
                throw new ConfigException("key '" + key + "': " + file + " line " + (i + 1)
                        + " is not 'user:" + PasswordHash.SCHEME + "$...' (make one with: mms-edge passwd USER)");
            }
            m.put(l.substring(0, colon), l.substring(colon + 1));
        }
        if (m.isEmpty()) {
            throw new ConfigException("key '" + key + "': users file " + file + " has no users");
        }
        return new UsersFile(m);
    }

    public boolean check(String user, char[] password) {
        String h = hashes.get(user);
        if (h == null) {
            // Same work for unknown users, so timing does not reveal which names exist.
            PasswordHash.verify(password, PasswordHash.SCHEME + "$" + PasswordHash.ITERATIONS
                    + "$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            return false;
        }
        return PasswordHash.verify(password, h);
    }
}
