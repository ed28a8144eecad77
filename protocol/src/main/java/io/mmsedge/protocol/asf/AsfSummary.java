package io.mmsedge.protocol.asf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code mms-edge inspect FILE.asf} prints. */
public record AsfSummary(int packetSize, long packetCount, double durationSeconds, long totalBitrate,
        int headerSize, boolean broadcast, boolean seekable, boolean hasSimpleIndex, String fileId,
        List<Stream> streams) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One stream; {@code type} is "audio", "video", "command" or "other". */
    public record Stream(int number, String type, String codec, long bitrate) {
    }

    public AsfSummary {
        streams = List.copyOf(streams);
    }

    /**
     * Summarizes {@code file}. Streams whose header gives no bit rate (e.g. FFmpeg-written
     * multi-bitrate video) get the rate measured from the data
     * ({@link AsfFile#measureStreamBitrates()}), and {@code totalBitrate} is the sum.
     */
    public static AsfSummary of(AsfFile file) throws IOException {
        AsfHeader h = file.header();
        Map<Integer, Long> measured = null;
        List<Stream> streams = new ArrayList<>();
        long total = 0;
        for (AsfStream s : h.streams()) {
            long bitrate = s.bitrate();
            if (bitrate == 0) {
                if (measured == null) {
                    measured = file.measureStreamBitrates();
                }
                bitrate = measured.getOrDefault(s.number(), 0L);
            }
            total += bitrate;
            streams.add(new Stream(s.number(), s.type().name().toLowerCase(Locale.ROOT), s.codec(), bitrate));
        }
        return new AsfSummary(file.packetSize(), file.packetCount(), h.durationSeconds(), total,
                h.fileHeaderSize(), h.broadcast(), h.seekable(), file.index() != null, h.fileId(), streams);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens {@code file} and returns its summary as JSON.
     *
     * @throws AsfFormatException naming the file if it is not a valid ASF file
     * @throws IOException if it cannot be read (missing, directory, I/O error)
     */
    public static String inspectJson(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not a regular file");
        }
        try (AsfFile f = AsfFile.open(file)) {
            return of(f).toJson();
        } catch (AsfFormatException e) {
            throw new AsfFormatException(file + ": not a valid ASF file: " + e.getMessage(), e);
        }
    }
}
