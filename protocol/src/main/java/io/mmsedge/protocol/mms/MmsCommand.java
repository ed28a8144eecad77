package io.mmsedge.protocol.mms;

import io.mmsedge.protocol.mms.message.MmsMessage;
import java.util.Objects;

/**
 * One decoded MMS message together with the TcpMessageHeader of the command that carried it. When a
 * command carries several messages (allowed by §2.2.3, never done by real peers), each yields its own
 * MmsCommand sharing the same header.
 */
public record MmsCommand(TcpMessageHeader header, MmsMessage message) {

    public MmsCommand {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(message, "message");
    }
}
