package io.mmsedge.protocol.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.message.StreamSwitchEntry;
import io.mmsedge.protocol.mmsh.MmshRequest.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per request type of [MS-WMSP] §2.2.2, with the Pragma headers real players send. */
class MmshRequestTest {

    private static final String GUID = "xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}";

    private static MmshRequest get(String... pragmas) {
        return MmshRequest.of("GET", "/av.asf", List.of(pragmas), "NSPlayer/4.1.0.3856", null);
    }

    @Test
    void ffmpegDescribeHasNoPlayTokens() {
        MmshRequest r = get("no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,request-context=1,max-duration=0",
                GUID);
        assertEquals(Kind.DESCRIBE, r.kind());
        assertEquals("av.asf", r.path());
        assertEquals(0, r.pragmas().streamTimeMs());
        assertEquals(0, r.pragmas().streamOffset());
        assertEquals(1, r.pragmas().requestContext());
        assertEquals("{c77e7400-738a-11d2-9add-0020af0a3278}", r.pragmas().clientGuid());
        assertEquals("NSPlayer/4.1.0.3856", r.userAgent());
    }

    @Test
    void ffmpegPlayRunsItsLastPragmaIntoConnectionClose() {
        // FFmpeg's play request lacks a CRLF after its last Pragma: the number ends at "Connection".
        MmshRequest r = get("no-cache,rate=1.000000,request-context=2", "xPlayStrm=1", GUID,
                "stream-switch-count=2", "stream-switch-entry=ffff:1:0 ffff:2:0 ",
                "no-cache,rate=1.000000,stream-time=5000Connection: Close");
        assertEquals(Kind.PLAY, r.kind());
        assertEquals(5000, r.pragmas().streamTimeMs());
        assertEquals(2, r.pragmas().streamSwitchCount());
        assertEquals(List.of(new StreamSwitchEntry(0xFFFF, 1, 0), new StreamSwitchEntry(0xFFFF, 2, 0)),
                r.pragmas().streamSwitchEntries());
        assertEquals(1.0, r.pragmas().rate());
    }

    @Test
    void vlcPlayWithByteOffsetAndDeselectedStream() {
        MmshRequest r = get("no-cache,rate=1.000000,stream-time=0,stream-offset=0:128000,request-context=2,"
                + "max-duration=0", "xPlayStrm=1", GUID, "stream-switch-count=2", "stream-switch-entry=ffff:1:0 ffff:2:2 ");
        assertEquals(Kind.PLAY, r.kind());
        assertTrue(r.hasByteOffset());
        assertEquals(128000, r.pragmas().streamOffset());
        assertEquals(StreamSwitchEntry.THIN_ALL, r.pragmas().streamSwitchEntries().get(1).thinningLevel());
    }

    @Test
    void wmpPlayWithClientIdPacketNumAndUnsetOffset() {
        MmshRequest r = get("no-cache,rate=1.000000,stream-time=0,stream-offset=4294967295:4294967295,"
                + "packet-num=4294967295,request-context=4", "xPlayStrm=1", "client-id=3452231", GUID,
                "LinkBW=2147483647, AccelBW=1048576, AccelDuration=18000", "Speed=5.000");
        assertEquals(Kind.PLAY, r.kind());
        assertEquals(-1, r.pragmas().streamOffset());
        assertEquals(-1, r.pragmas().packetNum());
        assertEquals(3452231, r.pragmas().clientId());
        assertEquals(1048576, r.pragmas().accelBandwidth());
        assertEquals(18000, r.pragmas().accelDurationMs());
        assertEquals(2147483647L, r.pragmas().linkBandwidth());
    }

    @Test
    void stridingRate() {
        MmshRequest r = get("xPlayStrm=1", "rate=5.000000,packet-num=120");
        assertEquals(5.0, r.pragmas().rate());
        assertEquals(120, r.pragmas().packetNum());
    }

    @Test
    void playNextEntry() {
        assertEquals(Kind.PLAY_NEXT_ENTRY, get("xPlayNextEntry=1", "client-id=7").kind());
    }

    @Test
    void selectStreamPipelinedGetAndNonPipelinedPost() {
        assertEquals(Kind.SELECT_STREAM, get("client-id=7", "stream-switch-count=1", "stream-switch-entry=1:2:0")
                .kind());
        MmshRequest post = MmshRequest.of("POST", "/av.asf", List.of("client-id=7", "stream-switch-entry=ffff:2:1"),
                null, null);
        assertEquals(Kind.SELECT_STREAM, post.kind());
        assertEquals("-", post.userAgent());
    }

