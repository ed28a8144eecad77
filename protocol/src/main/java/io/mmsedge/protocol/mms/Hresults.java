package io.mmsedge.protocol.mms;

/**
 * HRESULT values mms-edge puts in replies ([MS-ERREF]). Players only test for failure (the
 * top bit); the specific codes are chosen so that an operator reading a capture knows why.
 */
public final class Hresults {
    public static final int S_OK = 0x00000000;
    /** EndOfStream: the playlist entry ended and a StreamChange follows (§2.2.4.5). */
    public static final int S_STREAM_CHANGE = 0x00000001;
    public static final int E_FAIL = 0x80004005;
    public static final int E_UNEXPECTED = 0x8000FFFF;
    public static final int E_FILE_NOT_FOUND = 0x80070002;
    public static final int E_PATH_NOT_FOUND = 0x80070003;
    public static final int E_ACCESS_DENIED = 0x80070005;
    public static final int E_INVALID_ARG = 0x80070057;
    /** NS_E_NOCONNECTION: no connection could be made to the (origin) server. */
    public static final int NS_E_NOCONNECTION = 0xC00D0005;
    /** NS_E_SERVER_UNAVAILABLE: server too busy / at its session limit. */
    public static final int NS_E_SERVER_UNAVAILABLE = 0xC00D0006;
    /** NS_E_PROTOCOL_MISMATCH: the request did not follow MS-MMSP. */
    public static final int NS_E_PROTOCOL_MISMATCH = 0xC00D0007;
    /** NS_E_INVALID_STREAM (nserror.h): a StreamSwitch names a stream number the content lacks. */
    public static final int NS_E_INVALID_STREAM = 0xC00D003C;
    /** NS_E_TOO_MANY_SESS (nserror.h): "the server session limit was exceeded"; a new-session rate limit. */
    public static final int NS_E_TOO_MANY_SESS = 0xC00D000F;
    /** NS_E_MAX_BITRATE (nserror.h): the aggregate player bandwidth limit would be exceeded. */
    public static final int NS_E_MAX_BITRATE = 0xC00D0047;
    /** NS_E_MAX_CLIENTS (nserror.h): the player connection limit is reached. */
    public static final int NS_E_MAX_CLIENTS = 0xC00D0049;
    /** NS_E_CANNOTCONNECT / generic failure of an upstream session. */
    public static final int NS_E_CANNOTCONNECT = 0xC00D2EE0;

    private Hresults() {
    }

    public static boolean failed(int hr) {
        return hr < 0;
    }

    public static String hex(int hr) {
        return String.format("0x%08X", hr);
    }
}
