package io.mmsedge.server.play;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.FileMedia;
import io.mmsedge.server.media.MediaPacket;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinedEntriesTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static FileMedia playlist(String... files) throws Exception {
        List<Path> entries = java.util.Arrays.stream(files).map(Fixtures::media).toList();
        return new FileMedia("plist", AsfFileEntry.open(entries.get(0), ContentInfo.ATTR_PLAYLIST, ALLOC),
                entries.size(), i -> AsfFileEntry.open(entries.get(i), ContentInfo.ATTR_PLAYLIST, ALLOC));
    }

    @Test
    void entriesWithTheSameStreamsAreJoinedUnderOneHeaderCountingBoth() throws Exception {
        try (FileMedia media = playlist("av.asf", "indexed.asf")) {
            ContentInfo av = media.info();
            ContentInfo indexed = media.upcomingEntry(1);
            JoinedEntries j = JoinedEntries.plan(media);
            assertNotNull(j);
            assertEquals(2, j.entries());
            ContentInfo info = j.info();
            assertEquals(av.packetCount() + indexed.packetCount(), info.packetCount());
            assertEquals(av.durationSeconds() + indexed.durationSeconds(), info.durationSeconds(), 0.002);
            assertFalse(info.seekable(), "a position would map to one entry only");
            AsfHeader h = AsfHeader.parse(info.fileHeader());
            assertEquals(info.packetCount(), h.dataPacketsCount());
            assertEquals(info.packetCount(), h.dataObjectPacketCount());
            assertEquals(50 + info.packetCount() * info.packetSize(), h.dataObjectSize());
            assertEquals(info.durationSeconds(), h.durationSeconds(), 0.002);
            assertFalse(h.seekable() || h.broadcast());
            assertEquals(av.fileHeaderSize(), info.fileHeaderSize(), "same length: Describe's Content-Length holds");
            assertEquals(0, j.shiftMs(0));
            assertEquals(Math.round(av.durationSeconds() * 1000), j.shiftMs(1));
            assertEquals(av.packetCount(), j.firstPacket(1));
        }
    }

    @Test
    void entriesWithDifferentStreamsOrPacketSizesAreNotJoined() throws Exception {
        try (FileMedia media = playlist("audio.asf", "av.asf")) {
            assertNull(JoinedEntries.plan(media));
        }
        try (FileMedia media = playlist("av.asf", "padded.asf")) {
            assertNull(JoinedEntries.plan(media));
        }
        try (FileMedia media = playlist("av.asf")) {
            assertNull(JoinedEntries.plan(media), "a single entry");
        }
    }

    @Test
    void aJoinedEntrysPacketsAreNumberedOnAndMovedAfterThePreviousEntry() throws Exception {
        try (FileMedia media = playlist("av.asf", "indexed.asf")) {
            JoinedEntries j = JoinedEntries.plan(media);
            assertTrue(media.nextEntry());
            int size = media.info().packetSize();
            try (var plain = media.play(0, 1.0);
                 var joined = new JoinedCursor(media.play(0, 1.0), j.shiftMs(1), j.firstPacket(1), size)) {
                MediaPacket a = plain.poll();
                MediaPacket b = joined.poll();
                try {
                    assertEquals(j.firstPacket(1), b.number());
                    assertEquals(a.sendTimeMs() + j.shiftMs(1), b.sendTimeMs());
                    AsfPacket pb = AsfPacket.parse(b.content(), size);
                    assertEquals(b.sendTimeMs(), pb.sendTimeMs());
                    for (int i = 0; i < a.payloads().size(); i++) {
                        assertEquals(a.payloads().get(i).presentationTimeMs() + j.shiftMs(1),
                                b.payloads().get(i).presentationTimeMs());
                    }
                } finally {
                    a.release();
                    b.release();
                }
            }
        }
    }
}
