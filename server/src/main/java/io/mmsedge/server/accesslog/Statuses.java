package io.mmsedge.server.accesslog;

import io.mmsedge.protocol.mms.Hresults;

/**
 * c-status: WMS logs HTTP-style status codes (200 played, 4xx refused, 5xx failed). Players
 * report an HRESULT in their MMS log (CLIENT_LOG_INFO hr) and a status code in an MMSH LogStats
 * line; the server has the hr it ended or refused a session with.
 */
final class Statuses {

    private Statuses() {
    }

    static int of(int hrOrStatus) {
        if (hrOrStatus >= 100 && hrOrStatus <= 599) {
            return hrOrStatus; // already a status (LogStats' c-status)
        }
        return switch (hrOrStatus) {
            case Hresults.S_OK, Hresults.S_STREAM_CHANGE -> 200;
            case Hresults.E_FILE_NOT_FOUND, Hresults.E_PATH_NOT_FOUND -> 404;
            case Hresults.E_ACCESS_DENIED -> 401;
            case Hresults.E_INVALID_ARG, Hresults.NS_E_INVALID_STREAM, Hresults.NS_E_PROTOCOL_MISMATCH -> 400;
            case Hresults.NS_E_SERVER_UNAVAILABLE, Hresults.NS_E_CANNOTCONNECT, Hresults.NS_E_NOCONNECTION -> 503;
            default -> hrOrStatus < 0 ? 500 : 200; // another failure; a success code
        };
    }
}
