package io.mmsedge.server.play;

import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which streams a session sends, at which thinning level (§2.2.4.28.1, §3.2.5.10).
 *
 * <p>Before any StreamSwitch, §3.2.5.11 says nothing is selected, except for Windows Media
 * Services 4.0/4.1 clients which get every stream. A stream that becomes selected starts at its
 * next key frame, so a player never receives a delta frame it can't decode. Not thread-safe:
 * used on the session's event loop.
 */
public final class StreamSelection {

    /** Thinning per stream number; absent = not selected. */
    private final Map<Integer, Integer> thinning = new HashMap<>();
    /** Newly selected streams waiting for their first key frame. */
    private final Set<Integer> awaitingKeyFrame = new HashSet<>();
    /**
     * Replacement stream -> the stream it replaces, while the replacement waits for its first
     * key frame: §3.2.5.10 keeps the replaced stream flowing until then.
     */
    private final Map<Integer, Integer> replaced = new HashMap<>();
    /**
     * Video streams. Only video has key frames that matter: FFmpeg writes audio payloads without
     * the key-frame flag, and every audio media object decodes on its own, so a non-video stream
     * starts at its next media object and counts every media object as a key frame.
     */
    private final Set<Integer> videoStreams = new HashSet<>();
    private boolean hasVideo;
    private boolean switched;
    /**
     * Streams selected at full rate and not waiting for a key frame, by stream number (ASF stream
     * numbers are 1..127): lets {@link #keepsAll} decide the common case with an array lookup per
     * payload, for every packet of every player. Per stream, not "nothing waits anywhere": a
     * selected stream whose key frame never comes (or that has no data at all) must not send
     * every other stream's packets the slow way for the rest of the session — that cost 6.5% of
     * the edge's CPU in the split benchmark.
     */
    private final boolean[] fullRate = new boolean[128];

    /** After every change to {@link #thinning} or {@link #awaitingKeyFrame}. */
    private void refreshFullRate() {
        java.util.Arrays.fill(fullRate, false);
        for (Map.Entry<Integer, Integer> e : thinning.entrySet()) {
            int s = e.getKey();
            if (s >= 0 && s < fullRate.length && e.getValue() == StreamSwitchEntry.THIN_NONE
                    && !awaitingKeyFrame.contains(s)) {
                fullRate[s] = true;
            }
        }
    }

    /** Nothing selected (the §3.2.5.11 default for current clients). */
    public static StreamSelection none(ContentInfo info) {
        StreamSelection s = new StreamSelection();
        s.learn(info);
        return s;
    }

    private void learn(ContentInfo info) {
        for (ContentInfo.StreamInfo st : info.streams()) {
            if (st.video()) {
                videoStreams.add(st.number());
            }
        }
        hasVideo = !videoStreams.isEmpty();
    }

    /** Every stream of {@code info} at full rate (WMS 4.x clients, new playlist entries). */
    public static StreamSelection all(ContentInfo info) {
        StreamSelection s = new StreamSelection();
        s.learn(info);
        for (ContentInfo.StreamInfo st : info.streams()) {
            s.thinning.put(st.number(), StreamSwitchEntry.THIN_NONE);
        }
        s.switched = true;
        s.refreshFullRate();
        return s;
    }

    /** True once a StreamSwitch (or an implicit all-selection) applied. */
    public boolean switched() {
        return switched;
    }

    /**
     * Applies a StreamSwitch (§3.2.5.10), all or nothing: false, and nothing changed, if an entry
     * names a stream the content lacks (the front end then answers with an error hr).
     *
     * <p>Per entry: {src, none} unselects src; {any, dst, 2} unselects dst (and src); {none, dst,
     * 0 or 1} selects dst at that thinning level; {src, dst, 0 or 1} replaces src by dst, and src
     * keeps flowing until dst's first key frame so that the player sees no gap. A stream that
     * starts, or goes back from key frames only to every frame, starts at its next key frame:
     * its delta frames need every frame since that key frame.
     */
    public boolean apply(List<StreamSwitchEntry> entries, ContentInfo info) {
        learn(info);
        Set<Integer> known = new HashSet<>();
        for (ContentInfo.StreamInfo st : info.streams()) {
            known.add(st.number());
        }
        for (StreamSwitchEntry e : entries) {
            if (!namesKnown(e.srcStreamNumber(), known) || !namesKnown(e.dstStreamNumber(), known)) {
                return false;
            }
        }
        for (StreamSwitchEntry e : entries) {
            applyEntry(e.srcStreamNumber(), e.dstStreamNumber(), e.thinningLevel());
        }
        switched = true;
        refreshFullRate();
        return true;
    }

    private static boolean namesKnown(int stream, Set<Integer> known) {
        return stream == StreamSwitchEntry.NO_STREAM || known.contains(stream);
    }

    private void applyEntry(int src, int dst, int thinningLevel) {
        if (dst == StreamSwitchEntry.NO_STREAM) {
            if (src != StreamSwitchEntry.NO_STREAM) {
                unselect(src); // {src, none}: src is no longer wanted
            }
            return;
        }
        int level = Math.min(Math.max(thinningLevel, 0), StreamSwitchEntry.THIN_ALL);
        boolean replaces = src != StreamSwitchEntry.NO_STREAM && src != dst;
        if (level == StreamSwitchEntry.THIN_ALL) {
            unselect(dst);
            if (replaces) {
                unselect(src);
            }
            return;
        }
        Integer before = thinning.put(dst, level);
        if (before == null || (before == StreamSwitchEntry.THIN_KEY_FRAMES && level == StreamSwitchEntry.THIN_NONE)) {
            awaitingKeyFrame.add(dst);
        }
        if (replaces) {
            if (thinning.containsKey(src) && awaitingKeyFrame.contains(dst)) {
                replaced.put(dst, src); // src flows until dst's first key frame (§3.2.5.10)
            } else {
                unselect(src); // dst already flows: no gap to bridge
            }
        }
    }

