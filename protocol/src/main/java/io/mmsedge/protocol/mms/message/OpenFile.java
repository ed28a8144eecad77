package io.mmsedge.protocol.mms.message;

/**
 * LinkViewerToMacOpenFile: names the content (path part of the URL) and may carry credentials.
 *
 * <p>MS-MMSP §2.2.4.21, MID 0x00030005, sent by the client.
 */
public record OpenFile(int playIncarnation, int spare, int token, String fileName, byte[] tokenData) implements MmsMessage {

    public static final int MID = 0x00030005;

    public OpenFile {
        tokenData = tokenData == null ? new byte[0] : tokenData.clone();
    }

    /** A copy: records stay immutable. */
    @Override
    public byte[] tokenData() {
        return tokenData.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OpenFile o && playIncarnation == o.playIncarnation && spare == o.spare && token == o.token && java.util.Objects.equals(fileName, o.fileName) && java.util.Arrays.equals(tokenData, o.tokenData);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(playIncarnation, spare, token, fileName, java.util.Arrays.hashCode(tokenData));
    }

    @Override
    public String toString() {
        return "OpenFile[" + "playIncarnation=" + playIncarnation + ", " + "spare=" + spare + ", " + "token=" + token + ", " + "fileName=" + fileName + ", " + "tokenData=" + tokenData.length + " bytes" + "]";
    }

    @Override
    public MessageType type() {
        return MessageType.OPEN_FILE;
    }
}