    @Test
    void stopKeepAliveAndLogStats() {
        assertEquals(Kind.STOP, get("xStopStrm=1", "client-id=7").kind());
        assertEquals(Kind.KEEP_ALIVE, get("xKeepAliveInPause=1", "client-id=7").kind());
        assertEquals(Kind.KEEP_ALIVE, MmshRequest.of("POST", "/av.asf", List.of("client-id=7"), null, null).kind());
        MmshRequest log = MmshRequest.of("POST", "/av.asf", List.of("client-id=7", "xClientGUID={x}"), null,
                "application/x-wms-LogStats;charset=UTF-8");
        assertEquals(Kind.LOG_STATS, log.kind());
    }

    @Test
    void pipelineRequest() {
        MmshRequest r = get("pipeline-request=1", GUID);
        assertEquals(Kind.PIPELINE, r.kind());
        assertTrue(r.pragmas().pipelineRequest());
    }

    /** §2.2.1.4.30 and §2.2.1.4.14: the tokens that ask for pipelined mode and for $P packet pairs. */
    @Test
    void pipelinedPlayAndPacketPairTokens() {
        MmshRequest play = get("xPlayStrm=1", "version11-enabled=1", GUID);
        assertEquals(Kind.PLAY, play.kind());
        assertTrue(play.pragmas().version11Enabled());
        MmshRequest describe = get("no-cache,packet-pair-experiment=1", GUID);
        assertEquals(Kind.DESCRIBE, describe.kind());
        assertTrue(describe.pragmas().packetPair());
        assertEquals(false, get("xPlayStrm=1", "version11-enabled=0").pragmas().version11Enabled());
        assertEquals(false, get(GUID).pragmas().packetPair());
        MmshRequest next = get("xPlayNextEntry=1", "client-id=9", "stream-switch-entry=ffff:1:0");
        assertEquals(Kind.PLAY_NEXT_ENTRY, next.kind(), "PlayNextEntry wins over the stream selection it carries");
    }

    @Test
    void tolerantOfCaseSpacingRepeatsAndUnknownTokens() {
        MmshRequest r = get("  NO-CACHE , Rate = 1.000000 ,  Stream-Time = 1200 ", "xplaystrm=1",
                "stream-time=2500, x-unknown-token=42, timeout=60000", "features=\"seekable\"");
        assertEquals(Kind.PLAY, r.kind());
        assertEquals(2500, r.pragmas().streamTimeMs(), "the last repeat wins");
        assertNull(r.pragmas().logLine());
        assertFalse(r.pragmas().stopStrm());
    }

    @Test
    void pathOfAbsoluteUriAndQuery() {
        assertEquals("dir/a b.asf", MmshRequest.of("GET", "http://origin:8080/dir/a%20b.asf?x=1", List.of(), null,
                null).path());
    }

    @Test
    void boundedTokensEntriesAndLength() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < PragmaParser.MAX_TOKENS + 1; i++) {
            many.add("t" + i + "=1");
        }
        assertThrows(MmshBadRequest.class, () -> get(String.join(",", many)));
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < PragmaParser.MAX_HEADERS + 1; i++) {
            headers.add("no-cache");
        }
        assertThrows(MmshBadRequest.class, () -> get(headers.toArray(String[]::new)));
        assertThrows(MmshBadRequest.class, () -> get("log-line=" + "x".repeat(PragmaParser.MAX_TOKEN_LENGTH)));
        assertThrows(MmshBadRequest.class, () -> get("stream-switch-entry=" + "ffff:1:0 ".repeat(200)));
    }

    @Test
    void malformedValuesAreBadRequests() {
        assertThrows(MmshBadRequest.class, () -> get("stream-time=abc"));
        assertThrows(MmshBadRequest.class, () -> get("stream-switch-entry=ffff:zz:0"));
        assertThrows(MmshBadRequest.class, () -> get("stream-switch-entry=1:2"));
        assertThrows(MmshBadRequest.class, () -> get("rate=fast"));
        assertThrows(MmshBadRequest.class, () -> MmshRequest.of("PUT", "/a", List.of(), null, null));
    }
}
