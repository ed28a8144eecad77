package io.mmsedge.server.access;

import io.mmsedge.protocol.mms.Hresults;

/**
 * Why a player was refused, with the HRESULT Windows Media Services answers with (nserror.h;
 * ReportOpenFile's hr over MMS, and through it the MMSH status: 403 for a denial, 503 for a
 * limit) and the token it is counted under ({@code mmsedge_errors_total{reason=...}}).
 */
enum Refusal {
    /** The address is in a deny list or not in an allow list: E_ACCESS_DENIED (WMS IP authorization). */
    DENIED(Hresults.E_ACCESS_DENIED, "access_denied"),
    /** Too many new sessions from the address this second: NS_E_TOO_MANY_SESS. */
    CONNECTION_RATE(Hresults.NS_E_TOO_MANY_SESS, "access_connection_rate"),
    /** The scope's players are at their limit: NS_E_MAX_CLIENTS. */
    MAX_PLAYERS(Hresults.NS_E_MAX_CLIENTS, "access_max_players"),
    /** The player's bit rate would take the aggregate over its limit: NS_E_MAX_BITRATE. */
    MAX_BANDWIDTH(Hresults.NS_E_MAX_BITRATE, "access_max_bandwidth");

    final int hr;
    final String token;

    Refusal(int hr, String token) {
        this.hr = hr;
        this.token = token;
    }

    /** A denial is final; at a limit a configured sibling can take the player instead. */
    boolean redirectable() {
        return this != DENIED;
    }
}
