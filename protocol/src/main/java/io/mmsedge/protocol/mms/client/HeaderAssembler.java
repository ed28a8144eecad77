package io.mmsedge.protocol.mms.client;

import io.mmsedge.protocol.mms.DataPacket;

/**
 * Reassembles an ASF file header from header Data packets (MS-MMSP §3.1.5.12): AFFlags 0x04 for
 * every part but the last, 0x08 or 0x0C for the last; LocationId 0, 1, 2, …; every packet
 * carrying the expected playIncarnation byte. Exactly {@code expectedSize} bytes are accepted,
 * never more (the buffer is allocated once at that size). Not thread-safe.
 */
public final class HeaderAssembler {

    private final byte[] bytes;
    private final int incarnation;
    private int offset;
    private int nextLocationId;
    private boolean complete;

    /**
     * @param expectedSize fileHeaderSize / cbHeaderSize, already bounded by the caller
     * @param incarnation  the playIncarnation byte the parts must carry (0..255)
     */
    public HeaderAssembler(int expectedSize, int incarnation) {
        this.bytes = new byte[expectedSize];
        this.incarnation = incarnation & 0xFF;
    }

    /** The playIncarnation byte of this header's packets. */
    public int incarnation() {
        return incarnation;
    }

    public boolean complete() {
        return complete;
    }

    /**
     * Takes one header part (does not release it).
     *
     * @return true when this was the last part and the header is complete
     * @throws ClientProtocolException if the packet is not the next valid header part
     */
    public boolean accept(DataPacket p) {
        if (complete) {
            throw new ClientProtocolException("header Data packet after the final one");
        }
        if (p.playIncarnation() != incarnation) {
            throw new ClientProtocolException("header Data packet with playIncarnation " + p.playIncarnation()
                    + ", expected " + incarnation);
        }
        int af = p.afFlags();
        int n = p.content().readableBytes();
        // Some servers send AFFlags 0 on every packet (players ignore them): the header is then
        // complete when its announced size is reached.
        boolean last = af == DataPacket.AF_HEADER_LAST || af == DataPacket.AF_HEADER_LAST_ALT
                || (af == 0 && offset + n == bytes.length);
        if (!last && af != DataPacket.AF_HEADER_PART && af != 0) {
            throw new ClientProtocolException(String.format("header Data packet with AFFlags 0x%02X", af));
        }
        if (p.locationId() != nextLocationId) {
            throw new ClientProtocolException("header Data packet LocationId " + Integer.toUnsignedString(p.locationId())
                    + ", expected " + nextLocationId);
        }
        if (n > bytes.length - offset) {
            throw new ClientProtocolException("header Data packets exceed the announced header size of "
                    + bytes.length + " bytes");
        }
        p.content().getBytes(p.content().readerIndex(), bytes, offset, n);
        offset += n;
        nextLocationId++;
        if (last) {
            if (offset != bytes.length) {
                throw new ClientProtocolException("header ended after " + offset + " of the announced "
                        + bytes.length + " bytes");
            }
            complete = true;
        }
        return complete;
    }

    /** The reassembled header (only meaningful once complete). */
    public byte[] bytes() {
        return bytes;
    }
}
