package io.mmsedge.protocol.mms.client;

import static io.mmsedge.protocol.mms.client.ClientScript.FILE_ID;
import static io.mmsedge.protocol.mms.client.ClientScript.failed;
import static io.mmsedge.protocol.mms.client.ClientScript.only;
import static io.mmsedge.protocol.mms.client.ClientScript.sent;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.CloseFile;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.OpenFile;
import io.mmsedge.protocol.mms.message.Ping;
import io.mmsedge.protocol.mms.message.Pong;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportEndOfStream;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.mmsedge.protocol.mms.message.ReportRedirect;
import io.mmsedge.protocol.mms.message.ReportStartedPlaying;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.mmsedge.protocol.mms.message.ReportStreamSwitch;
import io.mmsedge.protocol.mms.message.SecurityChallenge;
import io.mmsedge.protocol.mms.message.SecurityResponse;
import io.mmsedge.protocol.mms.message.StartPlaying;
import io.mmsedge.protocol.mms.message.StartStriding;
import io.mmsedge.protocol.mms.message.StopPlaying;
import io.mmsedge.protocol.mms.message.StreamSwitch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client state machine of MS-MMSP §3.1, message by message, without sockets. */
class MmsClientProtocolTest {

    private static final byte[] AUDIO = ClientScript.header("audio.asf");
    private static final byte[] AV = ClientScript.header("av.asf");
    private static final String V9 = "9.1.1.3862";
    private static final ClientPlayRequest PLAY = ClientPlayRequest.play(0, -1, -1, 0);

    private final ClientScript s = new ClientScript("live/a.asf", null);
    private final MmsClientProtocol p = s.protocol;

    /** READY, then StreamSwitch and StartPlaying answered: STREAMING at playIncarnation 9. */
    private StartPlaying streaming(ClientPlayRequest r, String serverVersion) {
        s.open(serverVersion, AV);
        return playing(r);
    }

    /** From READY: StreamSwitch and StartPlaying answered. */
    private StartPlaying playing(ClientPlayRequest r) {
        StreamSwitch sw = (StreamSwitch) sent(p.play(r), 0);
        assertEquals(ClientMessages.selectStreams(List.of(1, 2)), sw);
        StartPlaying start = (StartPlaying) sent(p.onMessage(new ReportStreamSwitch(0)), 0);
        assertEquals(List.of(new ClientAction.CancelTimer(), new ClientAction.PlayDone(0)),
                p.onMessage(new ReportStartedPlaying(0, start.playIncarnation(), 0, 0)));
        assertTrue(p.streaming());
        return start;
    }

    @Test
    void happyPathSendsTheRequestsOfARealPlayerInOrder() {
        List<ClientAction> openFile = new ClientScript("live/a.asf", null).handshake(V9);
        assertEquals(new OpenFile(1, 0, 0, "live/a.asf", null), sent(openFile, 0));
        assertEquals(new ClientAction.ArmTimer("ReportOpenFile"), openFile.get(1));
        ClientAction.Opened opened = s.open(V9, AV);
        assertArrayEquals(AV, opened.header());
        assertEquals(FILE_ID, opened.openFile().openFileId());
        assertEquals(MmsClientProtocol.State.READY, p.state());

        StartPlaying start = playing(PLAY);
        assertEquals(new StartPlaying(FILE_ID, 0, 0, -1, -1, 0, 9, -1, -1, -1), start);

        byte[] media = new byte[100];
        DataPacket d = new DataPacket(0, 9, 0, io.netty.buffer.Unpooled.wrappedBuffer(media));
        try {
            assertSame(d, only(p.onData(d), ClientAction.Packet.class).packet());
        } finally {
            d.release();
        }

        assertEquals(new StopPlaying(FILE_ID, 9), sent(p.stop(), 0));
        assertEquals(List.of(), s.data(2, 9, 0, media), "packets in flight after StopPlaying are dropped");
        assertEquals(List.of(new ClientAction.CancelTimer(), new ClientAction.StopDone(0)),
                p.onMessage(new ReportEndOfStream(0, 9)));
        assertEquals(MmsClientProtocol.State.READY, p.state());

        // The second play needs no StreamSwitch, and takes the next PlayIncarnation.
        StartPlaying again = (StartPlaying) sent(p.play(PLAY), 0);
        assertEquals(10, again.playIncarnation());
        assertEquals(List.of(), s.data(1, 9, 0, media), "a straggler of the stopped incarnation is dropped");
        assertEquals(List.of(new StopPlaying(FILE_ID, 10), new CloseFile(0, FILE_ID)), p.close());
        assertTrue(p.closed());
        assertEquals(List.of(), p.onMessage(new Ping(0, 0)), "nothing happens once closed");
    }

