package io.mmsedge.server.session;

import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.protocol.mms.message.SecurityChallenge;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaCatalog;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** Builds the MMS/TCP front end's replies whose fields come from the session and its content. */
final class MmsReplies {

    /** §3.2.5.4: the three packet-pair ReportFunnelInfo frames are 512, 512 and 1,056 bytes. */
    private static final int[] PACKET_PAIR_FRAME_SIZES = {512, 512, 1056};
    /** TcpMessageHeader (32) + ReportFunnelInfo fixed fields (48). */
    private static final int FUNNEL_INFO_FRAME_OVERHEAD = 80;

    private final ServerSettings settings;
    private final MediaCatalog catalog;
    private final SecureRandom random;
    private int clientId;

    MmsReplies(ServerSettings settings, MediaCatalog catalog, SecureRandom random) {
        this.settings = settings;
        this.catalog = catalog;
        this.random = random;
    }

    /** The Client-ID (nCubs) given to this player at Connect. */
    int clientId() {
        return clientId;
    }

    /** ReportConnectedEX for a Connect; draws the session's Client-ID. */
    ReportConnectedEx connected(Connect c) {
        // §3.2.3: a random Client-ID per session; never 0 so it can't be mistaken for "unset".
        do {
            clientId = random.nextInt();
        } while (clientId == 0);
        // §3.2.5.3: echo packet-pair support only when the client asks for it.
        int pp = c.playIncarnation() == MmsConstants.PACKET_PAIR_ON ? MmsConstants.PACKET_PAIR_ON : MmsConstants.PACKET_PAIR_OFF;
        ReportConnectedEx base = ReportConnectedEx.ofServer(Hresults.S_OK, settings.serverVersionInfo(),
                catalog.authenPackage());
        return new ReportConnectedEx(base.hr(), pp, base.macToViewerProtocolRevision(),
                base.viewerToMacProtocolRevision(), base.blockGroupPlayTime(), base.blockGroupBlocks(),
                base.nMaxOpenFiles(), base.nBlockMaxBytes(), base.maxBitRate(), base.serverVersionInfo(),
                base.versionInfo(), base.versionUrl(), base.authenPackage());
    }

    /**
     * The answer to FunnelInfo: §3.2.5.4's TCP packet-pair is three ReportFunnelInfo with
     * random bytes, sized so that the frames are 512, 512 and 1,056 bytes long.
     */
    ReportFunnelInfo[] funnelInfo(FunnelInfo f) {
        int pi = f.playIncarnation();
        if (pi != MmsConstants.PACKET_PAIR_ON && pi != MmsConstants.PACKET_PAIR_TCP) {
            return new ReportFunnelInfo[] {funnelInfo(MmsConstants.PACKET_PAIR_OFF, new byte[0])};
        }
        ReportFunnelInfo[] out = new ReportFunnelInfo[PACKET_PAIR_FRAME_SIZES.length];
        for (int i = 0; i < out.length; i++) {
            byte[] pair = new byte[PACKET_PAIR_FRAME_SIZES[i] - FUNNEL_INFO_FRAME_OVERHEAD];
            random.nextBytes(pair);
            out[i] = funnelInfo(MmsConstants.PACKET_PAIR_TCP, pair);
        }
        return out;
    }

    /**
     * §3.2.5.4: UDP packet-pair accepted, the packets follow by UDP at ReadBlock (§3.2.5.8), so
     * this reply carries none.
     */
    ReportFunnelInfo udpPacketPair() {
        return funnelInfo(MmsConstants.PACKET_PAIR_UDP, new byte[0]);
    }

    private ReportFunnelInfo funnelInfo(int playIncarnation, byte[] packetPair) {
        return new ReportFunnelInfo(Hresults.S_OK, playIncarnation, 0x00000008, 1, 0x00010000, clientId, 0, 1, 0, 0,
                packetPair);
    }

    ReportOpenFile openFile(int hr, int openPlayIncarnation, ContentInfo info) {
        double duration = info.durationSeconds();
        int blocks = (int) Math.min(Integer.MAX_VALUE, Math.ceil(duration));
        return new ReportOpenFile(hr, openPlayIncarnation, MmsConstants.OPEN_FILE_ID, 0, 0, info.attributes(), duration, blocks,
                info.packetSize(), info.packetCount(), (int) Math.min(0xFFFFFFFFL, info.bitRate()),
                info.fileHeaderSize());
    }

    ReportOpenFile openFailed(int hr, int openPlayIncarnation) {
        return new ReportOpenFile(hr, openPlayIncarnation, MmsConstants.OPEN_FILE_ID, 0, 0, 0, 0.0, 0, 0, 0L, 0, 0);
    }

    /** §2.2.4.12: announces the next playlist entry; its packets carry incarnation 0xFF. */
    ReportStreamChange streamChange(ContentInfo info) {
        return new ReportStreamChange(Hresults.S_OK, 0xFF, info.packetSize(), info.fileHeaderSize(),
                (int) Math.min(0xFFFFFFFFL, info.bitRate()), 0);
    }

    /** §2.2.4.14: a Basic challenge's pToken is UTF-16 {@code realm="..."} plus a NUL. */
    static SecurityChallenge challenge(String realm, int openPlayIncarnation, int cookie) {
        String token = "realm=\"" + realm.replace("\"", "") + "\"\0";
        return new SecurityChallenge(openPlayIncarnation, cookie, token.getBytes(StandardCharsets.UTF_16LE));
    }

    /** ASCII text up to the first NUL (Basic credentials in OpenFile and SecurityResponse, §2.2.4.21 / §2.2.4.24). */
    static String asciiz(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }
}