    private void unselect(int stream) {
        thinning.remove(stream);
        awaitingKeyFrame.remove(stream);
        // A replacement unselected before its key frame leaves the old stream selected.
        replaced.remove(stream);
        replaced.values().removeIf(old -> old == stream);
    }

    /** The selected streams' numbers, ascending (a replaced stream still flowing included). */
    public List<Integer> selectedStreams() {
        return thinning.keySet().stream().sorted().toList();
    }

    /**
     * The bit rate of the selected streams, for the access log: each stream's rate from the
     * header; a stream whose header gives none (FFmpeg's multi-bit-rate video) gets an equal share
     * of what the content's real-time rate ({@link ContentInfo#realTimeBitRate()}) leaves over
     * the known ones. A stream thinned to key frames counts in full; a replaced stream still
     * flowing does not count (its replacement does).
     */
    /** {@code streams=1,3 bitrate=N}: the selected streams and their bit rate, for access-log lines. */
    String describe(ContentInfo info) {
        List<Integer> streams = selectedStreams();
        return "streams=" + (streams.isEmpty() ? "-" : streams.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(","))) + " bitrate=" + selectedBitRate(info);
    }

    public long selectedBitRate(ContentInfo info) {
        long known = 0;
        int unknown = 0;
        for (ContentInfo.StreamInfo st : info.streams()) {
            known += st.bitRate();
            unknown += st.bitRate() == 0 ? 1 : 0;
        }
        long share = unknown == 0 ? 0 : Math.max(0, info.realTimeBitRate() - known) / unknown;
        long sum = 0;
        for (ContentInfo.StreamInfo st : info.streams()) {
            if (thinning.containsKey(st.number()) && !replaced.containsValue(st.number())) {
                sum += st.bitRate() > 0 ? st.bitRate() : share;
            }
        }
        return sum;
    }

    /** Restart point (seek, new StartPlaying): every selected stream waits for a key frame again. */
    public void resync() {
        awaitingKeyFrame.addAll(thinning.keySet());
        refreshFullRate();
    }

    /** A key frame for the purposes of §3.2.5.10: video key frames, any media object of other streams. */
    private boolean isKey(AsfPayload p) {
        return !videoStreams.contains(p.streamNumber()) || p.keyFrame();
    }

    /**
     * Where a stream waiting for a key frame (§3.2.5.10) may start: the first fragment of a
     * video key frame, or of any media object of a stream that is not video. The same rule tells
     * a cache fill where an origin that applies it has stopped dropping payloads.
     */
    public static boolean isSyncPoint(AsfPayload p, boolean video) {
        return p.offsetIntoMediaObject() == 0 && (!video || p.keyFrame());
    }

    /**
     * Decides for one payload, in sending order. A payload that begins a key frame of a stream
     * waiting for one ends the wait; the remaining fragments of that media object follow.
     *
     * @param keyFramesOnly striding: video key frames only, and no audio when there is video
     */
    public boolean keep(AsfPayload p, boolean keyFramesOnly) {
        Integer level = thinning.get(p.streamNumber());
        if (level == null || (keyFramesOnly && hasVideo && !videoStreams.contains(p.streamNumber()))) {
            return false;
        }
        if (awaitingKeyFrame.contains(p.streamNumber())) {
            if (!isSyncPoint(p, videoStreams.contains(p.streamNumber()))) {
                return false;
            }
            awaitingKeyFrame.remove(p.streamNumber());
            Integer old = replaced.remove(p.streamNumber());
            if (old != null) {
                // The replacement's first key frame goes out: the replaced stream stops here.
                thinning.remove(old);
                awaitingKeyFrame.remove(old);
            }
            refreshFullRate();
        }
        if (level == StreamSwitchEntry.THIN_KEY_FRAMES || keyFramesOnly) {
            return isKey(p);
        }
        return true;
    }

    /** True if every payload of the packet would be kept (lets the sender share the buffer as is). */
    public boolean keepsAll(List<AsfPayload> payloads, boolean keyFramesOnly) {
        if (!keyFramesOnly) {
            // The common case. A thinned or waiting stream answers false here and goes the exact way below.
            for (int i = 0, n = payloads.size(); i < n; i++) {
                int s = payloads.get(i).streamNumber();
                if (s < 0 || s >= fullRate.length || !fullRate[s]) {
                    return keepsAllSlow(payloads, false);
                }
            }
            return true;
        }
        return keepsAllSlow(payloads, keyFramesOnly);
    }

    private boolean keepsAllSlow(List<AsfPayload> payloads, boolean keyFramesOnly) {
        for (AsfPayload p : payloads) {
            Integer level = thinning.get(p.streamNumber());
            if (level == null || awaitingKeyFrame.contains(p.streamNumber())) {
                return false;
            }
            if (keyFramesOnly && hasVideo && !videoStreams.contains(p.streamNumber())) {
                return false;
            }
            if ((level == StreamSwitchEntry.THIN_KEY_FRAMES || keyFramesOnly) && !isKey(p)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "StreamSelection" + thinning + (awaitingKeyFrame.isEmpty() ? "" : " awaiting " + awaitingKeyFrame)
                + (replaced.isEmpty() ? "" : " replacing " + replaced);
    }
}