    @Test
    void aTcpPacketPairSeriesIsWaitedOutBeforeConnectFunnel() {
        p.connected(ClientScript.FUNNEL);
        p.onMessage(ClientScript.connectedEx(0, V9));
        assertEquals(List.of(new ClientAction.ArmTimer("ReportFunnelInfo 2 of 3")),
                p.onMessage(ClientScript.funnelInfo(io.mmsedge.protocol.mms.MmsConstants.PACKET_PAIR_TCP)));
        p.onMessage(ClientScript.funnelInfo(io.mmsedge.protocol.mms.MmsConstants.PACKET_PAIR_TCP));
        assertEquals(ClientMessages.connectFunnel(ClientScript.FUNNEL),
                sent(p.onMessage(ClientScript.funnelInfo(io.mmsedge.protocol.mms.MmsConstants.PACKET_PAIR_TCP)), 0));
    }

    @Test
    void aChallengeIsAnsweredOnceWithTheCredentials() {
        ClientScript guarded = new ClientScript("a.asf", "dXNlcjpwYXNz");
        List<ClientAction> open = guarded.handshake(V9);
        OpenFile of = (OpenFile) sent(open, 0);
        assertArrayEquals("dXNlcjpwYXNz\0".getBytes(StandardCharsets.US_ASCII), of.tokenData());
        byte[] token = "realm=\"media\"\0".getBytes(StandardCharsets.UTF_16LE);
        SecurityResponse answer = (SecurityResponse) sent(guarded.protocol.onMessage(new SecurityChallenge(1, 77, token)), 0);
        assertEquals(new SecurityResponse(1, 77, ClientMessages.asciiz("dXNlcjpwYXNz")), answer);
        assertTrue(guarded.protocol.challenged());
        // A second challenge: the credentials were rejected.
        List<ClientAction> again = guarded.protocol.onMessage(new SecurityChallenge(1, 78, token));
        assertEquals(List.of(new ClientAction.CancelTimer(), new ClientAction.AuthenticationRequired("media", false)),
                again);
        assertTrue(guarded.protocol.closed());
    }

    @Test
    void aChallengeWithoutCredentialsOrNtlmEndsTheOpen() {
        s.handshake(V9);
        assertEquals(new ClientAction.AuthenticationRequired("", true),
                only(p.onMessage(new SecurityChallenge(1, 1, new byte[] {0, 0, 'N', 0})),
                        ClientAction.AuthenticationRequired.class));
        ClientScript other = new ClientScript("a.asf", null);
        other.handshake(V9);
        byte[] token = "Basic realm=\"r\"".getBytes(StandardCharsets.UTF_16LE);
        assertEquals(new ClientAction.AuthenticationRequired("r", false),
                only(other.protocol.onMessage(new SecurityChallenge(1, 1, token)), ClientAction.AuthenticationRequired.class));
    }

    @Test
    void aRedirectBeforeTheOpenEndsIt() {
        s.handshake(V9);
        assertEquals(List.of(new ClientAction.CancelTimer(), new ClientAction.Redirected(1, "mms://other/a.asf")),
                p.onMessage(new ReportRedirect(0, 1, "mms://other/a.asf")));
        assertTrue(p.closed());

        ClientScript proxied = new ClientScript("a.asf", null);
        proxied.protocol.connected(ClientScript.FUNNEL);
        assertEquals(new ClientAction.Redirected(2, ""),
                only(proxied.protocol.onMessage(new ReportRedirect(0, 2, null)), ClientAction.Redirected.class));
    }

    @Test
    void aRedirectAfterTheOpenOrMalformedIsAProtocolViolation() {
        s.open(V9, AUDIO);
        failed(p.onMessage(new ReportRedirect(0, 1, "mms://x/y")), Hresults.NS_E_PROTOCOL_MISMATCH);
        ClientScript typeless = new ClientScript("a.asf", null);
        typeless.handshake(V9);
        failed(typeless.protocol.onMessage(new ReportRedirect(0, 3, "x")), Hresults.NS_E_PROTOCOL_MISMATCH);
    }

