package io.mmsedge.protocol.mms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SubscriberNameTest {

    @Test
    void parsesFullAbnfAndRendersInOrder() {
        String raw = "NSPlayer/9.0.0.2980; {3300AD50-2C39-46c0-AE0A-AE0A2F3E4A50}; Host: media.example.org:8080"
                + "\0HOST: media.example.org:8080\0VIA: proxy-a/1.0, proxy-b/2";
        SubscriberName s = SubscriberName.parse(raw);
        assertEquals("NSPlayer/9.0.0.2980", s.clientToken());
        assertEquals("NSPlayer", s.product());
        assertEquals("9.0.0.2980", s.version());
        assertEquals("3300AD50-2C39-46c0-AE0A-AE0A2F3E4A50", s.guid());
        assertEquals("media.example.org:8080", s.hostParam());
        assertEquals("media.example.org:8080", s.hostString());
        assertEquals(List.of("proxy-a/1.0", "proxy-b/2"), s.via());
        assertTrue(s.viaContains("PROXY-A/1.0"));
        assertFalse(s.viaContains("proxy-a"));
        assertEquals(raw, s.render());
        assertEquals(raw, SubscriberName.parse(raw + "\0").render(), "final NUL tolerated");
    }

    @Test
    void proxyEditing() {
        SubscriberName s = SubscriberName.parse("NSPlayer/7.0.0.1956; {7E667F5D-A661-495E-A512-F55686DDA178}; Host: 127.0.0.1");
        SubscriberName p = s.withHostParam("origin.example:1755").withHostString("origin.example:1755")
                .withViaAppended("mms-edge/0.1");
        assertEquals("NSPlayer/7.0.0.1956; {7E667F5D-A661-495E-A512-F55686DDA178}; Host: origin.example:1755"
                + "\0HOST: origin.example:1755\0VIA: mms-edge/0.1", p.render());
        assertEquals(List.of("mms-edge/0.1", "other/2"), p.withViaAppended("other/2").via());
        assertTrue(p.viaContains("mms-edge/0.1"));
        // VIA only: no empty HOST part.
        assertEquals("Spooooon!\0VIA: x/1", SubscriberName.parse("Spooooon!").withViaAppended("x/1").render());
    }

    @Test
    void lenientOnGarbage() {
        SubscriberName spoon = SubscriberName.parse("Spooooon!");
        assertEquals("Spooooon!", spoon.clientToken());
        assertNull(spoon.version());
        assertNull(spoon.guid());
        SubscriberName noGuid = SubscriberName.parse("NSPlayer/4.1.0.3928; Host: a");
        assertNull(noGuid.guid());
        assertEquals("a", noGuid.hostParam());
        SubscriberName unclosed = SubscriberName.parse("NSPlayer/4.1; {abc");
        assertEquals("abc", unclosed.guid());
        SubscriberName junk = SubscriberName.parse("hello; world = 1");
        assertEquals("hello; world = 1", junk.clientToken());
        assertEquals("", SubscriberName.parse(null).clientToken());
        assertEquals("", SubscriberName.parse("\0\0").clientToken());
        Random rnd = new Random(42);
        for (int i = 0; i < 5000; i++) {
            char[] c = new char[rnd.nextInt(60)];
            for (int j = 0; j < c.length; j++) {
                c[j] = "NSPlayer/;{}- :HOSTVIA,\0xyz0123".charAt(rnd.nextInt(31));
            }
            SubscriberName s = SubscriberName.parse(new String(c));
            s.render();
            SubscriberName.parseHostInfo(s.hostParam(), 1755);
        }
    }

    @Test
    void hostInfo() {
        assertEquals(new SubscriberName.HostPort("127.0.0.1", 1755), SubscriberName.parseHostInfo("127.0.0.1", 1755));
        assertEquals(new SubscriberName.HostPort("a.example", 8080), SubscriberName.parseHostInfo(" a.example:8080 ", 1755));
        assertEquals(new SubscriberName.HostPort("::1", 1755), SubscriberName.parseHostInfo("[::1]", 1755));
        assertEquals(new SubscriberName.HostPort("fe80::1", 99), SubscriberName.parseHostInfo("[fe80::1]:99", 1755));
        assertEquals(new SubscriberName.HostPort("fe80::1", 1755), SubscriberName.parseHostInfo("fe80::1", 1755));
        assertEquals(new SubscriberName.HostPort("h", 1755), SubscriberName.parseHostInfo("h:99999", 1755));
        assertEquals(new SubscriberName.HostPort("h", 1755), SubscriberName.parseHostInfo("h:x", 1755));
        assertEquals(new SubscriberName.HostPort("::1", 1755), SubscriberName.parseHostInfo("[::1", 1755));
        assertNull(SubscriberName.parseHostInfo("  ", 1755));
        assertEquals("[::1]:1755", SubscriberName.parseHostInfo("[::1]", 1755).render());
    }
}
