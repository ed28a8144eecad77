package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.TcpMessageHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Access to the real-player byte captures in {@code <shared>/captures}. */
final class Captures {

    static final List<String> PLAYERS = List.of("ffmpeg", "vlc", "mplayer");

    private Captures() {
    }

    static Path sharedDir() {
        String prop = System.getProperty("mmsedge.sharedDir");
        if (prop != null && Files.isDirectory(Paths.get(prop, "captures"))) {
            return Paths.get(prop);
        }
        // Fallback when run outside surefire: the protocol module's directory is the working dir.
        for (Path p : List.of(Paths.get("../../shared"), Paths.get("../shared"))) {
            if (Files.isDirectory(p.resolve("captures"))) {
                return p;
            }
        }
        throw new IllegalStateException("shared dir with captures/ not found (set -Dmmsedge.sharedDir)");
    }

    static byte[] toServer(String player) {
        try {
            return Files.readAllBytes(sharedDir().resolve("captures").resolve(player + "-to-server.bin"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a capture into its command frames using messageLength (independent of the decoder). */
    static List<byte[]> frames(byte[] capture) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(capture).order(ByteOrder.LITTLE_ENDIAN);
        int p = 0;
        while (p < capture.length) {
            if (b.getInt(p + 4) != TcpMessageHeader.SESSION_ID) {
                throw new IllegalStateException("not a command at " + p);
            }
            int total = b.getInt(p + 8) + 16;
            out.add(Arrays.copyOfRange(capture, p, p + total));
            p += total;
        }
        return out;
    }
}