    @Test
    void anOpenFailureEndsTheSessionWithTheServersHresult() {
        s.handshake(V9);
        ClientAction.Failed f = failed(p.onMessage(ClientScript.openFile(Hresults.E_FILE_NOT_FOUND, 100)),
                Hresults.E_FILE_NOT_FOUND);
        assertTrue(f.reason().contains("live/a.asf"), f.reason());
        assertEquals(List.of(), p.onMessage(new ReportReadBlock(0, 1, 0)), "nothing after the failure");
        assertEquals(List.of(), p.fail(Hresults.E_FAIL, "again"), "a failure is reported once");
        assertEquals(List.of(), p.close(), "nothing was opened: nothing to close");
    }

    @Test
    void anOutOfBoundsPacketSizeIsAProtocolViolation() {
        s.handshake(V9);
        failed(p.onMessage(new ReportOpenFile(0, 1, 1, 0, 0, 0, 1, 0, 70000, 1, 1, 100)), Hresults.NS_E_PROTOCOL_MISMATCH);
    }

    @Test
    void dataStampedWithTheServersOwnIncarnationIsTakenWhileOnePlayIsOutstanding() {
        // A server seen in the field: every Data packet carries playIncarnation 4, AFFlags 0, and
        // its ServerVersionInfo is "1". Players play it; so must we.
        s.handshake("1");
        p.onMessage(ClientScript.openFile(0, AV.length));
        p.onMessage(new ReportReadBlock(0, 1, 0));
        List<ClientAction> header = List.of();
        for (int off = 0, part = 0; off < AV.length; off += 100, part++) {
            header = s.data(part, 1, 0, java.util.Arrays.copyOfRange(AV, off, Math.min(AV.length, off + 100)));
        }
        assertArrayEquals(AV, only(header, ClientAction.Opened.class).header(), "AFFlags 0 header parts");
        playing(PLAY);
        byte[] media = new byte[100];
        for (int i = 0; i < 3; i++) {
            DataPacket d = new DataPacket(i, 4, 0, io.netty.buffer.Unpooled.wrappedBuffer(media));
            try {
                assertSame(d, only(p.onData(d), ClientAction.Packet.class).packet(), "packet " + i);
            } finally {
                d.release();
            }
        }
        assertEquals(List.of(new ClientAction.EndOfStream(0)), p.onMessage(new ReportEndOfStream(0, 4)),
                "its end of stream carries the same incarnation");
        assertEquals(List.of(), s.data(9, 4, 0, media), "nothing is taken once no play is outstanding");
    }

    @Test
    void aHeaderSplitOverManyPacketsIsReassembledWhicheverComesFirst() {
        s.handshake(V9);
        p.onMessage(ClientScript.openFile(0, AV.length));
        // Every part but the last before ReportReadBlock (a server may send them first).
        byte[] head = java.util.Arrays.copyOf(AV, AV.length - 10);
        int parts = 0;
        for (int off = 0; off < head.length; off += 37) {
            int n = Math.min(37, head.length - off);
            List<ClientAction> a = s.data(parts++, 1, DataPacket.AF_HEADER_PART,
                    java.util.Arrays.copyOfRange(head, off, off + n));
            assertEquals(List.of(new ClientAction.ArmTimer("the rest of the ASF file header")), a);
        }
        assertTrue(parts > 5, "parts: " + parts);
        assertEquals(List.of(new ClientAction.ArmTimer("the ASF file header")), p.onMessage(new ReportReadBlock(0, 1, 0)));
        List<ClientAction> last = s.data(parts, 1, 0x08, java.util.Arrays.copyOfRange(AV, head.length, AV.length));
        assertArrayEquals(AV, only(last, ClientAction.Opened.class).header());
    }

    @Test
    void aHeaderPartOutOfOrderIsAProtocolViolation() {
        s.handshake(V9);
        p.onMessage(ClientScript.openFile(0, AV.length));
        s.data(0, 1, DataPacket.AF_HEADER_PART, new byte[10]);
        failed(s.data(2, 1, DataPacket.AF_HEADER_PART, new byte[10]), Hresults.NS_E_PROTOCOL_MISMATCH);
    }

