package io.mmsedge.protocol.mmsh.client;

import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * MMSH has no ReportOpenFile: what MMS reports in it (§2.2.4.7) comes from the ASF header and
 * the answer's Pragma {@code features} ([MS-WMSP] §2.2.1.4.9: "broadcast", "seekable",
 * "stridable", "playlist"). Without features, the header's File Properties flags decide.
 */
public final class MmshDescriptions {

    private MmshDescriptions() {
    }

    /**
     * The ReportOpenFile an MMS server would have sent for this header.
     *
     * @throws io.mmsedge.protocol.asf.AsfFormatException if the header does not parse
     */
    public static ReportOpenFile openFile(byte[] header, String features) {
        AsfHeader h = AsfHeader.parse(header);
        String f = features == null ? "" : features.toLowerCase(Locale.ROOT);
        boolean broadcast = f.contains("broadcast") || (!f.contains("seekable") && h.broadcast());
        int attributes;
        if (broadcast) {
            attributes = ContentInfo.ATTR_BROADCAST;
        } else {
            attributes = (f.contains("seekable") || (f.isEmpty() && h.seekable()) ? ContentInfo.ATTR_CANSEEK : 0)
                    | (f.contains("stridable") ? ContentInfo.ATTR_CANSTRIDE : 0);
        }
        if (f.contains("playlist")) {
            attributes |= ContentInfo.ATTR_PLAYLIST;
        }
        long bitRate = h.totalBitrate() > 0 ? h.totalBitrate() : h.maxBitrate();
        double duration = broadcast ? 0 : h.durationSeconds();
        long packets = broadcast ? 0 : h.dataPacketsCount();
        return new ReportOpenFile(0, 0, 1, 0, 0, attributes, duration, (int) Math.min(Integer.MAX_VALUE,
                Math.ceil(duration)), h.maxDataPacketSize(), packets, (int) Math.min(0xFFFFFFFFL, bitRate),
                header.length);
    }

    /** The ReportStreamChange MMS would send for a new entry's header (§2.2.4.12). */
    public static ReportStreamChange streamChange(byte[] header) {
        AsfHeader h = AsfHeader.parse(header);
        long bitRate = h.totalBitrate() > 0 ? h.totalBitrate() : h.maxBitrate();
        return new ReportStreamChange(0, 0, h.maxDataPacketSize(), header.length,
                (int) Math.min(0xFFFFFFFFL, bitRate), 0);
    }

    /** The stream numbers of a header, for stream-switch-entry (§2.2.1.4.27). */
    public static List<Integer> streams(byte[] header) {
        List<Integer> out = new ArrayList<>();
        for (AsfStream s : AsfHeader.parse(header).streams()) {
            if (!out.contains(s.number()) && out.size() < MmshClientPlay.MAX_STREAMS) {
                out.add(s.number());
            }
        }
        return out;
    }
}
