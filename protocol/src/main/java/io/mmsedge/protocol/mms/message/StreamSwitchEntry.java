package io.mmsedge.protocol.mms.message;

/**
 * STREAM_SWITCH_ENTRY (MS-MMSP §2.2.4.28.1). 0xFFFF in either stream field means "none".
 * MPlayer and FFmpeg send {src=0xFFFF, dst=N, thinning=0} for each stream they want.
 */
public record StreamSwitchEntry(int srcStreamNumber, int dstStreamNumber, int thinningLevel) {

    public static final int NO_STREAM = 0xFFFF;
    /** Transmit every media object of the stream. */
    public static final int THIN_NONE = 0;
    /** Transmit key frames only. */
    public static final int THIN_KEY_FRAMES = 1;
    /** Transmit nothing of the stream. */
    public static final int THIN_ALL = 2;
}
