package io.mmsedge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.asf.AsfFormatException;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FingerprintTest {

    private static Fingerprint of(String fixture) throws IOException {
        try (AsfFile f = AsfFile.open(Fixtures.media(fixture))) {
            return Fingerprint.of(f.header().fileHeader(), f.packetCount());
        }
    }

    @Test
    void sameFileSameFingerprint() throws Exception {
        assertEquals(of("av.asf"), of("av.asf"));
    }

    @Test
    void differentFixturesDiffer() throws Exception {
        Set<Fingerprint> seen = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (String name : Fixtures.ALL) {
            Fingerprint fp = of(name);
            assertTrue(seen.add(fp), name + " has the fingerprint of another fixture");
            assertTrue(hashes.add(fp.headerSha256()), name + " has the header hash of another fixture");
        }
    }

    @Test
    void fieldsComeFromTheHeader() throws Exception {
        try (AsfFile f = AsfFile.open(Fixtures.media("av.asf"))) {
            byte[] header = f.header().fileHeader();
            Fingerprint fp = Fingerprint.of(header, 1234);
            assertEquals(f.header().fileId(), fp.fileId());
            assertEquals(f.header().fileSize(), fp.fileSize());
            assertEquals(1234, fp.packetCount(), "the packet count is the one given (ReportOpenFile)");
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(header));
            assertEquals(sha, fp.headerSha256());
            assertEquals(64, fp.headerSha256().length());

            // Bytes after the file header are not part of it; a changed header byte is.
            byte[] longer = Arrays.copyOf(header, header.length + 10);
            assertEquals(fp, Fingerprint.of(longer, 1234));
            assertNotEquals(fp, Fingerprint.of(header, 1235));
            byte[] changed = header.clone();
            changed[header.length - 50 + 24] ^= 1; // the Data Object's File ID: parses, hashes differently
            Fingerprint other = Fingerprint.of(changed, 1234);
            assertEquals(fp.fileId(), other.fileId(), "the File Properties are unchanged");
            assertNotEquals(fp.headerSha256(), other.headerSha256());
        }
    }

    @Test
    void rejectsGarbage() {
        assertThrows(AsfFormatException.class, () -> Fingerprint.of(new byte[100], 1));
    }
}
