package io.mmsedge.protocol.mms.codec;

import io.mmsedge.protocol.mms.MmsDecodeException;
import java.util.Objects;

/**
 * Emitted downstream by {@link MmsFrameDecoder} instead of throwing. A non-fatal failure concerns
 * the content of one message inside a well-framed command (decoding continues with the next
 * message); a fatal one is a framing error after which the decoder discards all further input and
 * the handler is expected to close the connection.
 *
 * @param messageName e.g. "OpenFile", "TcpMessageHeader", "Data" or "HTTP"
 */
public record MmsDecodeFailure(String messageName, String field, String reason, boolean fatal) {

    public MmsDecodeFailure {
        Objects.requireNonNull(messageName, "messageName");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
    }

    static MmsDecodeFailure of(MmsDecodeException e, boolean fatal) {
        return new MmsDecodeFailure(e.messageName(), e.field(), e.reason(), fatal);
    }

    /** {@code "<Message>.<field>: <reason>"}. */
    public String describe() {
        return messageName + "." + field + ": " + reason + (fatal ? " (fatal)" : "");
    }
}
