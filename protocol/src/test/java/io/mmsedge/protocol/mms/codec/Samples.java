package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.protocol.mms.ClientLogInfo;
import io.mmsedge.protocol.mms.message.CancelReadBlock;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ConnectFunnel;
import io.mmsedge.protocol.mms.message.FunnelInfo;
import io.mmsedge.protocol.mms.message.Logging;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.Pong;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportDisconnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.protocol.mms.message.ReportStartStriding;
import io.mmsedge.protocol.mms.message.ReportStartedPlaying;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.protocol.mms.message.ReportStreamSwitch;
import io.mmsedge.protocol.mms.message.SecurityChallenge;
import io.mmsedge.protocol.mms.message.SecurityResponse;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StartStriding;
import io.mmsedge.protocol.mms.message.StopPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One representative value of every MMS message type (all 28), with non-trivial field values. */
final class Samples {

    private Samples() {
    }

    static ClientLog clientLog() {
        ClientLogInfo info = new ClientLogInfo("mms://example.org/live.asf", null, "NSPlayer/9.0.0.2980 WMFSDK/9.0",
                "http://example.org/page.html", 0x0009000000000B44L, "en-US", "{3300AD50-2C39-46c0-AE0A-AE0A2F3E4A50}",
                "wmplayer.exe", 0x0009000000000B44L, 123_456, 9_876_543L, 256_000, "Windows Media Audio 9",
                "Windows Media Video 9", 0, 61_000, 1, 2, 3_500, 1_234_567L, 620, 3, 0, 100, 0);
        return new ClientLog(info, 1, 0x0100007F, "player.example.org", "Windows_NT", 0x0005000100000A28L, "Pentium",
                "mms", "TCP", 4, 2, 5, 3, 3);
    }

    static List<MmsMessage> all() {
        return List.of(
                new Ping(0, 0xDEADBEEF),
                ReportConnectedEx.ofServer(0, "9.01.01.3814", "NTLM"),
                new ReportConnectedFunnel(0, 0, 0, "Funnel Of The Gods"),
                new ReportDisconnectedFunnel(0x80070005, 0),
                new ReportEndOfStream(1, 4),
                new ReportFunnelInfo(0, 0x00F0F0F0, 8, 1, 0x10000, 77, 0, 1, 0, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                new ReportOpenFile(0, 1, 1, 0, 0, 0x01800000, 61.5, 62, 3200, 1234L, 256_000, 5_000),
                new ReportReadBlock(0, 2, 0),
                new ReportRedirect(0, 1, "mmst://other.example.org:1755/path/x.asf"),
                new ReportStartedPlaying(0, 4, 1, 0x40000000),
                new ReportStartStriding(0, 5, 0),
                new ReportStreamChange(0, 0xFF, 3200, 5000, 256_000, 0),
                new ReportStreamSwitch(0),
                new SecurityChallenge(1, 42, "realm=\"mms\"\0".getBytes(StandardCharsets.UTF_16LE)),
                new CancelReadBlock(2),
                new CloseFile(0, 1),
                new Connect(0x00F0F0EF, 0x0004000B, 0x0003001C,
                        "NSPlayer/9.0.0.2980; {3300AD50-2C39-46c0-AE0A-AE0A2F3E4A50}; Host: a.example:8080"
                                + "\0HOST: a.example:8080\0VIA: mms-edge/0.1, other/2"),
                new ConnectFunnel(0, 0xFFFFFFFF, 0, 0x00989680, 2, "\\\\192.168.0.1\\TCP\\1242"),
                new FunnelInfo(0x00F0F0F0),
                new Logging(clientLog()),
                new OpenFile(1, 0, 16, "abc.asf", "user:pass\0".getBytes(StandardCharsets.US_ASCII)),
                new Pong(0, 0),
                new ReadBlock(1, 0, 0, 0x8000, 0xFFFFFFFF, 0, 0.0, 3600.0, 2, 0),
                new SecurityResponse(1, 42, new byte[] {0, 0, 1, 2, 3}),
                new StartPlaying(1, 0, 12.5, 0xFFFFFFFF, 0xFFFFFFFF, 0x80001000, 4, 1_000_000L, 5_000L, 2_000_000L),
                new StartStriding(1, 0, Double.MAX_VALUE, 0, 0, 0, 6, -2.0),
                new StopPlaying(1, 4),
                new StreamSwitch(List.of(new StreamSwitchEntry(0xFFFF, 1, 0), new StreamSwitchEntry(2, 3, 1),
                        new StreamSwitchEntry(4, 0xFFFF, 2))));
    }
}
