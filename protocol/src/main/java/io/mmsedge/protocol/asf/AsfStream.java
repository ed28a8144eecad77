package io.mmsedge.protocol.asf;

import java.util.Objects;

/**
 * One stream of an ASF file.
 *
 * @param number  stream number, 1..127
 * @param type    media type
 * @param codec   video: the BITMAPINFOHEADER compression fourcc ("WMV2"); audio: a codec
 *                name for well-known WAVEFORMATEX format tags ("wmav2"), else the tag as
 *                {@code 0x%04x}; "" for other types
 * @param bitrate bits per second (see {@link AsfHeader#totalBitrate()} for its sources); 0 if unknown
 * @param width   video width in pixels, else 0
 * @param height  video height in pixels, else 0
 */
public record AsfStream(int number, AsfStreamType type, String codec, long bitrate, int width, int height) {

    public AsfStream {
        if (number < 1 || number > 127) {
            throw new IllegalArgumentException("stream number out of range: " + number);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(codec, "codec");
    }

    AsfStream withBitrate(long newBitrate) {
        return new AsfStream(number, type, codec, newBitrate, width, height);
    }
}
