package io.mmsedge.server.session;

import io.mmsedge.protocol.mms.SubscriberName;
import java.util.Locale;
import java.util.Set;

/**
 * What real players do that a server session makes up for, where they differ from MS-MMSP
 * (see docs/players.md). Players are recognised by the fixed GUID of their
 * subscriberName (§2.2.4.17), which these clients never vary.
 */
final class ClientQuirks {

    /**
     * MPlayer's own MMS client never acts on ReportEndOfStream at the end of the content: it
     * spins on its socket reads until the connection closes, which §3.2 leaves to the idle
     * timeout (an hour by default). For it the session closes right after the end of the content.
     *
     * <p>Not FFmpeg (libavformat/mmst.c, also ffplay; GUID {7E667F5D-A661-495E-A512-F55686DDA178}):
     * a closed connection makes it loop on the dead socket at full CPU, logging "Error reading
     * packet header" without end. It gets {@link FfmpegStop}'s packets instead
     * ({@link #stopsOnlyOnBadPacket}).
     */
    private static final Set<String> WAIT_FOR_CLOSE_AT_END = Set.of(
            "33715801-BAB3-9D85-24E9-03B90328270A"); // MPlayer

    /** FFmpeg's libavformat/mmst.c (ffmpeg, ffplay): always this GUID. */
    private static final String FFMPEG = "7E667F5D-A661-495E-A512-F55686DDA178";

    private ClientQuirks() {
    }

    /**
     * True when the player only finishes once the server closes the connection after the
     * content. Only for the player itself: a proxy forwards the player's GUID with a VIA token
     * (§2.2.4.17), and its upstream session must stay usable (an edge's cache fill moves on).
     */
    static boolean waitsForCloseAtEnd(SubscriberName subscriber) {
        return isOneOf(subscriber, WAIT_FOR_CLOSE_AT_END);
    }

    /**
     * True for FFmpeg, which no end of a session stops while it plays: its mmst.c read returns 0
     * for every failure (a closed or reset connection, an EndOfStream where media is expected),
     * and libavformat calls it again at once, for ever, at full CPU. Only malformed Data packets
     * make it stop: {@link FfmpegStop} sends them at shutdown and at the end of the content. At
     * the end of a file too: ffmpeg decoding audio (and ffplay) reads on past the last packet,
     * prints "Corrupt stream (unexpected packet type 0x1e, expected 0x10001)" on the EndOfStream,
     * and without them waited there for more, with any MMS server.
     */
    static boolean stopsOnlyOnBadPacket(SubscriberName subscriber) {
        return isOneOf(subscriber, Set.of(FFMPEG));
    }

    private static boolean isOneOf(SubscriberName subscriber, Set<String> guids) {
        return subscriber != null && subscriber.guid() != null && !subscriber.viaProxy()
                && guids.contains(subscriber.guid().trim().toUpperCase(Locale.ROOT));
    }
}
