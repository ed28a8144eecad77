package io.mmsedge.protocol.mms;

import java.util.Objects;

/**
 * A malformed MMS message, TcpMessageHeader, Data packet or RequestPacketListResend.
 *
 * <p>Unchecked: decoders throw it for wire content they cannot accept. The message text is
 * {@code "<Message>.<field>: <reason>"}, e.g. {@code "OpenFile.cbtoken: 4096 exceeds the 12 remaining bytes"}.
 */
public final class MmsDecodeException extends RuntimeException {

    private final String messageName;
    private final String field;
    private final String reason;

    public MmsDecodeException(String messageName, String field, String reason) {
        this(messageName, field, reason, null);
    }

    public MmsDecodeException(String messageName, String field, String reason, Throwable cause) {
        super(Objects.requireNonNull(messageName, "messageName") + "." + Objects.requireNonNull(field, "field")
                + ": " + Objects.requireNonNull(reason, "reason"), cause);
        this.messageName = messageName;
        this.field = field;
        this.reason = reason;
    }

    /** The message or structure being decoded, e.g. {@code "OpenFile"} or {@code "TcpMessageHeader"}. */
    public String messageName() {
        return messageName;
    }

    /** The offending field, e.g. {@code "cbtoken"}. */
    public String field() {
        return field;
    }

    /** Human-readable reason. */
    public String reason() {
        return reason;
    }
}
