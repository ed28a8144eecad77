package io.mmsedge.server.media;

import io.mmsedge.protocol.asf.AsfPayload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.List;

/**
 * One ASF data packet ready to be streamed: padding already stripped (§2.2.2), payloads parsed
 * once. The content buffer is shared: every session that sends it writes a
 * {@code retainedDuplicate()} behind its own 8-byte Data header, never a copy.
 */
public final class MediaPacket extends DefaultByteBufHolder {

    private final long number;
    private final long sendTimeMs;
    private final List<AsfPayload> payloads;

    public MediaPacket(long number, long sendTimeMs, List<AsfPayload> payloads, ByteBuf content) {
        super(content);
        this.number = number;
        this.sendTimeMs = sendTimeMs;
        this.payloads = List.copyOf(payloads);
    }

    /** ASF data packet number in the (possibly virtual) file: the Data packet's LocationId. */
    public long number() {
        return number;
    }

    public long sendTimeMs() {
        return sendTimeMs;
    }

    /** Parsed payloads; offsets are relative to {@link #content()}'s reader index. */
    public List<AsfPayload> payloads() {
        return payloads;
    }

    /** True when a payload of {@code stream} starts a key frame here. */
    public boolean startsKeyFrame(int stream) {
        return AsfPayload.startsKeyFrame(payloads, stream);
    }

    @Override
    public MediaPacket replace(ByteBuf content) {
        return new MediaPacket(number, sendTimeMs, payloads, content);
    }

    @Override
    public MediaPacket retain() {
        super.retain();
        return this;
    }

    @Override
    public MediaPacket retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public String toString() {
        return "MediaPacket[#" + number + ", t=" + sendTimeMs + "ms, " + content().readableBytes() + "B]";
    }
}
