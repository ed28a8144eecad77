package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacSecurityResponse: the client's credentials.
 *
 * <p>MS-MMSP §2.2.4.24, MID 0x0003001A, sent by the client.
 */
public record SecurityResponse(int playIncarnation, int cookie, byte[] token) implements MmsMessage {

    public static final int MID = 0x0003001A;

    public SecurityResponse {
        token = token == null ? new byte[0] : token.clone();
    }

    /** A copy: records stay immutable. */
    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecurityResponse o && playIncarnation == o.playIncarnation && cookie == o.cookie && java.util.Arrays.equals(token, o.token);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(playIncarnation, cookie, java.util.Arrays.hashCode(token));
    }

    @Override
    public String toString() {
        return "SecurityResponse[" + "playIncarnation=" + playIncarnation + ", " + "cookie=" + cookie + ", " + "token=" + token.length + " bytes" + "]";
    }

    @Override
    public MessageType type() {
        return MessageType.SECURITY_RESPONSE;
    }
}