    @Test
    void aStreamChangeBringsTheNewHeaderThenItsPackets() {
        streaming(PLAY, V9);
        assertEquals(List.of(new ClientAction.ArmTimer("ReportStreamChange"), new ClientAction.EndOfStream(1)),
                p.onMessage(new ReportEndOfStream(Hresults.S_STREAM_CHANGE, 9)));
        assertEquals(List.of(), s.data(5, 9, 0, new byte[10]), "the old entry's packets are over");
        ReportStreamChange change = new ReportStreamChange(0, 0xFF, 1600, AUDIO.length, 64000, 1);
        assertEquals(List.of(new ClientAction.ArmTimer("the new entry's ASF file header")), p.onMessage(change));
        ClientAction.StreamChanged changed = only(s.feedHeader(AUDIO, 0xFF, 500), ClientAction.StreamChanged.class);
        assertEquals(change, changed.change());
        assertArrayEquals(AUDIO, changed.header());
        assertEquals(1, s.data(0, 0xFF, 0, new byte[1600]).size(), "the new entry's packets carry 0xFF");
        failed(s.data(1, 0xFF, 0, new byte[1601]), Hresults.NS_E_PROTOCOL_MISMATCH);
    }

    @Test
    void accelerationGoesOnlyToAVersion9Server() {
        ClientPlayRequest fast = ClientPlayRequest.accelerated(0, -1, -1, 0, 5_000_000, 10_000);
        StartPlaying v9 = streaming(fast, V9);
        assertEquals(5_000_000, v9.dwAccelBandwidth());
        assertEquals(10_000, v9.dwAccelDuration());

        MmsClientProtocolTest older = new MmsClientProtocolTest();
        StartPlaying v8 = older.streaming(fast, "8.0.0.4477");
        assertEquals(-1, v8.dwAccelBandwidth(), "§3.1.4.2.1: no acceleration fields before version 9");
        assertEquals(-1, v8.dwAccelDuration());

        MmsClientProtocolTest plain = new MmsClientProtocolTest();
        assertEquals(-1, plain.streaming(PLAY, V9).dwAccelBandwidth());
        assertEquals(PLAY, ClientPlayRequest.accelerated(0, -1, -1, 0, 0, 10_000));
    }

    @Test
    void aPingIsAnsweredWithAPongInAnyState() {
        p.connected(ClientScript.FUNNEL);
        assertEquals(List.of(new ClientAction.Send(new Pong(0, 0))), p.onMessage(new Ping(1, 2)));
        MmsClientProtocolTest playing = new MmsClientProtocolTest();
        playing.streaming(PLAY, V9);
        assertEquals(List.of(new ClientAction.Send(new Pong(0, 0))), playing.p.onMessage(new Ping(0, 0)));
        assertTrue(playing.p.streaming());
    }

    @Test
    void unexpectedMessagesAreProtocolViolations() {
        p.connected(ClientScript.FUNNEL);
        failed(p.onMessage(ClientScript.openFile(0, 100)), Hresults.NS_E_PROTOCOL_MISMATCH);

        ClientScript client = new ClientScript("a.asf", null);
        client.protocol.connected(ClientScript.FUNNEL);
        failed(client.protocol.onMessage(ClientMessages.connect("x")), Hresults.NS_E_PROTOCOL_MISMATCH);

        ClientScript early = new ClientScript("a.asf", null);
        early.handshake(V9);
        failed(early.data(0, 1, DataPacket.AF_HEADER_LAST, new byte[4]), Hresults.NS_E_PROTOCOL_MISMATCH);

        ClientScript echo = new ClientScript("a.asf", null);
        echo.open(V9, AUDIO);
        echo.protocol.play(PLAY);
        echo.protocol.onMessage(new ReportStreamSwitch(0));
        failed(echo.protocol.onMessage(new ReportStartedPlaying(0, 33, 0, 0)), Hresults.NS_E_PROTOCOL_MISMATCH);

        ClientScript striding = new ClientScript("a.asf", null);
        striding.open(V9, AUDIO);
        striding.protocol.play(ClientPlayRequest.stride(5, -1, -1, 4.0));
        assertInstanceOf(StartStriding.class, sent(striding.protocol.onMessage(new ReportStreamSwitch(0)), 0));
        failed(striding.protocol.onMessage(new ReportStartedPlaying(0, 9, 0, 0)), Hresults.NS_E_PROTOCOL_MISMATCH);
    }

