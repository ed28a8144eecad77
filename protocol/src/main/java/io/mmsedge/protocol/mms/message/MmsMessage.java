package io.mmsedge.protocol.mms.message;

/**
 * One MMS message (MS-MMSP §2.2.4): an immutable, typed value. Message IDs 0x0003xxxx travel
 * from client (viewer) to server (mac), 0x0004xxxx from server to client. mms-edge is a server
 * downstream and a client upstream, so it encodes and decodes both directions.
 *
 * <p>Unsigned 32-bit wire fields are held in {@code int} (compare with
 * {@link Integer#compareUnsigned}); 64-bit unsigned ones in {@code long}.
 */
public interface MmsMessage {

    /** The message ID (MID) that identifies this type on the wire. */
    int mid();

    /** True for messages sent by the server (MID 0x0004xxxx). */
    default boolean fromServer() {
        return (mid() >>> 16) == 0x0004;
    }
}
