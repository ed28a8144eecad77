package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerSecurityChallenge: asks the client to authenticate (Basic realm string or NTLM token).
 *
 * <p>MS-MMSP §2.2.4.14, MID 0x0004001A, sent by the server.
 */
public record SecurityChallenge(int playIncarnation, int cookie, byte[] token) implements MmsMessage {

    public static final int MID = 0x0004001A;

    public SecurityChallenge {
        token = token == null ? new byte[0] : token.clone();
    }

    /** A copy: records stay immutable. */
    @Override
    public byte[] token() {
        return token.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecurityChallenge o && playIncarnation == o.playIncarnation && cookie == o.cookie && java.util.Arrays.equals(token, o.token);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(playIncarnation, cookie, java.util.Arrays.hashCode(token));
    }

    @Override
    public String toString() {
        return "SecurityChallenge[" + "playIncarnation=" + playIncarnation + ", " + "cookie=" + cookie + ", " + "token=" + token.length + " bytes" + "]";
    }

    @Override
    public MessageType type() {
        return MessageType.SECURITY_CHALLENGE;
    }
}
