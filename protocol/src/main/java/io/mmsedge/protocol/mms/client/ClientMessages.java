package io.mmsedge.protocol.mms.client;

import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The client's constants, the requests it builds as real players do, and the parsing of some replies. */
public final class ClientMessages {

    private static final int MAX_REALM_CHARS = 256;

    private ClientMessages() {
    }

    /** Connect without packet pair, at the protocol revisions of Windows Media Player 9 (§2.2.4.17). */
    public static Connect connect(String subscriberName) {
        return new Connect(MmsConstants.PACKET_PAIR_OFF, ReportConnectedEx.MAC_TO_VIEWER_PROTOCOL_REVISION,
                ReportConnectedEx.VIEWER_TO_MAC_PROTOCOL_REVISION, subscriberName);
    }

    /** ConnectFunnel for a TCP funnel named {@code funnelName}, e.g. {@code \\192.168.0.1\TCP\1037}. */
    public static ConnectFunnel connectFunnel(String funnelName) {
        return new ConnectFunnel(0, 0xFFFFFFFF, 0, MmsConstants.MAX_BIT_RATE, MmsConstants.FUNNEL_MODE, funnelName);
    }

    /** ReadBlock for the whole ASF file header (§3.1.5.9.1); length and tDeadline are hints. */
    public static ReadBlock readHeader(int openFileId, int headerIncarnation) {
        return new ReadBlock(openFileId, 0, 0, 0x8000, 0xFFFFFFFF, 0, 0.0, 3600.0, headerIncarnation, 0);
    }

    /** StreamSwitch selecting exactly {@code streams} at thinning 0 (§3.1.4.2), as players send it. */
    public static StreamSwitch selectStreams(List<Integer> streams) {
        List<StreamSwitchEntry> entries = new ArrayList<>();
        for (int n : streams) {
            entries.add(new StreamSwitchEntry(StreamSwitchEntry.NO_STREAM, n, StreamSwitchEntry.THIN_NONE));
        }
        return new StreamSwitch(entries);
    }

    /** The TCP funnel name of a client at {@code host}:{@code port} (§2.2.4.18). */
    public static String tcpFunnelName(String host, int port) {
        return "\\\\" + host + "\\TCP\\" + port;
    }

    /** The major number of a ServerVersionInfo (§2.2.4.2), e.g. 9 for "9.1.1.3862"; 0 when unknown. */
    public static int majorVersion(String serverVersionInfo) {
        String v = serverVersionInfo == null ? "" : serverVersionInfo;
        int end = 0;
        while (end < v.length() && end < 4 && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v, 0, end, 10);
    }

    /** ASCII text plus a NUL (basic-credentials, §2.2.4.21 / §2.2.4.24); validated printable ASCII. */
    public static byte[] asciiz(String s) {
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[text.length + 1];
        System.arraycopy(text, 0, out, 0, text.length);
        return out;
    }

    /** The realm-value of a Basic pToken: UTF-16LE {@code realm="..."} (§2.2.4.14); "" when absent. */
    public static String realm(byte[] token) {
        String s = new String(token, 0, token.length & ~1, StandardCharsets.UTF_16LE);
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            s = s.substring(0, nul);
        }
        int i = s.toLowerCase(Locale.ROOT).indexOf("realm=\"");
        if (i < 0) {
            return "";
        }
        int start = i + 7;
        int end = s.indexOf('"', start);
        String realm = end < 0 ? s.substring(start) : s.substring(start, end);
        return realm.length() > MAX_REALM_CHARS ? realm.substring(0, MAX_REALM_CHARS) : realm;
    }

    /** True for an NTLM pToken (it starts with two NULs), which only Basic-capable clients cannot answer. */
    public static boolean ntlmToken(byte[] token) {
        return token.length >= 2 && token[0] == 0 && token[1] == 0;
    }

    /** The stream numbers an ASF file header lists. */
    static List<Integer> streamNumbers(byte[] h) {
        AsfHeader parsed;
        try {
            parsed = AsfHeader.parse(h);
        } catch (RuntimeException e) {
            throw new ClientProtocolException("malformed ASF file header: " + e.getMessage());
        }
        List<Integer> numbers = new ArrayList<>();
        for (AsfStream s : parsed.streams()) {
            numbers.add(s.number());
        }
        if (numbers.isEmpty()) {
            throw new ClientProtocolException("the ASF file header lists no streams");
        }
        return List.copyOf(numbers);
    }
}
