package io.mmsedge.protocol.asf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Splits an ASF file header into pieces for MMS Data packets (MS-MMSP §2.2.2). */
public final class HeaderChunks {

    private HeaderChunks() {
    }

    /**
     * Splits {@code fileHeader} into consecutive chunks of at most {@code maxPayload} bytes
     * (all full except possibly the last); their concatenation equals the input. An empty
     * input gives an empty list.
     */
    public static List<byte[]> split(byte[] fileHeader, int maxPayload) {
        Objects.requireNonNull(fileHeader, "fileHeader");
        if (maxPayload < 1) {
            throw new IllegalArgumentException("maxPayload must be positive: " + maxPayload);
        }
        List<byte[]> out = new ArrayList<>(fileHeader.length / maxPayload + 1);
        int from = 0;
        while (from < fileHeader.length) {
            int n = Math.min(maxPayload, fileHeader.length - from);
            out.add(Arrays.copyOfRange(fileHeader, from, from + n));
            from += n;
        }
        return out;
    }
}
