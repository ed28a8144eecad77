package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.asf.AsfStreamType;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshResponses;
import io.mmsedge.server.ServerSettings;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One test per MMSH request type ([MS-WMSP] §2.2.2) and per refusal, against a real server. */
class MmshRequestsTest {

    private static MmshOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = MmshOrigin.fast();
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    private static MmshTestClient.Response get(String path, String... headers) throws Exception {
        return MmshTestClient.exchange(origin.http(), MmshTestClient.get(path, headers));
    }

    private static String frameIds(List<MmshFrame> frames) {
        return frames.stream().map(f -> String.valueOf((char) f.packetId())).collect(Collectors.joining());
    }

    @Test
    void describeIsTheHeaderAloneWithItsLength() throws Exception {
        MmshTestClient.Response r = get("av.asf", "Pragma: no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,"
                + "request-context=1,max-duration=0", "Pragma: xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}");
        assertEquals(200, r.status());
        assertEquals(MmshResponses.CONTENT_TYPE_DESCRIBE, r.header("Content-Type"));
        assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
        assertTrue(r.header("Server").startsWith("Cougar/"));
        List<MmshFrame> frames = r.frames();
        try {
            assertEquals("H", frameIds(frames));
            try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
                assertEquals(f.header().fileHeaderSize(), frames.get(0).content().readableBytes());
            }
        } finally {
            frames.forEach(MmshFrame::release);
        }
    }

    @Test
    void playSeeksByPacketNumByteOffsetAndTime() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            assertEquals(50, firstPacket(get("av.asf", "Pragma: xPlayStrm=1", "Pragma: packet-num=50")));
            assertEquals(30, firstPacket(get("av.asf", "Pragma: xPlayStrm=1",
                    "Pragma: stream-time=0,stream-offset=0:" + 30L * f.packetSize())));
            assertEquals(f.packetForTime(5000), firstPacket(get("av.asf", "Pragma: xPlayStrm=1",
                    "Pragma: no-cache,rate=1.000000,stream-time=5000Connection: Close")));
        }
    }

    private static long firstPacket(MmshTestClient.Response r) {
        List<MmshFrame> frames = r.frames();
        try {
            assertEquals('D', frames.get(1).packetId(), frameIds(frames));
            assertEquals('E', frames.get(frames.size() - 1).packetId());
            return frames.get(1).locationId();
        } finally {
            frames.forEach(MmshFrame::release);
        }
    }

    @Test
    void streamSwitchEntriesSelectStreams() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            int audio = f.header().streams().stream().filter(s -> s.type() == AsfStreamType.AUDIO).mapToInt(AsfStream::number)
                    .findFirst().orElseThrow();
            int video = f.header().streams().stream().filter(s -> s.type() == AsfStreamType.VIDEO).mapToInt(AsfStream::number)
                    .findFirst().orElseThrow();
            long all = dataBytes(get("av.asf", "Pragma: xPlayStrm=1"));
            long audioOnly = dataBytes(get("av.asf", "Pragma: xPlayStrm=1", "Pragma: stream-switch-count=2",
                    "Pragma: stream-switch-entry=ffff:" + audio + ":0 ffff:" + video + ":2 "));
            assertTrue(audioOnly > 0 && audioOnly < all / 2, "audio only: " + audioOnly + " of " + all);
        }
    }

    private static long dataBytes(MmshTestClient.Response r) {
        List<MmshFrame> frames = r.frames();
        try {
            return frames.stream().filter(x -> x.packetId() == 'D').mapToLong(x -> x.content().readableBytes()).sum();
        } finally {
            frames.forEach(MmshFrame::release);
        }
    }

    @Test
    void rateStridesKeyFramesOnly() throws Exception {
        // §2.2.1.4.19: rate 5 on seekable, stridable content sends key frames only, fast.
        long all = dataBytes(get("av.asf", "Pragma: xPlayStrm=1"));
        long strided = dataBytes(get("av.asf", "Pragma: xPlayStrm=1", "Pragma: rate=5.000000,stream-time=0"));
        assertTrue(strided > 0 && strided < all / 2, "key frames only: " + strided + " of " + all);
    }

    @Test
    void playlistEntriesChangeWithEThenCThenH() throws Exception {
        MmshTestClient.Response r = get("plist", "Pragma: xPlayStrm=1");
        List<MmshFrame> frames = r.frames();
        try {
            String ids = frameIds(frames).replaceAll("D+", "D");
            assertEquals("HDECHDE", ids, "§2.2.3.4: $E S_FALSE, $C, the next entry's $H and $D, then $E S_OK");
            List<MmshFrame> ends = frames.stream().filter(x -> x.packetId() == 'E').toList();
            assertEquals(1, ends.get(0).reason());
            assertEquals(0, ends.get(1).reason());
        } finally {
            frames.forEach(MmshFrame::release);
        }
    }

    @Test
    void refusalsAreHttpStatuses() throws Exception {
        assertEquals(404, get("missing.asf", "Pragma: xPlayStrm=1").status());
        MmshTestClient.Response denied = get("vip/av.asf", "Pragma: xPlayStrm=1");
        assertEquals(401, denied.status());
        assertEquals("Basic realm=\"" + MmshOrigin.REALM + "\"", denied.header("WWW-Authenticate"));
        assertEquals(401, get("vip/av.asf", "Pragma: xPlayStrm=1", "Authorization: Basic d3Jvbmc6d3Jvbmc=")
                .status());
        MmshTestClient.Response ok = get("vip/av.asf", "Pragma: xPlayStrm=1",
                "Authorization: " + MmshOrigin.CREDENTIALS);
        assertEquals(200, ok.status());
        assertTrue(ok.body().length > 100_000);
    }

    @Test
    void badInputGets400OrACloseAndALogLine() throws Exception {
        try (LogCapture logs = LogCapture.begin()) {
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                many.append("Pragma: t").append(i).append("=1\r\n");
            }
            assertEquals(400, MmshTestClient.exchange(origin.http(), "GET /av.asf HTTP/1.0\r\n" + many + "\r\n")
                    .status());
            assertNotNull(logs.await(2000, "request=\"GET /av.asf\"", "Pragma headers", "400"), logs.lines()
                    .toString());
            assertEquals(400, get("av.asf", "Pragma: xPlayStrm=1", "Pragma: stream-time=soon").status());
            assertNotNull(logs.await(2000, "stream-time", "400"));
            String longHeader = "X-Junk: " + "a".repeat(20_000);
            MmshTestClient.Response big = MmshTestClient.exchange(origin.http(), MmshTestClient.get("av.asf",
                    longHeader));
            assertTrue(big.closed() && (big.statusLine().isEmpty() || big.status() == 400
                    || big.status() == 431), big.statusLine());
            assertNotNull(logs.await(2000, "peer=", "reason="), logs.lines().toString());

            MmshTestClient.Response garbage = MmshTestClient.exchange(origin.http(),
                    new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, Duration.ofSeconds(5));
            assertTrue(garbage.closed());
            assertNotNull(logs.await(2000, "message=first-bytes", "reason="), logs.lines().toString());
        }
    }

    @Test
    void aTrickledOrSilentConnectionIsClosedAfterTheRequestTimeout() throws Exception {
        MmshSettings quick = MmshSettings.defaults().withSniffTimeout(Duration.ofMillis(800));
        try (MmshOrigin o = new MmshOrigin(ServerSettings.defaults(), null, quick); LogCapture logs = LogCapture.begin()) {
            for (var port : List.of(o.http(), o.mms())) {
                long t0 = System.nanoTime();
                // A request line and one header, then nothing: past the sniffer, never whole.
                MmshTestClient.Response r = MmshTestClient.exchange(port, "GET /av.asf HTTP/1.1\r\nHost: x\r\n"
                        .getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(r.closed() && ms < 4000, "closed after " + ms + " ms");
                assertNotNull(logs.await(2000, "no whole request within 800 ms"), logs.lines().toString());
            }
            long t0 = System.nanoTime();
            MmshTestClient.Response silent = MmshTestClient.exchange(o.http(), new byte[0], Duration.ofSeconds(5));
            assertTrue(silent.closed() && (System.nanoTime() - t0) / 1_000_000 < 4000, "a silent connection too");
            assertNotNull(logs.await(2000, "message=first-bytes", "no request within"), logs.lines().toString());
        }
    }

    @Test
    void rtspOnEitherPortGetsAnRtspErrorAtOnce() throws Exception {
        for (var port : List.of(origin.http(), origin.mms())) {
            long t0 = System.nanoTime();
            MmshTestClient.Response r = MmshTestClient.exchange(port, "OPTIONS rtsp://127.0.0.1/av.asf RTSP/1.0\r\n"
                    + "CSeq: 7\r\nUser-Agent: WMPlayer/12.00.7601.17514 guid/3300AD50-2C39-46C0-AE0A-AC7B8159E203\r\n"
                    + "\r\n");
            assertTrue(r.statusLine().startsWith("RTSP/1.0 501"), r.statusLine());
            assertEquals("7", r.header("CSeq"));
            assertTrue(r.closed());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
        }
    }

    @Test
    void stopByClientIdEndsTheStreamOnItsConnection() throws Exception {
        try (MmshOrigin paced = new MmshOrigin(ServerSettings.defaults().withPacingSpeed(1));
             Socket s = new Socket(paced.http().getAddress(), paced.http().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(MmshTestClient.get("av.asf", "Pragma: xPlayStrm=1")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                head.write(in.read());
            }
            String clientId = MmshTestClient.parse(head.toByteArray(), false).all("Pragma").stream()
                    .filter(p -> p.startsWith("client-id=")).findFirst().orElseThrow().substring(10);
            MmshTestClient.Response stop = MmshTestClient.exchange(paced.http(), "POST /av.asf HTTP/1.0\r\n"
                    + "Pragma: xStopStrm=1\r\nPragma: client-id=" + clientId + "\r\nContent-Length: 0\r\n\r\n");
            assertEquals(200, stop.status());
            long t0 = System.nanoTime();
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            assertTrue(MmshTestClient.readAll(in, rest), "the streaming connection closes");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000, "at once, not at the end of the content");
            byte[] body = rest.toByteArray();
            assertEquals('E', body[body.length - 7], "ends with $E");
        }
    }

    @Test
    void keepAliveSelectStreamAndLogStats() throws Exception {
        try (LogCapture logs = LogCapture.begin()) {
            assertEquals(200, MmshTestClient.exchange(origin.http(), "POST /av.asf HTTP/1.0\r\n"
                    + "Pragma: xKeepAliveInPause=1\r\nPragma: client-id=12\r\nContent-Length: 0\r\n\r\n").status());
            assertEquals(200, MmshTestClient.exchange(origin.http(), "POST /av.asf HTTP/1.0\r\n"
                    + "Pragma: client-id=12\r\nPragma: stream-switch-entry=ffff:1:0\r\nContent-Length: 0\r\n\r\n")
                    .status());
            String line = "127.0.0.1 2026-12-07 00:10:00 - /av.asf 0 30 1 200 {guid} 9.0.0.2980 en-US "
                    + "NSPlayer/9.0.0.2980 - wmplayer.exe 9.0.0.2980 Windows_XP 5.1.0.2600 Pentium";
            assertEquals(200, MmshTestClient.exchange(origin.http(), "POST /av.asf HTTP/1.0\r\n"
                    + "Content-Type: application/x-wms-LogStats;charset=UTF-8\r\nPragma: client-id=12\r\n"
                    + "Content-Length: " + line.length() + "\r\n\r\n" + line).status());
            assertNotNull(logs.await(2000, "event=client-log", "wmplayer.exe"), logs.lines().toString());
        }
    }

    @Test
    void http11PipelineDescribeAndPlayOnOneConnectionKeepTheClientId() throws Exception {
        try (Socket s = new Socket(origin.http().getAddress(), origin.http().getPort())) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            String host = "Host: 127.0.0.1\r\nUser-Agent: NSPlayer/12.00.7601.17514\r\n";
            s.getOutputStream().write(("GET /av.asf HTTP/1.1\r\n" + host + "Pragma: pipeline-request=1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            MmshTestClient.Response pipeline = MmshTestClient.parse(readHead(in), false);
            assertEquals(200, pipeline.status());
            // Pipelined mode is offered on a kept-alive HTTP/1.1 connection (MmshPipelinedTest); this
            // player's Play below does not ask for it (no version11-enabled=1), so it is non-pipelined.
            assertTrue(pipeline.all("Pragma").contains("pipeline-result=1"), "pipelined mode offered");
            assertEquals("chunked", pipeline.header("Transfer-Encoding"));
            assertEquals("0\r\n\r\n", new String(in.readNBytes(5), StandardCharsets.US_ASCII));

            s.getOutputStream().write(("GET /av.asf HTTP/1.1\r\n" + host + "\r\n").getBytes(StandardCharsets.US_ASCII));
            MmshTestClient.Response describe = MmshTestClient.parse(readHead(in), false);
            assertEquals(200, describe.status());
            in.readNBytes(Integer.parseInt(describe.header("Content-Length")));
            String id = describe.all("Pragma").stream().filter(p -> p.startsWith("client-id=")).findFirst()
                    .orElseThrow();

            s.getOutputStream().write(("GET /av.asf HTTP/1.1\r\n" + host + "Pragma: xPlayStrm=1\r\nPragma: " + id
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            MmshTestClient.Response play = MmshTestClient.parse(readHead(in), false);
            assertEquals(200, play.status());
            assertTrue(play.all("Pragma").contains(id), "the Play keeps the Describe's " + id);
            assertEquals("close", play.header("Connection"));
        }
    }

    private static byte[] readHead(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("closed after " + head);
            }
            head.write(b);
        }
        return head.toByteArray();
    }

    @Test
    void asxPointsAtMmshAndMms() throws Exception {
        MmshTestClient.Response r = get("av.asf.asx");
        assertEquals(200, r.status());
        assertEquals(MmshResponses.CONTENT_TYPE_ASX, r.header("Content-Type"));
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("mmsh://127.0.0.1:" + origin.http().getPort() + "/av.asf"), body);
        assertTrue(body.contains("mms://127.0.0.1:" + origin.mms().getPort() + "/av.asf"), body);
    }
}
