package io.mmsedge.protocol.mmsh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One decoded MMSH packet ([MS-WMSP] §2.2.3). For {@code $H}/{@code $D} the MMS data packet
 * header fields are set and the content is the payload; for {@code $E}/{@code $C} {@code reason}
 * is set and the content is empty; other types keep their raw body as content.
 */
public final class MmshFrame extends DefaultByteBufHolder {

    private final int packetId;
    private final boolean bFlag;
    private final long locationId;
    private final int incarnation;
    private final int afFlags;
    private final int reason;

    public MmshFrame(int packetId, boolean bFlag, long locationId, int incarnation, int afFlags, int reason,
                     ByteBuf content) {
        super(content);
        this.packetId = packetId;
        this.bFlag = bFlag;
        this.locationId = locationId;
        this.incarnation = incarnation;
        this.afFlags = afFlags;
        this.reason = reason;
    }

    public int packetId() {
        return packetId;
    }

    public boolean bFlag() {
        return bFlag;
    }

    public long locationId() {
        return locationId;
    }

    public int incarnation() {
        return incarnation;
    }

    public int afFlags() {
        return afFlags;
    }

    /** The HRESULT of $E/$C; 0 otherwise. */
    public int reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "$" + (char) packetId + "[loc=" + locationId + ", af=0x" + Integer.toHexString(afFlags) + ", reason=0x"
                + Integer.toHexString(reason) + ", " + content().readableBytes() + " bytes]";
    }
}
