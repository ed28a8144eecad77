package io.mmsedge.protocol.mms.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.SubscriberName;
import io.mmsedge.protocol.mms.TcpMessageHeader;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Everything FFmpeg, VLC and MPlayer sent to a real MMS server decodes completely and exactly. */
class CaptureDecodeTest {

    /**
     * Frames (by index) whose encoding by the player is not canonical, so re-encoding cannot be byte
     * exact; their fields are asserted instead:
     * <ul>
     * <li>FFmpeg FunnelInfo (#1): 4 extra bytes 0x0004000B after playIncarnation instead of zero padding.
     * <li>VLC ConnectFunnel (#1): garbage ('0' and zeros) after the funnelName NUL, message 8 bytes longer.
     * </ul>
     */
    private static final Map<String, Set<Integer>> NON_CANONICAL = Map.of(
            "ffmpeg", Set.of(1), "vlc", Set.of(1), "mplayer", Set.of());

    static List<MmsCommand> decodeAll(byte[] capture) {
        EmbeddedChannel ch = new EmbeddedChannel(new MmsFrameDecoder());
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(capture));
            List<MmsCommand> cmds = new ArrayList<>();
            for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                Object cur = o;
                assertInstanceOf(MmsCommand.class, cur, () -> "unexpected " + cur);
                cmds.add((MmsCommand) cur);
            }
            return cmds;
        } finally {
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffmpeg", "vlc", "mplayer"})
    void everyFrameDecodesAndCanonicalFramesReencodeByteForByte(String player) {
        byte[] capture = Captures.toServer(player);
        List<byte[]> frames = Captures.frames(capture);
        List<MmsCommand> cmds = decodeAll(capture);
        assertEquals(frames.size(), cmds.size(), "one message per frame");
        int exact = 0;
        for (int i = 0; i < frames.size(); i++) {
            MmsCommand c = cmds.get(i);
            TcpMessageHeader h = c.header();
            assertEquals(i, h.seq());
            assertEquals(TcpMessageHeader.SESSION_ID, h.sessionId());
            assertEquals(TcpMessageHeader.SEAL, h.seal());
            assertEquals(frames.get(i).length - 16, h.messageLength());
            assertEquals(h.messageLength() / 8, h.chunkCount(), "players write chunkCount = messageLength/8");
            ByteBuf re = MmsFrameEncoder.encodeFrame(UnpooledByteBufAllocator.DEFAULT, h.seq(), h.timeSent(), c.message());
            try {
                byte[] got = ByteBufUtil.getBytes(re);
                if (NON_CANONICAL.get(player).contains(i)) {
                    assertFalse(java.util.Arrays.equals(frames.get(i), got), "listed as non-canonical but is exact");
                } else {
                    assertArrayEquals(frames.get(i), got, player + " frame " + i + " " + c.message());
                    exact++;
                }
            } finally {
                re.release();
            }
        }
        assertEquals(frames.size() - NON_CANONICAL.get(player).size(), exact);
    }

    @Test
    void ffmpeg() {
        List<MmsMessage> m = decodeAll(Captures.toServer("ffmpeg")).stream().map(MmsCommand::message).toList();
        assertEquals(List.of(Connect.class, FunnelInfo.class, ConnectFunnel.class, OpenFile.class, ReadBlock.class,
                StreamSwitch.class, StartPlaying.class, CloseFile.class), m.stream().map(Object::getClass).toList());
        Connect connect = (Connect) m.get(0);
        assertEquals("NSPlayer/7.0.0.1956; {7E667F5D-A661-495E-A512-F55686DDA178}; Host: 127.0.0.1",
                connect.subscriberName());
        assertEquals(0x0004000B, connect.macToViewerProtocolRevision());
        assertEquals(0x0003001C, connect.viewerToMacProtocolRevision());
        SubscriberName sn = SubscriberName.parse(connect.subscriberName());
        assertEquals("NSPlayer/7.0.0.1956", sn.clientToken());
        assertEquals("NSPlayer", sn.product());
        assertEquals("7.0.0.1956", sn.version());
        assertEquals("7E667F5D-A661-495E-A512-F55686DDA178", sn.guid());
        assertEquals("127.0.0.1", sn.hostParam());
        assertEquals(connect.subscriberName(), sn.render());

        assertEquals(new FunnelInfo(0x00F0F0F0), m.get(1));
        assertEquals(new ConnectFunnel(0, 0xFFFFFFFF, 0, 0x00989680, 2, "\\\\192.168.0.129\\TCP\\1037"), m.get(2));
        OpenFile open = (OpenFile) m.get(3);
        assertEquals("sample.asf", open.fileName());
        assertEquals(1, open.playIncarnation());
        assertEquals(0xFFFFFFFF, open.spare());
        assertEquals(0, open.tokenData().length);
        ReadBlock rb = (ReadBlock) m.get(4);
        assertEquals(new ReadBlock(1, 0, 0, 0x00800000, 0xFFFFFFFF, 0, 0.0, 3600.0, 2, 0), rb);
        assertEquals(new StreamSwitch(List.of(new StreamSwitchEntry(0xFFFF, 1, 0), new StreamSwitchEntry(0xFFFF, 2, 0))),
                m.get(5));
        StartPlaying sp = (StartPlaying) m.get(6);
        assertEquals(new StartPlaying(1, 0x0001FFFF, 0.0, 0xFFFFFFFF, 0xFFFFFFFF, 0x00FFFFFF, 4, -1, -1, -1), sp);
        assertEquals(new CloseFile(1, 1), m.get(7));
    }

    @Test
    void vlc() {
        List<MmsMessage> m = decodeAll(Captures.toServer("vlc")).stream().map(MmsCommand::message).toList();
        assertEquals(List.of(Connect.class, ConnectFunnel.class, OpenFile.class, ReadBlock.class, StreamSwitch.class,
                StartPlaying.class, CloseFile.class), m.stream().map(Object::getClass).toList());
        Connect connect = (Connect) m.get(0);
        SubscriberName sn = SubscriberName.parse(connect.subscriberName());
        assertEquals("NSPlayer/7.0.0.1956", sn.clientToken());
        assertEquals("0xbabac001-0xd240-0xaa35-0xd975b1b551b1806d", sn.guid(), "malformed GUID kept as text");
        assertEquals("127.0.0.1", sn.hostParam());
        assertNull(sn.hostString());
        assertTrue(sn.via().isEmpty());
        assertEquals(connect.subscriberName(), sn.render());
        // Garbage after the NUL of funnelName is ignored.
        assertEquals(new ConnectFunnel(0, 0xFFFFFFFF, 0, 0x000A0000, 2, "\\\\192.168.0.1\\TCP\\1242"), m.get(1));
        assertEquals("sample.asf", ((OpenFile) m.get(2)).fileName());
        assertEquals(new ReadBlock(1, 0, 0, 0x8000, 0xFFFFFFFF, 0, 0.0, 3600.0, 2, 0), m.get(3));
        assertEquals(new StreamSwitch(List.of(new StreamSwitchEntry(0xFFFF, 1, 2), new StreamSwitchEntry(0xFFFF, 2, 2))),
                m.get(4));
        StartPlaying sp = (StartPlaying) m.get(5);
        assertEquals(4, sp.playIncarnation());
        assertEquals(0.0, sp.position());
        assertEquals(-1, sp.dwAccelBandwidth());
        assertEquals(new CloseFile(1, 1), m.get(6));
    }

    @Test
    void mplayer() {
        List<MmsMessage> m = decodeAll(Captures.toServer("mplayer")).stream().map(MmsCommand::message).toList();
        assertEquals(List.of(Connect.class, ConnectFunnel.class, OpenFile.class, ReadBlock.class, StreamSwitch.class,
                StartPlaying.class), m.stream().map(Object::getClass).toList());
        SubscriberName sn = SubscriberName.parse(((Connect) m.get(0)).subscriberName());
        assertEquals("33715801-BAB3-9D85-24E9-03B90328270A", sn.guid());
        assertEquals(new ConnectFunnel(0, 0, 0, 0, 2, "\\\\192.168.0.1\\TCP\\1037"), m.get(1));
        OpenFile open = (OpenFile) m.get(2);
        assertEquals(0, open.playIncarnation(), "MPlayer sends OpenFile playIncarnation 0");
        assertEquals("sample.asf", open.fileName());
        ReadBlock rb = (ReadBlock) m.get(3);
        assertEquals(0.0, rb.tDeadline(), "MPlayer sends tDeadline 0");
        assertEquals(0, rb.length());
        assertEquals(2, rb.playIncarnation());
        assertEquals(new StreamSwitch(List.of(new StreamSwitchEntry(0xFFFF, 1, 0), new StreamSwitchEntry(0xFFFF, 2, 0))),
                m.get(4));
        assertEquals(new StartPlaying(1, 0x0001FFFF, 0.0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 4, -1, -1, -1), m.get(5));
    }
}
