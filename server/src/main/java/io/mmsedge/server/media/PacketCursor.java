package io.mmsedge.server.media;

/**
 * Reads the packets of one entry in sending order. On-demand cursors always have the next
 * packet; live cursors may have none yet and call the listener when one arrives.
 */
public interface PacketCursor extends AutoCloseable {

    /**
     * The next packet, or null if none is available now (see {@link #finished()}).
     * The caller owns the returned packet and releases it.
     *
     * @throws MediaReadException if the content can't be read
     */
    MediaPacket poll();

    /** True once every packet has been returned. */
    boolean finished();

    /**
     * True when packets arrive already paced (relayed from an origin that paces them, or a
     * live source): the session sends each as soon as it is available instead of pacing it.
     */
    default boolean selfPaced() {
        return false;
    }

    /** Called (on any thread) when {@link #poll()} may return a packet again. On-demand cursors never call it. */
    default void onAvailable(Runnable listener) {
    }

    /**
     * Called while the session can't send because its player isn't reading. Live cursors use it
     * to end a player that lags too far behind the live point.
     *
     * @throws MediaReadException if the player must be disconnected
     */
    default void stalled() {
    }

    @Override
    void close();
}
