package io.mmsedge.server.media;

import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfHeader;
import io.mmsedge.protocol.asf.AsfPacket;
import io.mmsedge.protocol.asf.AsfPackets;
import io.mmsedge.protocol.asf.AsfStream;
import io.mmsedge.protocol.asf.AsfStreamType;
import io.mmsedge.protocol.content.ContentInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One on-demand ASF file as a playlist entry: header facts plus packet reads. */
public final class AsfFileEntry implements AutoCloseable {

    private final Path path;
    private final AsfFile file;
    private final ContentInfo info;
    private final ByteBufAllocator alloc;

    private AsfFileEntry(Path path, AsfFile file, ContentInfo info, ByteBufAllocator alloc) {
        this.path = path;
        this.file = file;
        this.info = info;
        this.alloc = alloc;
    }

    /**
     * Opens and validates a file.
     *
     * @param extraAttributes e.g. {@link ContentInfo#ATTR_PLAYLIST} for playlist entries
     */
    public static AsfFileEntry open(Path path, int extraAttributes, ByteBufAllocator alloc) throws IOException {
        AsfFile file = AsfFile.open(path);
        try {
            AsfHeader h = file.header();
            List<ContentInfo.StreamInfo> streams = new ArrayList<>();
            for (AsfStream s : h.streams()) {
                streams.add(new ContentInfo.StreamInfo(s.number(), s.type() == AsfStreamType.VIDEO,
                        s.type() == AsfStreamType.AUDIO, s.bitrate()));
            }
            long bitRate = h.totalBitrate() > 0 ? h.totalBitrate() : h.maxBitrate();
            int attributes = ContentInfo.ATTR_CANSEEK | ContentInfo.ATTR_CANSTRIDE | extraAttributes;
            ContentInfo info = new ContentInfo(h.fileHeader(), file.packetSize(), file.packetCount(), bitRate,
                    h.durationSeconds(), h.prerollMs(), attributes, streams);
            return new AsfFileEntry(path, file, info, alloc);
        } catch (RuntimeException e) {
            try {
                file.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public ContentInfo info() {
        return info;
    }

    public long packetCount() {
        return file.packetCount();
    }

    public long packetForTime(long ms) {
        try {
            return file.packetForTime(ms);
        } catch (IOException e) {
            throw new MediaReadException("cannot seek in " + path + ": " + e.getMessage(), e);
        }
    }

    public long packetForByteOffset(long offset) {
        return file.packetForByteOffset(offset);
    }

    /**
     * Reads packet {@code n}, parses its payloads once and strips its padding (§2.2.2): players
     * pad short packets back to the packet size themselves.
     */
    public MediaPacket read(long n) {
        ByteBuf raw;
        try {
            raw = file.readPacket(n, alloc);
        } catch (IOException e) {
            throw new MediaReadException("cannot read packet " + n + " of " + path + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new MediaReadException("cannot read packet " + n + " of " + path + ": " + e.getMessage(), e);
        }
        try {
            AsfPacket packet = AsfPacket.parse(raw, info.packetSize());
            ByteBuf stripped = AsfPackets.stripPadding(raw, info.packetSize(), alloc);
            return new MediaPacket(n, packet.sendTimeMs(), packet.payloads(), stripped);
        } catch (AsfFormatException e) {
            throw new MediaReadException("corrupt packet " + n + " of " + path + ": " + e.getMessage(), e);
        } finally {
            raw.release();
        }
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException ignored) {
            // read-only file: nothing to lose
        }
    }
}
