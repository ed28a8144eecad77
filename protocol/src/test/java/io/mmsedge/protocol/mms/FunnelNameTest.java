package io.mmsedge.protocol.mms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FunnelNameTest {

    @Test
    void parsesWhatPlayersSend() {
        // VLC mmsu:// names its local address and port 7000 (modules/access/mms/mmstu.c).
        FunnelName vlc = FunnelName.parse("\\\\127.0.0.1\\UDP\\7000");
        assertTrue(vlc.udp());
        assertEquals(7000, vlc.port());
        assertEquals("127.0.0.1", vlc.address());
        // The hard-coded TCP funnels of FFmpeg and VLC (notes: never connected to).
        FunnelName tcp = FunnelName.parse("\\\\192.168.0.1\\TCP\\1242");
        assertFalse(tcp.udp());
        assertEquals(1242, tcp.port());
        assertTrue(FunnelName.parse("\\\\::1\\udp\\65535").udp(), "proto in any case, IPv6 address");
        assertEquals("\\\\10.0.0.9\\UDP\\1", new FunnelName("10.0.0.9", true, 1).format());
        assertEquals(new FunnelName("10.0.0.9", true, 1), FunnelName.parse(new FunnelName("10.0.0.9", true, 1).format()));
    }

    @Test
    void refusesWhatBreaksTheSyntaxNamingTheField() {
        String[] bad = {
            "", "\\\\127.0.0.1\\UDP", "\\\\127.0.0.1\\UDP\\", "\\\\127.0.0.1\\UDP\\0", "\\\\127.0.0.1\\UDP\\65536",
            "\\\\127.0.0.1\\UDP\\123456", "\\\\127.0.0.1\\UDP\\-1", "\\\\127.0.0.1\\UDP\\70a0", "\\\\127.0.0.1\\SCTP\\7000",
            "127.0.0.1\\UDP\\7000", "\\\\\\UDP\\7000", "\\\\a b\\UDP\\7000", "\\\\1.2.3.4\\UDP\\7000\\x",
            "\\\\" + "1".repeat(65) + "\\UDP\\7000", "\\\\1.2.3.4\\UDP\\" + "0".repeat(100),
        };
        for (String s : bad) {
            MmsDecodeException e = assertThrows(MmsDecodeException.class, () -> FunnelName.parse(s), s);
            assertEquals("funnelName", e.field(), s);
        }
        assertThrows(MmsDecodeException.class, () -> FunnelName.parse(null));
        assertThrows(IllegalArgumentException.class, () -> new FunnelName("x", true, 0));
    }
}
