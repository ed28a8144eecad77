package io.mmsedge.protocol.mms.client;

/** The client's incarnation counters of MS-MMSP §3.1.1. */
final class Incarnations {

    /** §3.1.1 Incarnation: 1..0xFE, for OpenFile / SecurityResponse. */
    private int incarnation = 1;
    /** §3.1.1 HeaderIncarnation: 1..8, for ReadBlock. */
    private int headerIncarnation = 1;
    /** §3.1.1 PlayIncarnation: 9..0xFE, for StartPlaying / StartStriding. */
    private int playIncarnation = 9;
    /** §3.1.1 PlayIncarnation-For-Stop: the latest play request's playIncarnation; 0 = none yet. */
    private int forStop;

    int next() {
        int v = incarnation;
        incarnation = v == 0xFE ? 1 : v + 1;
        return v;
    }

    int nextHeader() {
        int v = headerIncarnation;
        headerIncarnation = v == 8 ? 1 : v + 1;
        return v;
    }

    /** The next PlayIncarnation, which also becomes PlayIncarnation-For-Stop. */
    int nextPlay() {
        int v = playIncarnation;
        playIncarnation = v == 0xFE ? 9 : v + 1;
        forStop = v;
        return v;
    }

    int forStop() {
        return forStop;
    }
}
