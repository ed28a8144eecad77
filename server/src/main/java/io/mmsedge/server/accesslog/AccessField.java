package io.mmsedge.server.accesslog;

/**
 * The fields of an access-log line, in the order of the {@code #Fields} directive. The names are
 * those of the Windows Media Services log ([MS-WMLOG] §2.2, the legacy W3C order), so that log
 * analysers that read WMS logs read these; docs/access-log.md says where each value comes from.
 */
public enum AccessField {
    C_IP("c-ip"),
    DATE("date"),
    TIME("time"),
    C_DNS("c-dns"),
    CS_URI_STEM("cs-uri-stem", true),
    C_STARTTIME("c-starttime"),
    X_DURATION("x-duration"),
    C_RATE("c-rate"),
    C_STATUS("c-status"),
    C_PLAYERID("c-playerid"),
    C_PLAYERVERSION("c-playerversion"),
    C_PLAYERLANGUAGE("c-playerlanguage"),
    CS_USER_AGENT("cs(User-Agent)"),
    C_OS("c-os"),
    C_CPU("c-cpu"),
    FILELENGTH("filelength"),
    FILESIZE("filesize"),
    AVGBANDWIDTH("avgbandwidth"),
    PROTOCOL("protocol"),
    TRANSPORT("transport"),
    AUDIOCODEC("audiocodec"),
    VIDEOCODEC("videocodec"),
    SC_BYTES("sc-bytes"),
    C_BYTES("c-bytes"),
    S_PKTS_SENT("s-pkts-sent"),
    C_PKTS_RECEIVED("c-pkts-received"),
    C_PKTS_LOST_CLIENT("c-pkts-lost-client"),
    C_RESENDREQS("c-resendreqs"),
    C_BUFFERCOUNT("c-buffercount"),
    C_TOTALBUFFERTIME("c-totalbuffertime"),
    C_QUALITY("c-quality"),
    S_IP("s-ip"),
    S_TOTALCLIENTS("s-totalclients"),
    S_CPU_UTIL("s-cpu-util"),
    CS_URL("cs-url", true),
    CS_MEDIA_NAME("cs-media-name"),
    S_PROXIED("s-proxied");

    private static final AccessField[] ALL = values();

    private final String w3cName;
    /** [MS-WMLOG] §2.2: fields that carry a URL are percent-encoded (RFC 3986 §2.1). */
    private final boolean url;

    AccessField(String w3cName) {
        this(w3cName, false);
    }

    AccessField(String w3cName, boolean url) {
        this.w3cName = w3cName;
        this.url = url;
    }

    /** The name in the {@code #Fields} directive and the key in a JSON line. */
    public String w3cName() {
        return w3cName;
    }

    boolean isUrl() {
        return url;
    }

    /** {@code #Fields: c-ip date ...}: the directive naming every field, in line order. */
    public static String fieldsDirective() {
        StringBuilder sb = new StringBuilder("#Fields:");
        for (AccessField f : ALL) {
            sb.append(' ').append(f.w3cName);
        }
        return sb.toString();
    }

    static AccessField[] all() {
        return ALL;
    }
}
