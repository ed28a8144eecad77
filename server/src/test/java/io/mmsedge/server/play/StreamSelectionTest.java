package io.mmsedge.server.play;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfPayload;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.MediaPacket;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamSelection#keepsAll}, the per-packet question every player's pump asks, answers
 * exactly what asking {@link StreamSelection#keep} of every payload would — and answers it the
 * fast way for a stream that already started even while another selected stream still waits
 * for its key frame (§3.2.5.10).
 */
class StreamSelectionTest {

    private static AsfPayload payload(int stream, boolean key, long offset) {
        return new AsfPayload(stream, key, 1, offset, 100, 0, false, 0, 10, 2, 8);
    }

    private static List<StreamSwitchEntry> select(int... streams) {
        List<StreamSwitchEntry> e = new ArrayList<>();
        for (int s : streams) {
            e.add(new StreamSwitchEntry(StreamSwitchEntry.NO_STREAM, s, StreamSwitchEntry.THIN_NONE));
        }
        return e;
    }

    @Test
    void keepsAllAgreesWithKeepOnEveryPacketOfARealFile() throws Exception {
        try (AsfFileEntry file = AsfFileEntry.open(Fixtures.media("av.asf"), 0, ByteBufAllocator.DEFAULT)) {
            ContentInfo info = file.info();
            List<Integer> all = new ArrayList<>();
            info.streams().forEach(s -> all.add(s.number()));
            StreamSelection sel = StreamSelection.none(info);
            assertTrue(sel.apply(select(all.stream().mapToInt(Integer::intValue).toArray()), info));
            sel.resync();
            int whole = 0;
            for (long n = 0; n < file.packetCount(); n++) {
                MediaPacket p = file.read(n);
                try {
                    // Ask keepsAll first, then keep() per payload on a twin selection in the same
                    // state: keep() changes the state (a key frame ends a wait), keepsAll() doesn't.
                    boolean fast = sel.keepsAll(p.payloads(), false);
                    boolean every = true;
                    for (AsfPayload pl : p.payloads()) {
                        every &= sel.keep(pl, false);
                    }
                    if (fast) {
                        assertTrue(every, "keepsAll said whole, keep() dropped a payload of packet " + n);
                        whole++;
                    }
                } finally {
                    p.release();
                }
            }
            assertTrue(whole > file.packetCount() * 9 / 10, "once started, packets go whole: " + whole);
        }
    }

    @Test
    void aStreamThatNeverComesDoesNotHoldTheOthersOnTheSlowPath() throws Exception {
        try (AsfFileEntry file = AsfFileEntry.open(Fixtures.media("av.asf"), 0, ByteBufAllocator.DEFAULT)) {
            ContentInfo info = file.info();
            int video = -1;
            int audio = -1;
            for (ContentInfo.StreamInfo s : info.streams()) {
                if (s.video()) {
                    video = s.number();
                } else {
                    audio = s.number();
                }
            }
            StreamSelection sel = StreamSelection.none(info);
            assertTrue(sel.apply(select(video, audio), info));
            sel.resync();
            // Audio starts at its next media object; video never sends a key frame here.
            assertFalse(sel.keepsAll(List.of(payload(audio, false, 0)), false), "audio waits before its start");
            assertTrue(sel.keep(payload(audio, false, 0), false));
            assertTrue(sel.keepsAll(List.of(payload(audio, false, 40)), false),
                    "audio flows whole while video still waits");
            assertFalse(sel.keepsAll(List.of(payload(audio, false, 0), payload(video, false, 0)), false),
                    "a packet with a waiting stream's delta frame is filtered");
            assertFalse(sel.keep(payload(video, false, 0), false));
            assertTrue(sel.keep(payload(video, true, 0), false), "video starts at its key frame");
            assertTrue(sel.keepsAll(List.of(payload(audio, false, 0), payload(video, false, 0)), false));
            // Key frames only (fast forward) always goes the exact way.
            assertFalse(sel.keepsAll(List.of(payload(audio, false, 0)), true));
            sel.resync();
            assertFalse(sel.keepsAll(List.of(payload(audio, false, 40)), false), "a restart waits again");
            assertEquals(List.of(Math.min(video, audio), Math.max(video, audio)), sel.selectedStreams());
        }
    }
}