    @Test
    void playRequestsOutOfTurnAreRefusedWithoutHarm() {
        s.handshake(V9);
        assertEquals(List.of(new ClientAction.PlayRefused(Hresults.E_UNEXPECTED)), p.play(PLAY));
        assertEquals(List.of(new ClientAction.StopDone(Hresults.E_UNEXPECTED)), p.stop());
        streaming(PLAY, V9);
        assertEquals(List.of(new ClientAction.PlayRefused(Hresults.E_UNEXPECTED)), p.play(PLAY));
        assertEquals(List.of(new ClientAction.PlayRefused(Hresults.E_INVALID_ARG)),
                new ClientScript("a", null).protocol.play(ClientPlayRequest.stride(0, -1, -1, 0)));
        assertEquals(List.of(), p.onMessage(new ReportEndOfStream(0, 3)), "a stale EndOfStream is ignored");
        assertEquals(List.of(new ClientAction.EndOfStream(0)), p.onMessage(new ReportEndOfStream(0, 9)));
        assertEquals(List.of(new ClientAction.StopDone(0)), p.stop(), "nothing plays: stopped at once");
    }

    @Test
    void aStopWhilePlayIsPendingFollowsThePlayReply() {
        s.open(V9, AUDIO);
        p.play(PLAY);
        assertEquals(List.of(), p.stop());
        assertEquals(List.of(), p.stop(), "a second stop joins the first");
        StartPlaying start = (StartPlaying) sent(p.onMessage(new ReportStreamSwitch(0)), 0);
        List<ClientAction> reply = p.onMessage(new ReportStartedPlaying(0, start.playIncarnation(), 0, 0));
        assertEquals(new ClientAction.PlayDone(0), reply.get(1));
        assertEquals(new StopPlaying(FILE_ID, start.playIncarnation()), sent(reply, 0));
        assertEquals(List.of(), p.onMessage(new ReportEndOfStream(1, start.playIncarnation())),
                "the entry ended as we stopped: the answer to StopPlaying still comes");
        assertEquals(new ClientAction.StopDone(0),
                only(p.onMessage(new ReportEndOfStream(0, start.playIncarnation())), ClientAction.StopDone.class));
    }

    @Test
    void aFailedStreamSwitchEndsThePlayRequestNotTheSession() {
        s.open(V9, AUDIO);
        p.play(PLAY);
        assertEquals(List.of(new ClientAction.CancelTimer(), new ClientAction.PlayDone(Hresults.E_FAIL)),
                p.onMessage(new ReportStreamSwitch(Hresults.E_FAIL)));
        assertEquals(MmsClientProtocol.State.READY, p.state());
    }

    @Test
    void withoutAPathTheHandshakeStopsForAnExplicitOpen() {
        MmsClientProtocol bare = new MmsClientProtocol(new ClientConfig("x", "NSPlayer/9.0", null, null, 65535));
        assertInstanceOf(Connect.class, sent(bare.connected("f"), 0));
        bare.onMessage(ClientScript.connectedEx(0, V9));
        bare.onMessage(ClientScript.funnelInfo(io.mmsedge.protocol.mms.MmsConstants.PACKET_PAIR_OFF));
        ClientAction.FunnelConnected done = only(bare.onMessage(new ReportConnectedFunnel(0, 0, 0, "f")),
                ClientAction.FunnelConnected.class);
        assertEquals(V9, done.connectedEx().serverVersionInfo());
        assertEquals(new OpenFile(1, 0, 0, "b.asf", null), sent(bare.openFile("b.asf"), 0));
        assertFalse(bare.closed());
    }

    @Test
    void loggingGoesOnlyOnceOpen() {
        s.handshake(V9);
        assertEquals(List.of(), p.logging(null));
        assertEquals(List.of(), new ClientScript("a", null).protocol.logging(null));
    }

    @Test
    void realmIsReadFromABasicToken() {
        assertEquals("test", ClientMessages.realm("realm=\"test\"\0".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals("", ClientMessages.realm("nothing".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals("a b", ClientMessages.realm("Realm=\"a b".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals(9, ClientMessages.majorVersion(V9));
        assertEquals(0, ClientMessages.majorVersion("x"));
        assertEquals(12, ClientMessages.majorVersion("12.0.1"));
    }
}
