package io.mmsedge.server.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class W3cEscapingTest {

    @Test
    void unknownIsADash() {
        assertEquals("-", W3cEscaping.escape(null, false));
        assertEquals("-", W3cEscaping.escape("", false));
        assertEquals("-", W3cEscaping.escape("-", true));
    }

    @Test
    void spacesBecomeUnderscoresAsWmsWritesUserAgents() {
        assertEquals("Mozilla/4.0_(compatible;_MSIE_6.0)_WMPlayer/10.0", W3cEscaping.escape(
                "Mozilla/4.0 (compatible; MSIE 6.0)\tWMPlayer/10.0", false));
    }

    @Test
    void aPlayersLineBreakCannotStartALineOfItsOwn() {
        String forged = "NSPlayer/9.0\r\n127.0.0.1 2026-12-07 00:00:00 - /admin\u2028#Fields: x\u0085\u001b[2J";
        String out = W3cEscaping.escape(forged, false);
        assertEquals("NSPlayer/9.0__127.0.0.1_2026-12-07_00:00:00_-_/admin_#Fields:_x??[2J", out);
        assertFalse(out.matches("(?s).*[\\x00-\\x1F\\x7F-\\x9F\\u2028\\u2029 ].*"), out);
    }

    @Test
    void urlsArePercentEncoded() {
        assertEquals("/dir%20x/caf%C3%A9.asf%0D%0Aforged%22%3C%3E", W3cEscaping.escape(
                "/dir x/café.asf\r\nforged\"<>", true));
        assertEquals("mms://host:1755/a.asf?x=1&y=%41", W3cEscaping.escape("mms://host:1755/a.asf?x=1&y=%41", true));
    }

    @Test
    void longValuesAreCut() {
        assertEquals(W3cEscaping.MAX_VALUE, W3cEscaping.escape("x".repeat(100_000), false).length());
    }
}
