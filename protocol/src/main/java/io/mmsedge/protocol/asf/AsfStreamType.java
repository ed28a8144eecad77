package io.mmsedge.protocol.asf;

/** Kind of an ASF stream, from its Stream Properties "Stream Type" GUID. */
public enum AsfStreamType {
    AUDIO,
    VIDEO,
    COMMAND,
    OTHER;

    static AsfStreamType of(AsfGuid streamType) {
        if (AsfGuid.AUDIO_MEDIA.equals(streamType)) {
            return AUDIO;
        }
        if (AsfGuid.VIDEO_MEDIA.equals(streamType)) {
            return VIDEO;
        }
        if (AsfGuid.COMMAND_MEDIA.equals(streamType)) {
            return COMMAND;
        }
        return OTHER;
    }
}
