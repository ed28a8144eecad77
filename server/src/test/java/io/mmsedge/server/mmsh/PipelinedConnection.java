package io.mmsedge.server.mmsh;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection to an MMSH server that sends requests as a pipelining player does
 * (without waiting for the answers) and reads the responses in order: length-delimited or
 * chunked, never to the close.
 */
final class PipelinedConnection implements AutoCloseable {

    static final String PLAYER = "Host: 127.0.0.1\r\nUser-Agent: NSPlayer/12.00.7601.17514\r\n"
            + "Pragma: xClientGUID={3300AD50-2C39-46c0-AE0A-70B2F8F4E2A1}\r\n";

    private final Socket socket;
    private final InputStream in;

    PipelinedConnection(InetSocketAddress server) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
    }

    /** Sends a GET with the player's headers and {@code pragmas} (one header line each). */
    void get(String path, String... pragmas) throws IOException {
        StringBuilder sb = new StringBuilder("GET /" + path + " HTTP/1.1\r\n" + PLAYER);
        for (String p : pragmas) {
            sb.append("Pragma: ").append(p).append("\r\n");
        }
        send(sb.append("\r\n").toString());
    }

    /** Sends a POST of {@code body} with {@code contentType}. */
    void post(String path, String contentType, String body, String... pragmas) throws IOException {
        StringBuilder sb = new StringBuilder("POST /" + path + " HTTP/1.1\r\n" + PLAYER);
        for (String p : pragmas) {
            sb.append("Pragma: ").append(p).append("\r\n");
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        sb.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(b.length)
                .append("\r\n\r\n").append(body);
        send(sb.toString());
    }

    void send(String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** The next whole response (its body de-chunked). */
    MmshTestClient.Response read() throws IOException {
        byte[] head = readHead();
        MmshTestClient.Response r = MmshTestClient.parse(head, false);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(r.header("Transfer-Encoding"))) {
            while (true) {
                int size = Integer.parseInt(line().split(";")[0].strip(), 16);
                if (size == 0) {
                    line(); // the empty line after the last chunk
                    break;
                }
                body.write(in.readNBytes(size));
                line();
            }
        } else if (r.header("Content-Length") != null) {
            body.write(in.readNBytes(Integer.parseInt(r.header("Content-Length"))));
        }
        return new MmshTestClient.Response(r.statusLine(), r.headers(), body.toByteArray(), false);
    }

    /** True when the server has closed the connection (nothing more to read). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private byte[] readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed after " + head);
            }
            head.write(b);
        }
        return head.toByteArray();
    }

    private String line() throws IOException {
        ByteArrayOutputStream l = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("closed in a chunk line");
            }
            l.write(b);
        }
        return l.toString(StandardCharsets.ISO_8859_1).strip();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
