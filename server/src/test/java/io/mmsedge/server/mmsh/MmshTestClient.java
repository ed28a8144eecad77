package io.mmsedge.server.mmsh;

import io.mmsedge.protocol.mmsh.MmshFrame;
import io.mmsedge.protocol.mmsh.MmshFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A raw-socket HTTP client for MMSH tests: sends a request, reads the response to the close. */
final class MmshTestClient {

    /** A response: status line, headers (names lower case, repeated ones kept), body. */
    record Response(String statusLine, Map<String, List<String>> headers, byte[] body, boolean closed) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The body as MMSH packets; the caller releases them. */
        List<MmshFrame> frames() {
            ByteBuf in = Unpooled.wrappedBuffer(body);
            List<MmshFrame> out = new ArrayList<>();
            MmshFrame f;
            while ((f = MmshFrameDecoder.decodeOne(in, 0xFFFF)) != null) {
                out.add(f);
            }
            if (in.isReadable()) {
                throw new AssertionError(in.readableBytes() + " bytes after the last whole packet");
            }
            return out;
        }
    }

    private MmshTestClient() {
    }

    static String get(String path, String... extraHeaderLines) {
        StringBuilder sb = new StringBuilder("GET /" + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                + "User-Agent: NSPlayer/7.10.0.3059\r\nAccept: */*\r\n");
        for (String h : extraHeaderLines) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    static Response exchange(InetSocketAddress server, String request) throws IOException {
        return exchange(server, request.getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(30));
    }

    /** Sends {@code request} and reads until the server closes (or {@code timeout} passes). */
    static Response exchange(InetSocketAddress server, byte[] request, Duration timeout) throws IOException {
        try (Socket s = new Socket(server.getAddress(), server.getPort())) {
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            boolean closed = readAll(s.getInputStream(), all);
            return parse(all.toByteArray(), closed);
        }
    }

    static boolean readAll(InputStream in, ByteArrayOutputStream all) throws IOException {
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset by the server: closed
        }
    }

    static Response parse(byte[] raw, boolean closed) {
        int end = -1;
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return new Response(new String(raw, StandardCharsets.ISO_8859_1), Map.of(), new byte[0], closed);
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, c).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(c + 1).strip());
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        return new Response(lines[0], headers, body, closed);
    }
}
