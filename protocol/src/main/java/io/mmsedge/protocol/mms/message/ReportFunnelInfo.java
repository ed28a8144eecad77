package io.mmsedge.protocol.mms.message;

/**
 * LinkMacToViewerReportFunnelInfo: assigns the client id (nCubs); may carry a packet-pair payload.
 *
 * <p>MS-MMSP §2.2.4.6, MID 0x00040015, sent by the server.
 */
public record ReportFunnelInfo(int hr, int playIncarnation, int transportMask, int nBlockFragments, int fragmentBytes, int nCubs, int failedCubs, int nDisks, int decluster, int cubddDatagramSize, byte[] packetPair) implements MmsMessage {

    public static final int MID = 0x00040015;

    public ReportFunnelInfo {
        packetPair = packetPair == null ? new byte[0] : packetPair.clone();
    }

    /** A copy: records stay immutable. */
    @Override
    public byte[] packetPair() {
        return packetPair.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReportFunnelInfo o && hr == o.hr && playIncarnation == o.playIncarnation && transportMask == o.transportMask && nBlockFragments == o.nBlockFragments && fragmentBytes == o.fragmentBytes && nCubs == o.nCubs && failedCubs == o.failedCubs && nDisks == o.nDisks && decluster == o.decluster && cubddDatagramSize == o.cubddDatagramSize && java.util.Arrays.equals(packetPair, o.packetPair);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(hr, playIncarnation, transportMask, nBlockFragments, fragmentBytes, nCubs, failedCubs, nDisks, decluster, cubddDatagramSize, java.util.Arrays.hashCode(packetPair));
    }

    @Override
    public String toString() {
        return "ReportFunnelInfo[" + "hr=" + hr + ", " + "playIncarnation=" + playIncarnation + ", " + "transportMask=" + transportMask + ", " + "nBlockFragments=" + nBlockFragments + ", " + "fragmentBytes=" + fragmentBytes + ", " + "nCubs=" + nCubs + ", " + "failedCubs=" + failedCubs + ", " + "nDisks=" + nDisks + ", " + "decluster=" + decluster + ", " + "cubddDatagramSize=" + cubddDatagramSize + ", " + "packetPair=" + packetPair.length + " bytes" + "]";
    }

    @Override
    public MessageType type() {
        return MessageType.REPORT_FUNNEL_INFO;
    }
}
