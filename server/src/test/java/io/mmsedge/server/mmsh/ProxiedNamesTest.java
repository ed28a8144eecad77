package io.mmsedge.server.mmsh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mmsedge.protocol.mms.SubscriberName;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Absolute URIs and Via headers in the subscriberName terms catalogs route by. */
class ProxiedNamesTest {

    @Test
    void anAbsoluteUriNamesTheOriginWithItsPortOr80() {
        assertEquals("http://origin.example:8080", ProxiedNames.absoluteOrigin("http://Origin.Example:8080/a.asf?x"));
        assertEquals("http://origin.example:80", ProxiedNames.absoluteOrigin("mmsh://origin.example/a.asf"));
        assertEquals("http://[::1]:81", ProxiedNames.absoluteOrigin("http://[::1]:81/"));
        assertEquals("http://h:80", ProxiedNames.absoluteOrigin("http://user:pw@h/x"), "userinfo is dropped");
        assertNull(ProxiedNames.absoluteOrigin("/a.asf"));
        assertNull(ProxiedNames.absoluteOrigin("http:///a.asf"));
        assertNull(ProxiedNames.absoluteOrigin("http://bad host/a.asf"));
    }

    @Test
    void viaEntriesBecomeTokensTheirCommentsFirst() {
        assertEquals("mms-edge/0.1.0+abc, squid, WMServer/9.1", ProxiedNames.viaTokens(
                "1.0 mms-edge (mms-edge/0.1.0+abc), 1.1 squid, 1.0 proxy (WMServer/9.1)"));
        assertEquals("", ProxiedNames.viaTokens(null));
    }

    @Test
    void theSuffixParsesAsHostAndViaStrings() {
        SubscriberName s = SubscriberName.parse("NSPlayer/9.0; {3300AD50-2C39-46c0-AE0A-5A4AB0B2B0F1}; Host: o:81"
                + ProxiedNames.suffix("http://o:81/live", "1.0 mms-edge (mms-edge/1+a)"));
        assertEquals("http://o:81", s.hostString());
        assertEquals(List.of("mms-edge/1+a"), s.via());
        assertEquals("", ProxiedNames.suffix("/live", null));
    }
}
