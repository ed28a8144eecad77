package io.mmsedge.server.mmsh;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open MMSH sessions of one server by client-id ([MS-WMSP] §2.2.1.4.5): in non-pipelined
 * mode a player's Stop, SelectStream, KeepAlive and LogStats arrive on connections of their
 * own and name their session only by the client-id its Play response gave.
 */
final class MmshSessions {

    private final Map<Long, MmshSession> byId = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /**
     * Registers {@code s} under the client-id its request names if no session holds that one
     * (the player's Play after its Describe keeps the id the Describe gave, so it needs no
     * xResetStrm, §3.2.5.6), else under a new random one (1..2^31-1: players print it signed).
     */
    long add(MmshSession s, long requested) {
        if (requested > 0 && requested <= Integer.MAX_VALUE && byId.putIfAbsent(requested, s) == null) {
            return requested;
        }
        while (true) {
            long id = 1 + random.nextInt(Integer.MAX_VALUE - 1);
            if (byId.putIfAbsent(id, s) == null) {
                return id;
            }
        }
    }

    MmshSession get(long clientId) {
        return clientId < 0 ? null : byId.get(clientId);
    }

    void remove(long clientId, MmshSession s) {
        if (clientId >= 0) {
            byId.remove(clientId, s);
        }
    }

    int size() {
        return byId.size();
    }
}
