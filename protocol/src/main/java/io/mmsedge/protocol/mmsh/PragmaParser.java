package io.mmsedge.protocol.mmsh;

import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the Pragma headers of an MMSH request ([MS-WMSP] §2.2.1.4) into {@link Pragmas}.
 * Bounded: at most {@link #MAX_HEADERS} Pragma headers, {@link #MAX_TOKENS} tokens,
 * {@link #MAX_SWITCH_ENTRIES} stream-switch entries and {@link #MAX_TOKEN_LENGTH} characters a
 * token; beyond that the request is refused. Tolerant of what real players send: token names
 * in any case, spaces around separators, tokens repeated across several Pragma headers (the
 * last wins), unknown tokens (ignored), and numbers followed by junk — FFmpeg's play request
 * runs its last Pragma line into "Connection: Close" for want of a CRLF
 * ({@code stream-time=0Connection: Close}), so a number is its leading digits.
 */
public final class PragmaParser {

    public static final int MAX_HEADERS = 32;
    public static final int MAX_TOKENS = 64;
    public static final int MAX_TOKEN_LENGTH = 4096;
    public static final int MAX_SWITCH_ENTRIES = 128;
    private static final long UNSET_32 = 0xFFFFFFFFL;

    private PragmaParser() {
    }

    /** Parses every Pragma header value of a request, in order. */
    public static Pragmas parse(List<String> headerValues) {
        if (headerValues.size() > MAX_HEADERS) {
            throw new MmshBadRequest(headerValues.size() + " Pragma headers (max " + MAX_HEADERS + ")");
        }
        Builder b = new Builder();
        for (String value : headerValues) {
            String v = value.strip();
            // §2.2.1.4.27: stream-switch-entry stands alone on its Pragma header and its entries
            // are separated by spaces; log-line (§2.2.1.4.11) may hold commas. Both take the rest.
            String lower = v.toLowerCase(Locale.ROOT);
            if (lower.startsWith("stream-switch-entry") || lower.startsWith("log-line")) {
                b.token(v);
                continue;
            }
            for (String token : v.split(",")) {
                if (!token.isBlank()) {
                    b.token(token.strip());
                }
            }
        }
        return b.build();
    }

    private static final class Builder {
        int tokens;
        long clientId = -1;
        String clientGuid;
        boolean playStrm;
        int switchCount = -1;
        final List<StreamSwitchEntry> entries = new ArrayList<>();
        long streamTime = -1;
        long streamOffset = -1;
        long packetNum = -1;
        double rate = 1.0;
        long requestContext = -1;
        long maxDuration = -1;
        long linkBw = -1;
        long accelBw = -1;
        long accelDuration = -1;
        String logLine;
        boolean stopStrm;
        boolean keepAliveInPause;
        boolean playNextEntry;
        boolean pipelineRequest;
        boolean version11Enabled;
        boolean packetPair;

        void token(String token) {
            if (++tokens > MAX_TOKENS) {
                throw new MmshBadRequest("more than " + MAX_TOKENS + " Pragma tokens");
            }
            if (token.length() > MAX_TOKEN_LENGTH) {
                throw new MmshBadRequest("a Pragma token of " + token.length() + " characters (max "
                        + MAX_TOKEN_LENGTH + ")");
            }
            int eq = token.indexOf('=');
            String name = (eq < 0 ? token : token.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : token.substring(eq + 1).strip();
            switch (name) {
                case "client-id" -> clientId = unset32(number(name, value));
                case "xclientguid" -> clientGuid = value;
                case "xplaystrm" -> playStrm = flag(name, value);
                case "stream-switch-count" -> switchCount = (int) Math.min(number(name, value), Integer.MAX_VALUE);
                case "stream-switch-entry" -> switchEntries(value);
                case "stream-time" -> streamTime = number(name, value);
                case "stream-offset" -> streamOffset = offset(value);
                case "packet-num" -> packetNum = unset32(number(name, value));
                case "rate" -> rate = rate(value);
                case "request-context" -> requestContext = number(name, value);
                case "max-duration" -> maxDuration = number(name, value);
                case "linkbw" -> linkBw = number(name, value);
                case "accelbw" -> accelBw = number(name, value);
                case "accelduration" -> accelDuration = number(name, value);
                case "log-line" -> logLine = value;
                case "xstopstrm" -> stopStrm = flag(name, value);
                case "xkeepaliveinpause" -> keepAliveInPause = flag(name, value);
                case "xplaynextentry" -> playNextEntry = flag(name, value);
                case "pipeline-request" -> pipelineRequest = flag(name, value);
                case "version11-enabled" -> version11Enabled = flag(name, value);
                case "packet-pair-experiment" -> packetPair = flag(name, value);
                default -> {
                    // no-cache, xPlayStrm's relatives, features, timeout... : not acted on.
                }
            }
        }

        /** Entries "src:dst:thinning", hexadecimal, space-separated (§2.2.1.4.27). */
        private void switchEntries(String value) {
            for (String e : value.split("\\s+")) {
                if (e.isEmpty()) {
                    continue;
                }
                if (entries.size() == MAX_SWITCH_ENTRIES) {
                    throw new MmshBadRequest("more than " + MAX_SWITCH_ENTRIES + " stream-switch entries");
                }
                String[] p = e.split(":");
                if (p.length != 3) {
                    throw new MmshBadRequest("stream-switch-entry \"" + e + "\" is not src:dst:thinning");
                }
                entries.add(new StreamSwitchEntry(hex16(p[0]), hex16(p[1]), hex16(p[2])));
            }
        }

        private static int hex16(String s) {
            try {
                int v = Integer.parseInt(s.strip(), 16);
                if (v < 0 || v > 0xFFFF) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new MmshBadRequest("stream-switch-entry field \"" + s + "\" is not a 16-bit hex number");
            }
        }

        /** "hi:lo" 32-bit halves of a 64-bit offset; all ones = unset. A single number is taken as is. */
        private static long offset(String value) {
            int colon = value.indexOf(':');
            if (colon < 0) {
                return number("stream-offset", value);
            }
            long hi = number("stream-offset", value.substring(0, colon));
            long lo = number("stream-offset", value.substring(colon + 1));
            if (hi == UNSET_32 && lo == UNSET_32) {
                return -1;
            }
            if (hi > UNSET_32 || lo > UNSET_32) {
                throw new MmshBadRequest("stream-offset \"" + value + "\" out of range");
            }
            return (hi << 32) | lo;
        }

        private static double rate(String value) {
            int end = 0;
            while (end < value.length() && "+-.0123456789eE".indexOf(value.charAt(end)) >= 0) {
                end++;
            }
            try {
                double r = Double.parseDouble(value.substring(0, end));
                if (!Double.isFinite(r)) {
                    throw new NumberFormatException();
                }
                return r;
            } catch (NumberFormatException e) {
                throw new MmshBadRequest("rate \"" + value + "\" is not a number");
            }
        }

        Pragmas build() {
            return new Pragmas(clientId, clientGuid, playStrm, switchCount, entries, streamTime, streamOffset,
                    packetNum, rate, requestContext, maxDuration, linkBw, accelBw, accelDuration, logLine, stopStrm,
                    keepAliveInPause, playNextEntry, pipelineRequest, version11Enabled, packetPair);
        }
    }

    private static long unset32(long v) {
        return v == UNSET_32 ? -1 : v;
    }

    /** A token given without a value counts as set ("xKeepAliveInPause"); "=0" clears it. */
    private static boolean flag(String name, String value) {
        return value.isEmpty() || number(name, value) != 0;
    }

    /** The leading decimal digits of {@code value} (at most 18 of them). */
    static long number(String name, String value) {
        int end = 0;
        while (end < value.length() && end < 18 && value.charAt(end) >= '0' && value.charAt(end) <= '9') {
            end++;
        }
        if (end == 0) {
            throw new MmshBadRequest(name + " \"" + truncate(value) + "\" is not a number");
        }
        return Long.parseLong(value.substring(0, end));
    }

    static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
