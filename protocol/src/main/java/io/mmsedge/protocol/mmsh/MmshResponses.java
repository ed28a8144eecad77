package io.mmsedge.protocol.mmsh;

import io.mmsedge.protocol.content.ContentInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The response headers [MS-WMSP] §2.2.2 asks of a server, as name/value pairs in order (Pragma
 * repeats). Describe answers carry the header type, Play answers the framed type (§2.2.1.2);
 * both carry the session's client-id (§2.2.1.4.5) and the content's features (§2.2.1.4.9),
 * which VLC reads to decide whether it can seek ("broadcast" before "seekable").
 */
public final class MmshResponses {

    /** §2.2.1.2: the Describe response body ($H packets). */
    public static final String CONTENT_TYPE_DESCRIBE = "application/vnd.ms.wms-hdr.asfv1";
    /** §2.2.1.2: the Play response body ($H, $D, $E, $C packets). */
    public static final String CONTENT_TYPE_FRAMED = "application/x-mms-framed";
    /** An ASX metafile (what Windows Media Services answers for .asx). */
    public static final String CONTENT_TYPE_ASX = "video/x-ms-asf";
    /**
     * §2.2.1.9 Supported: stream switching, predictive stream selection, startup profile. No
     * packet-pair (com.microsoft.wm.srvppair): we send no $P.
     */
    static final String SUPPORTED = "com.microsoft.wm.sswitch, com.microsoft.wm.predstrm, "
            + "com.microsoft.wm.startupprofile";

    private MmshResponses() {
    }

    /** §2.2.1.4.9 features: what the player may do with this content. */
    public static String features(ContentInfo info) {
        StringBuilder sb = new StringBuilder();
        if (info.broadcast()) {
            sb.append("broadcast");
        } else {
            sb.append("seekable");
            if ((info.attributes() & ContentInfo.ATTR_CANSTRIDE) != 0) {
                sb.append(",stridable");
            }
        }
        if ((info.attributes() & ContentInfo.ATTR_PLAYLIST) != 0) {
            sb.append(",playlist");
        }
        return sb.toString();
    }

    /**
     * Headers of a Describe or Play response.
     *
     * @param server   the Server header (Windows Media Services says "Cougar/9.01.01.3814")
     * @param clientId the session's client-id
     * @param play     a Play response (framed body) rather than a Describe
     */
    public static List<Map.Entry<String, String>> contentHeaders(String server, long clientId, ContentInfo info,
                                                                boolean play) {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(Map.entry("Content-Type", play ? CONTENT_TYPE_FRAMED : CONTENT_TYPE_DESCRIBE));
        h.add(Map.entry("Server", server));
        h.add(Map.entry("Cache-Control", "no-cache"));
        h.add(Map.entry("Pragma", "no-cache"));
        h.add(Map.entry("Pragma", "client-id=" + clientId));
        h.add(Map.entry("Pragma", "features=\"" + features(info) + "\""));
        h.add(Map.entry("Supported", SUPPORTED));
        return h;
    }

    /** Headers of a response without content (KeepAlive, Stop, SelectStream, LogStats). */
    public static List<Map.Entry<String, String>> plainHeaders(String server, long clientId) {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(Map.entry("Server", server));
        h.add(Map.entry("Cache-Control", "no-cache"));
        if (clientId >= 0) {
            h.add(Map.entry("Pragma", "client-id=" + clientId));
        }
        h.add(Map.entry("Supported", SUPPORTED));
        return h;
    }

    /**
     * Headers of the answer to a Pipeline request (§2.2.2.5): pipeline-result (§2.2.1.4.17) 1
     * offers pipelined mode (an HTTP/1.1 connection kept alive), 0 declines it and the player
     * goes on in non-pipelined mode.
     */
    public static List<Map.Entry<String, String>> pipelineHeaders(String server, long clientId, boolean offer) {
        List<Map.Entry<String, String>> h = plainHeaders(server, clientId);
        h.add(Map.entry("Pragma", "pipeline-result=" + (offer ? 1 : 0)));
        return h;
    }

    /** The Server header value for a version such as "9.1.1.3862": "Cougar/9.1.1.3862". */
    public static String serverHeader(String version) {
        return "Cougar/" + version;
    }

    /**
     * A small ASX metafile whose entry offers {@code urls} in order, so that a web page can link
     * to a stream and the player tries MMSH and then MMS/TCP.
     */
    public static String asx(String title, List<String> urls) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("<ASX VERSION=\"3.0\">\r\n  <TITLE>").append(xml(title)).append("</TITLE>\r\n  <ENTRY>\r\n");
        for (String u : urls) {
            sb.append("    <REF HREF=\"").append(xml(u)).append("\"/>\r\n");
        }
        sb.append("  </ENTRY>\r\n</ASX>\r\n");
        return sb.toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
