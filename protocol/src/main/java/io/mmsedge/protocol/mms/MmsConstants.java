package io.mmsedge.protocol.mms;

/**
 * MS-MMSP values that the server, the upstream client, the cache and the test peers all put on or
 * read from the wire, kept here once. Constants that belong to one structure stay with it:
 * {@link TcpMessageHeader} (session id, seal), {@link DataPacket} (AFFlags), MessageType (MIDs),
 * {@link io.mmsedge.protocol.asf.AsfFile#MAX_HEADER_SIZE} (largest ASF header accepted).
 */
public final class MmsConstants {

    /** The well-known MMS TCP port; an mms:// URL without a port means it (§2.2.4.9). */
    public static final int DEFAULT_PORT = 1755;

    /**
     * playIncarnation of Connect, FunnelInfo, ReportConnectedEX and ReportFunnelInfo meaning
     * "no packet-pair experiment" (MMS_DISABLE_PACKET_PAIR, §2.2.4.2, §2.2.4.17, §2.2.4.19).
     */
    public static final int PACKET_PAIR_OFF = 0xF0F0F0EF;
    /**
     * playIncarnation of Connect / ReportConnectedEX: the peer can run a packet-pair experiment
     * (MMS_USE_PACKET_PAIR, §2.2.4.2, §2.2.4.17); in FunnelInfo it asks for one (§3.2.5.4).
     */
    public static final int PACKET_PAIR_ON = 0xF0F0F0F0;
    /**
     * playIncarnation of FunnelInfo asking for the TCP packet-pair experiment, and of the three
     * ReportFunnelInfo replies that carry it (§2.2.4.6, §2.2.4.19, §3.1.5.4).
     */
    public static final int PACKET_PAIR_TCP = 0xF0F0F0F1;
    /**
     * playIncarnation of FunnelInfo asking for the UDP packet-pair experiment, and of the one
     * ReportFunnelInfo that accepts it: two packet-pair Data packets then go by UDP before the
     * header (MMS_PACKET_PAIR_UDP_HIGH_ENTROPY, §2.2.4.6, §3.2.5.4, §3.2.5.8).
     */
    public static final int PACKET_PAIR_UDP = 0xF0F0F901;

    /** The MUST value of MacToViewerProtocolRevision (Connect, ReportConnectedEX). */
    public static final int MAC_TO_VIEWER_PROTOCOL_REVISION = 0x0004000B;
    /** The MUST value of ViewerToMacProtocolRevision (Connect, ReportConnectedEX). */
    public static final int VIEWER_TO_MAC_PROTOCOL_REVISION = 0x0003001C;

    /** maxBitRate (10,000,000 bit/s) as every real player sends it in ConnectFunnel, and as servers report it. */
    public static final int MAX_BIT_RATE = 0x00989680;
    /** ConnectFunnel.funnelMode: MUST be 2 (§2.2.4.18). */
    public static final int FUNNEL_MODE = 2;

    /**
     * The File-ID of every session. FFmpeg, VLC and MPlayer ignore ReportOpenFile.openFileId and
     * always send 1; VLC refuses any value but 1 or 2 (notes/clients.md).
     */
    public static final int OPEN_FILE_ID = 1;

    /**
     * playIncarnation of a new playlist entry's header and Data packets after ReportStreamChange
     * (§3.2.4.2).
     */
    public static final int STREAM_CHANGE_INCARNATION = 0xFF;

    private MmsConstants() {
    }
}
