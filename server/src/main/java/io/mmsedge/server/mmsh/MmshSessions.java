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

    /** Registers {@code s} under a new random client-id (1..2^31-1: players print it as signed). */
    long add(MmshSession s) {
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
