package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.mmsedge.server.ServerSettings;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pipelined mode ([MS-WMSP] §3.2.5.1) on one HTTP/1.1 connection, as Windows Media Player 11/12
 * use it with WMS: the Pipeline request is answered with pipeline-result=1, a Play with
 * version11-enabled=1 gets a chunked response that ends after its $E, requests sent while it
 * streams act at once and are answered in order after it, and a server-side playlist's stream
 * change ends the response until PlayNextEntry (§2.2.2.7) asks for the next entry.
 */
class MmshPipelinedTest {

    private static MmshOrigin fast;
    private static MmshOrigin paced;

    @BeforeAll
    static void start() throws Exception {
        fast = MmshOrigin.fast();
        paced = new MmshOrigin(ServerSettings.defaults().withPacingSpeed(1));
    }

    @AfterAll
    static void stop() {
        fast.close();
        paced.close();
    }

    private static String ids(List<MmshFrame> frames) {
        String all = frames.stream().map(f -> String.valueOf((char) f.packetId())).collect(Collectors.joining());
        return all.replaceAll("D+", "D"); // one D for a run of data packets
    }

    private static List<MmshFrame> frames(MmshTestClient.Response r) {
        return r.frames();
    }

    private static void release(List<MmshFrame> frames) {
        frames.forEach(MmshFrame::release);
    }

    private static String clientId(MmshTestClient.Response r) {
        return r.all("Pragma").stream().filter(p -> p.startsWith("client-id=")).findFirst().orElseThrow();
    }

    @Test
    void pipelineRequestsAreAnsweredWithPipelineResultOneOnAKeptAliveHttp11Connection() throws Exception {
        try (PipelinedConnection c = new PipelinedConnection(fast.http())) {
            // §2.2.2.5: the player sends two Pipeline requests back to back; both answers come in order.
            c.get("av.asf", "pipeline-request=1");
            c.get("av.asf", "pipeline-request=1");
            for (int i = 0; i < 2; i++) {
                MmshTestClient.Response r = c.read();
                assertEquals(200, r.status());
                assertTrue(r.all("Pragma").contains("pipeline-result=1"), r.headers().toString());
                assertEquals("chunked", r.header("Transfer-Encoding"));
                assertNull(r.header("Connection"));
            }
        }
        MmshTestClient.Response closing = MmshTestClient.exchange(fast.http(), "GET /av.asf HTTP/1.1\r\n"
                + PipelinedConnection.PLAYER + "Connection: close\r\nPragma: pipeline-request=1\r\n\r\n");
        assertTrue(closing.all("Pragma").contains("pipeline-result=0"), "no pipelining on a closing connection");
    }

