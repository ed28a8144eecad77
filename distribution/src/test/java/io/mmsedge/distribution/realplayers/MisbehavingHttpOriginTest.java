package io.mmsedge.distribution.realplayers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import io.mmsedge.cache.CacheItem;
import io.mmsedge.distribution.CacheRig;
import io.mmsedge.distribution.EdgeApplication;
import io.mmsedge.fixtures.ExternalTool;
import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mmsh.MmshFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WireMock server plays an MMSH origin that misbehaves at the HTTP level (issue #17: resets,
 * empty replies, garbage, malformed chunks, slow dribbles; redirect loops are in
 * MmshOriginEdgeTest). For each, the player asking the caching edge gets an error reply within the
 * edge's deadlines, the edge logs the origin and the reason, nothing is cached as complete, and a
 * player of a healthy origin on the same edge plays the whole file meanwhile (framemd5).
 */
class MisbehavingHttpOriginTest {

    /** The edge's reply and stall deadlines; every bad case must end well within ten times this. */
    private static final int DEADLINE_SECONDS = 2;
    private static byte[] header;

    @TempDir
    Path tmp;
    private WireMockServer wm;
    private EdgeApplication origin;
    private EdgeApplication edge;

    @BeforeAll
    static void fixtures() throws Exception {
        Players.require("ffmpeg");
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            header = f.header().fileHeader();
        }
    }

    @BeforeEach
    void start() throws Exception {
        wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        origin = CacheRig.start("""
                server: {bind: 127.0.0.1, port: 0, http: 0, pacingSpeed: 1, idleTimeoutSeconds: 30}
                publishingPoints:
                  - {name: "", type: directory, path: "%s"}
                """.formatted(Fixtures.mediaDir()), Fixtures.mediaDir());
        edge = CacheRig.start("""
                server: {pacingSpeed: 1, idleTimeoutSeconds: 30}
                edge:
                  bind: 127.0.0.1
                  port: 0
                  http: 0
                  connectTimeoutSeconds: %d
                  firstDataTimeoutSeconds: %d
                  stallTimeoutSeconds: %d
                  reverse:
                    - {prefix: "bad", origins: ["http://127.0.0.1:%d"]}
                    - {prefix: "", origins: ["http://127.0.0.1:%d"]}
                  cache: {enabled: true, dir: "%s", size: 64m, memory: 8m}
                """.formatted(DEADLINE_SECONDS, DEADLINE_SECONDS, DEADLINE_SECONDS, wm.port(),
                origin.mmsHttpAddress().getPort(), tmp.resolve("cache")), Fixtures.mediaDir());
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        if (origin != null) {
            origin.close();
        }
        wm.stop();
    }

    @Test
    void eachMisbehaviourEndsInAnErrorReplyWhileAHealthyPlayerPlaysOn() throws Exception {
        // At pacing 1 the healthy player lasts the file's 12 s, across the bad cases below.
        CompletableFuture<ExternalTool.Result> healthy = CompletableFuture.supplyAsync(() -> {
            try {
                return Players.framemd5("mmsh://127.0.0.1:" + edge.edgeHttpAddress().getPort() + "/av.asf");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        stub("/reset.asf", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        stub("/empty.asf", aResponse().withFault(Fault.EMPTY_RESPONSE));
        stub("/garbage.asf", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));
        stub("/chunk.asf", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
        // A head, then a header that arrives slower than the edge waits for a reply.
        stub("/stalled.asf", describe().withChunkedDribbleDelay(2, 10 * DEADLINE_SECONDS * 1000));
        try (LogCapture log = LogCapture.begin()) {
            for (String bad : new String[] {"reset", "empty", "garbage", "chunk", "stalled"}) {
                String path = "/bad/" + bad + ".asf";
                Reply r = describeAtEdge(path);
                assertFalse(r.timedOut, path + ": the player got no reply within " + 6 * DEADLINE_SECONDS + " s");
                assertTrue(r.status.matches("HTTP/1\\.[01] 5\\d\\d .*"), path + ": " + r.status);
                assertNotNull(log.await(5_000, "127.0.0.1:" + wm.port(), bad + ".asf"),
                        path + ": a log line names the origin and the path; got " + log.lines());
            }
        }
        // A dribble inside the deadlines is only slow: the header arrives whole.
        stub("/slow.asf", describe().withChunkedDribbleDelay(8, 1000));
        Reply slow = describeAtEdge("/bad/slow.asf");
        assertTrue(slow.status.matches("HTTP/1\\.[01] 200 .*"), slow.status);
        assertArrayEquals(header, headerOf(slow.body), "the slowly dribbled header, unchanged");

        ExternalTool.Result r = healthy.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exitCode(), r.describe());
        Players.assertSameFrames(Players.frameLines(Players.fileFramemd5("av.asf")), Players.frameLines(r.stdoutText()),
                "the healthy player, meanwhile");
        for (CacheItem item : edge.cache().store().items()) {
            if (item.url().contains("/bad/") || item.url().contains(":" + wm.port())) {
                assertFalse(item.complete(), "nothing from the misbehaving origin is complete: " + item.url());
            }
        }
    }

    private void stub(String path, ResponseDefinitionBuilder response) {
        wm.stubFor(get(urlPathEqualTo(path)).willReturn(response));
    }

    /** A Describe answer as an MMSH origin gives it: the ASF header as $H pieces. */
    private static ResponseDefinitionBuilder describe() {
        byte[] body = headerFrames(header, 1000);
        return aResponse().withStatus(200).withHeader("Content-Type", "application/vnd.ms.wms-hdr.asfv1")
                .withHeader("Pragma", "no-cache,client-id=77").withHeader("Pragma", "features=\"seekable,stridable\"")
                .withHeader("Content-Length", String.valueOf(body.length)).withBody(body);
    }

    private static byte[] headerFrames(byte[] h, int piece) {
        ByteBuf out = Unpooled.buffer();
        try {
            for (int off = 0; off < h.length; off += piece) {
                int n = Math.min(piece, h.length - off);
                int af = off + n == h.length ? MmshFrames.AF_HEADER_LAST : MmshFrames.AF_HEADER_PART;
                ByteBuf prefix = MmshFrames.dataHeader(ByteBufAllocator.DEFAULT, MmshFrames.HEADER, 0, 0, af, n);
                out.writeBytes(prefix).writeBytes(h, off, n);
                prefix.release();
            }
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            return b;
        } finally {
            out.release();
        }
    }

    /** The ASF header carried by a Describe body's $H frames. */
    private static byte[] headerOf(byte[] body) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        int i = 0;
        while (i + MmshFrames.PREFIX_SIZE <= body.length && body[i] == MmshFrames.FRAME && body[i + 1] == 'H') {
            int length = (body[i + 2] & 0xFF) | (body[i + 3] & 0xFF) << 8;
            int payload = length - MmshFrames.DATA_HEADER_SIZE;
            h.write(body, i + MmshFrames.PREFIX_SIZE, payload);
            i += MmshFrames.PREFIX_SIZE + payload;
        }
        return h.toByteArray();
    }

    private record Reply(String status, byte[] body, boolean timedOut) {
    }

    /** A player's MMSH Describe to the edge; the status line and body, or that none came in time. */
    private Reply describeAtEdge(String path) throws Exception {
        int port = edge.edgeHttpAddress().getPort();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(6 * DEADLINE_SECONDS * 1000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port
                    + "\r\nUser-Agent: NSPlayer/9.0.0.2980\r\nPragma: xClientGUID={3300AD50-2C39-46c0-AE0A-5F2B9D1C0A12}"
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] b = new byte[8192];
            try {
                int n;
                while ((n = in.read(b)) > 0 && out.size() < 1 << 20) {
                    out.write(b, 0, n);
                }
            } catch (SocketTimeoutException e) {
                return new Reply("", out.toByteArray(), true);
            }
            byte[] all = out.toByteArray();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            assertTrue(end > 0, path + ": a complete response head: " + text);
            return new Reply(text.substring(0, text.indexOf("\r\n")), Arrays.copyOfRange(all, end + 4, all.length),
                    false);
        }
    }
}
