package io.mmsedge.fuzz;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.ClientLog;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.mmsh.MmshSettings;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Writes the seed corpus under {@code fuzz/corpus/<target>/}: real bytes wherever they exist.
 * The fixtures' headers, packets and index; what real players sent (the captures in
 * {@code ../shared/captures}, when that directory is beside the repository) and what our origin
 * answered them; an MMSH response body; the requests FFmpeg, VLC and Windows Media Player send;
 * the shipped configuration. Run by {@code bench/fuzz.sh --seeds}; the output is committed, so
 * that a clone without {@code ../shared} fuzzes from the same start.
 */
public final class SeedCorpus {

    private static final int MAX_SEED = 16 * 1024;

    private final Path out;

    private SeedCorpus(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "fuzz/corpus");
        new SeedCorpus(out).write();
    }

    private void write() throws Exception {
        asf();
        texts();
        Path captures = Fixtures.root().resolve("../shared/captures").normalize();
        DirectoryCatalog dir = new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT);
        // The captured players asked for "sample.asf": every name plays av.asf, so that the
        // answers hold a header and data packets.
        try (MmsServer origin = new MmsServer(ServerSettings.defaults(),
                request -> dir.open(request.withPath("av.asf")), ServerMetrics.NONE, null)
                .withMmsh(MmshSettings.defaults()).start(new InetSocketAddress("127.0.0.1", 0))) {
            if (Files.isDirectory(captures)) {
                try (Stream<Path> files = Files.list(captures)) {
                    for (Path c : files.sorted().toList()) {
                        byte[] sent = Files.readAllBytes(c);
                        String name = c.getFileName().toString().replace(".bin", "");
                        seed("mms-stream", name, sent);
                        seed("mms-stream", name + "-answer", converse(origin.localAddress(), sent));
                    }
                }
            }
            byte[] play = ("GET /av.asf HTTP/1.0\r\nAccept: */*\r\nUser-Agent: NSPlayer/7.10.0.3059\r\n"
                    + "Host: 127.0.0.1\r\nPragma: no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,"
                    + "request-context=2,max-duration=0\r\nPragma: xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}\r\n"
                    + "Pragma: xPlayStrm=1\r\nPragma: stream-switch-count=2\r\n"
                    + "Pragma: stream-switch-entry=ffff:1:0 ffff:2:0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] response = exchange(origin.localAddress(), play);
            int body = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (body > 0) {
                seed("mmsh-frames", "av-play", java.util.Arrays.copyOfRange(response, body + 4, response.length));
            }
        }
    }

    private void asf() throws IOException {
        for (String name : Fixtures.ALL) {
            String base = name.replace(".asf", "");
            try (AsfFile f = AsfFile.open(Fixtures.media(name))) {
                seed("asf-header", base, f.header().fileHeader());
                for (long n = 0; n < Math.min(3, f.packetCount()); n++) {
                    ByteBuf p = f.readPacket(n, Unpooled.buffer(0).alloc());
                    try {
                        byte[] b = new byte[2 + p.readableBytes()];
                        b[0] = (byte) (f.packetSize() >> 8);
                        b[1] = (byte) f.packetSize();
                        p.getBytes(p.readerIndex(), b, 2, p.readableBytes());
                        seed("asf-packet", base + "-" + n, b);
                    } finally {
                        p.release();
                    }
                }
            }
            if (name.equals("indexed.asf")) {
                byte[] file = Files.readAllBytes(Fixtures.media(name));
                int at = lastIndexOf(file, new byte[] {(byte) 0x90, 0x08, 0x00, 0x33}); // Simple Index GUID start
                if (at > 0) {
                    seed("asf-index", base, java.util.Arrays.copyOfRange(file, at, file.length));
                }
            }
        }
    }

    private void texts() throws IOException {
        ByteBuf log = Unpooled.buffer();
        ClientLog.empty().encode(log);
        byte[] binary = new byte[log.readableBytes()];
        log.readBytes(binary).release();
        seed("client-log", "empty", binary);
        text("client-log", "logstats", "6.4.0.3011 192.168.0.10 - 0 0 1 - 0 - - - - av.asf 11 10 1 0 0 0 0 0 0 "
                + "- mms://127.0.0.1/av.asf - - 0 0 0 - - 0 0 - 0 0 0 0 1 1 - 9.00.00.2980 -");
        utf16("subscriber-name", "wmp", "NSPlayer/9.0.0.2980; {3300AD50-2C39-46c0-AE0A-ED8C13CE1A30}; "
                + "Host: origin.example:1755\0HOST: origin.example:1755\0VIA: edge1.example:1755");
        utf16("subscriber-name", "ffmpeg", "NSPlayer/7.0.0.1956; {7AF7E960-F1B0-4E72-8BAB-52745F4D5F46}; "
                + "Host: 127.0.0.1");
        utf16("subscriber-name", "vlc", "NSPlayer/4.1.0.3856; {0xbabac001-0x0000-0x0000-0x00000000}; Host: [::1]:1755");
        text("mmsh-request", "ffmpeg-describe", "GET /av.asf HTTP/1.1\r\nAccept: */*\r\nUser-Agent: NSPlayer/4.1.0.3856\r\n"
                + "Host: 127.0.0.1:8080\r\nPragma: no-cache,rate=1.000000,stream-time=0,stream-offset=0:0,"
                + "request-context=1,max-duration=0\r\nPragma: xClientGUID={c77e7400-738a-11d2-9add-0020af0a3278}\r\n"
                + "Connection: Close\r\n\r\n");
        text("mmsh-request", "vlc-play", "GET /av.asf HTTP/1.0\r\nAccept: */*\r\nUser-Agent: NSPlayer/4.1.0.3856\r\n"
                + "Host: 127.0.0.1:8080\r\nPragma: no-cache,rate=1.000000,stream-time=0,stream-offset=4294967295:4294967295,"
                + "packet-num=4294967295,max-duration=0\r\nPragma: xClientGUID={00000000-0000-0000-0000-000000000000}\r\n"
                + "Pragma: xPlayStrm=1\r\nPragma: client-id=12345\r\nPragma: stream-switch-count=2\r\n"
                + "Pragma: stream-switch-entry=ffff:1:0 ffff:2:0 \r\nConnection: Close\r\n\r\n");
        text("mmsh-request", "wmp-logstats", "POST /av.asf HTTP/1.1\r\nContent-Type: application/x-wms-LogStats\r\n"
                + "User-Agent: NSPlayer/12.0.7601.17514\r\nHost: 127.0.0.1\r\nPragma: client-id=12345\r\n"
                + "Pragma: xClientGUID={3300AD50-2C39-46c0-AE0A-ED8C13CE1A30}\r\nContent-Length: 31\r\n\r\n"
                + "6.4.0.3011 192.168.0.10 - 0 0 1");
        text("mmsh-request", "wmp-stop", "GET /av.asf HTTP/1.1\r\nHost: 127.0.0.1\r\nPragma: xStopStrm=1\r\n"
                + "Pragma: client-id=12345\r\nPragma: pipeline-request=1\r\n\r\n");
        text("mmsh-request", "proxy-absolute", "GET http://origin.example:8080/live HTTP/1.0\r\nHost: origin.example\r\n"
                + "Pragma: xPlayStrm=1\r\n\r\n");
        seed("config", "shipped", Files.readAllBytes(Fixtures.root().resolve("conf/mms-edge.yaml")));
        text("config", "origin", "server:\n  port: 1755\n  media: ./media\n");
    }

    /**
     * Replays a player's commands one at a time, as the player did (each after the server's
     * answer to the one before), and returns everything the server sent.
     */
    private static byte[] converse(InetSocketAddress to, byte[] commands) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 2000);
            s.setSoTimeout(300);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int at = 0;
            while (at + 16 <= commands.length && got.size() < MAX_SEED) {
                // TcpMessageHeader (MS-MMSP §2.2.3): messageLength at offset 8 counts from offset 16.
                long length = (commands[at + 8] & 0xFFL) | (commands[at + 9] & 0xFFL) << 8
                        | (commands[at + 10] & 0xFFL) << 16 | (commands[at + 11] & 0xFFL) << 24;
                int end = (int) Math.min(commands.length, at + 16 + length);
                s.getOutputStream().write(commands, at, end - at);
                s.getOutputStream().flush();
                at = end;
                readFor(s.getInputStream(), got);
            }
            return got.toByteArray();
        }
    }

    private static void readFor(InputStream in, ByteArrayOutputStream got) throws IOException {
        byte[] buf = new byte[4096];
        try {
            int n;
            while (got.size() < MAX_SEED && (n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException quiet) {
            // the server waits for the player's next command
        }
    }

    /** Sends {@code request} to the server and returns what it answers within half a second. */
    private static byte[] exchange(InetSocketAddress to, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 2000);
            s.setSoTimeout(500);
            OutputStream o = s.getOutputStream();
            o.write(request);
            o.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while (got.size() < MAX_SEED && (n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException quiet) {
                // the server waits for the player's next command
            }
            return got.toByteArray();
        }
    }

    private void text(String target, String name, String s) throws IOException {
        seed(target, name, s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void utf16(String target, String name, String s) throws IOException {
        seed(target, name, s.getBytes(StandardCharsets.UTF_16LE));
    }

    private void seed(String target, String name, byte[] bytes) throws IOException {
        Path dir = Files.createDirectories(out.resolve(target));
        Files.write(dir.resolve(name), bytes.length > MAX_SEED ? java.util.Arrays.copyOf(bytes, MAX_SEED) : bytes);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int lastIndexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
