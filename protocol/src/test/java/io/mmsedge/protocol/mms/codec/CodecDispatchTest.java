package io.mmsedge.protocol.mms.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.protocol.mms.MmsDecodeException;
import io.mmsedge.protocol.mms.message.MessageType;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The codec's MessageType dispatch reaches an encoder and a decoder for every type, in both directions. */
class CodecDispatchTest {

    @Test
    void everyTypeEncodesItsMidAndDecodesToItsClass() {
        Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (MmsMessage m : Samples.all()) {
            MessageType t = m.type();
            seen.add(t);
            ByteBuf b = Unpooled.buffer();
            try {
                MmsMessageCodec.encode(m, b);
                assertEquals(t.mid(), b.getIntLE(4), t.name());
                MmsMessage back = MmsMessageCodec.decode(b);
                assertSame(t, back.type(), t.name());
                assertSame(t.messageClass(), back.getClass(), t.name());
            } finally {
                b.release();
            }
        }
        assertEquals(EnumSet.allOf(MessageType.class), seen, "Samples covers every type");
    }

    @Test
    void aMidOfNoTypeIsRejected() {
        // 0x0003xxxx / 0x0004xxxx with a low half no message uses, and a MID of neither direction.
        for (int mid : new int[] {0x00030003, 0x00040004, 0x0005001B}) {
            ByteBuf b = Unpooled.buffer().writeIntLE(2).writeIntLE(mid).writeLongLE(0);
            try {
                MmsDecodeException e = assertThrows(MmsDecodeException.class, () -> MmsMessageCodec.decode(b));
                assertTrue(e.getMessage().contains(String.format("unknown MID 0x%08X", mid)), e.getMessage());
            } finally {
                b.release();
            }
        }
    }
}