    @Test
    void aPipelinedPlayIsChunkedEndsAfterItsEndOfStreamAndTheConnectionServesTheNextRequest() throws Exception {
        try (PipelinedConnection c = new PipelinedConnection(fast.http())) {
            c.get("audio.asf", "xPlayStrm=1", "version11-enabled=1", "stream-switch-count=1",
                    "stream-switch-entry=ffff:1:0");
            MmshTestClient.Response play = c.read();
            assertEquals(200, play.status());
            assertEquals("HTTP/1.1 200 OK", play.statusLine());
            assertEquals("chunked", play.header("Transfer-Encoding"));
            assertNull(play.header("Connection"), "the connection stays for the next request");
            List<MmshFrame> f = frames(play);
            try (AsfFile file = AsfFile.open(Fixtures.media("audio.asf"))) {
                assertEquals("HDE", ids(f));
                assertEquals(file.packetCount() + 2, f.size(), "every packet");
                assertEquals(Hresults.S_OK, f.get(f.size() - 1).reason());
            } finally {
                release(f);
            }
            c.post("audio.asf", "application/x-wms-LogStats", "<XML><c-os>Windows_7</c-os></XML>",
                    clientId(play));
            MmshTestClient.Response log = c.read();
            assertEquals(200, log.status());
            c.get("audio.asf", "xKeepAliveInPause=1", clientId(play));
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void requestsSentWhileAPipelinedPlayStreamsActAtOnceAndAreAnsweredInOrderAfterIt() throws Exception {
        try (LogCapture logs = LogCapture.begin();
             PipelinedConnection c = new PipelinedConnection(paced.http())) {
            c.get("av.asf", "xPlayStrm=1", "version11-enabled=1", "client-id=4242");
            // A 12 s file at real time: everything below arrives while it streams.
            c.post("av.asf", "application/x-wms-LogStats", "<XML><c-hostexe>wmplayer.exe</c-hostexe></XML>");
            c.get("av.asf", "stream-switch-count=1", "stream-switch-entry=ffff:2:0");
            c.get("av.asf", "xStopStrm=1");
            MmshTestClient.Response play = c.read();
            assertEquals("chunked", play.header("Transfer-Encoding"));
            List<MmshFrame> f = frames(play);
            try {
                String ids = ids(f);
                // The Stop may arrive before the header is out: the stream ends with $E all the same.
                assertTrue(ids.equals("HDE") || ids.equals("HE") || ids.equals("E"), ids);
                assertEquals(Hresults.S_OK, f.get(f.size() - 1).reason(), "Stop ends it with $E S_OK");
                try (AsfFile file = AsfFile.open(Fixtures.media("av.asf"))) {
                    assertTrue(f.size() < file.packetCount() / 2, "stopped early: " + f.size() + " packets");
                }
            } finally {
                release(f);
            }
            for (int i = 0; i < 3; i++) {
                MmshTestClient.Response r = c.read();
                assertEquals(200, r.status(), "answer " + i + " in order");
            }
            assertNotNull(logs.await(2000, "event=client-log", "wmplayer.exe"), logs.lines().toString());
            assertNotNull(logs.await(2000, "event=stop", "proto=mmsh"), logs.lines().toString());
        }
    }

    @Test
    void aStreamChangeEndsThePipelinedResponseAndPlayNextEntryStreamsTheNextEntry() throws Exception {
        try (PipelinedConnection c = new PipelinedConnection(fast.http())) {
            c.get("plist", "xPlayStrm=1", "version11-enabled=1");
            MmshTestClient.Response first = c.read();
            List<MmshFrame> f = frames(first);
            try {
                // §2.2.3.4: $E S_FALSE (an entry follows), §2.2.3.2: $C; then the response ends.
                assertEquals("HDEC", ids(f));
                assertEquals(Hresults.S_STREAM_CHANGE, f.get(f.size() - 2).reason());
                assertEquals(MmshFrames.STREAM_CHANGE, f.get(f.size() - 1).packetId());
            } finally {
                release(f);
            }
            c.post("plist", "application/x-wms-LogStats", "<XML><x-duration>8</x-duration></XML>", clientId(first));
            assertEquals(200, c.read().status());
            c.get("plist", "xPlayNextEntry=1", clientId(first), "stream-switch-count=2",
                    "stream-switch-entry=ffff:1:0 ffff:2:0");
            MmshTestClient.Response next = c.read();
            assertEquals(200, next.status());
            assertEquals("chunked", next.header("Transfer-Encoding"));
            List<MmshFrame> n = frames(next);
            try (AsfFile av = AsfFile.open(Fixtures.media("av.asf"))) {
                assertEquals("HDE", ids(n));
                assertEquals(av.packetCount() + 2, n.size(), "all of av.asf");
                assertEquals(Hresults.S_OK, n.get(n.size() - 1).reason(), "the last entry: S_OK");
            } finally {
                release(n);
            }
        }
    }

    @Test
    void aPlayNextEntrySentAheadRunsWhenTheStreamChangeComes() throws Exception {
        try (PipelinedConnection c = new PipelinedConnection(fast.http())) {
            c.get("plist", "xPlayStrm=1", "version11-enabled=1");
            c.get("plist", "xPlayNextEntry=1");
            List<MmshFrame> f = frames(c.read());
            List<MmshFrame> n = frames(c.read());
            try {
                assertEquals("HDEC", ids(f));
                assertEquals("HDE", ids(n));
            } finally {
                release(f);
                release(n);
            }
        }
    }

    @Test
    void playNextEntryWithNothingWaitingIs400AndTheConnectionStays() throws Exception {
        try (PipelinedConnection c = new PipelinedConnection(fast.http())) {
            c.get("plist", "xPlayNextEntry=1", "client-id=1");
            assertEquals(400, c.read().status());
            c.get("av.asf", "pipeline-request=1");
            assertEquals(200, c.read().status());
        }
    }
}
