package io.mmsedge.server.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccessRecordTest {

    @Test
    void theFieldsDirectiveNamesTheWmsFieldsInOrder() {
        assertEquals("#Fields: c-ip date time c-dns cs-uri-stem c-starttime x-duration c-rate c-status c-playerid "
                + "c-playerversion c-playerlanguage cs(User-Agent) c-os c-cpu filelength filesize avgbandwidth "
                + "protocol transport audiocodec videocodec sc-bytes c-bytes s-pkts-sent c-pkts-received "
                + "c-pkts-lost-client c-resendreqs c-buffercount c-totalbuffertime c-quality s-ip s-totalclients "
                + "s-cpu-util cs-url cs-media-name s-proxied", AccessField.fieldsDirective());
    }

    @Test
    void aLineHasOneEscapedValuePerFieldAndDashesForTheUnknown() {
        AccessRecord r = new AccessRecord().set(AccessField.C_IP, "192.0.2.7")
                .set(AccessField.CS_URI_STEM, "/my file.asf")
                .set(AccessField.CS_USER_AGENT, "NSPlayer/9.0 (x)")
                .set(AccessField.SC_BYTES, 1234L)
                .set(AccessField.AVGBANDWIDTH, -1)
                .set(AccessField.C_DNS, "");
        List<String> values = List.of(r.w3cLine().split(" ", -1));
        assertEquals(AccessField.values().length, values.size(), r.w3cLine());
        assertEquals("192.0.2.7", values.get(AccessField.C_IP.ordinal()));
        assertEquals("/my%20file.asf", values.get(AccessField.CS_URI_STEM.ordinal()));
        assertEquals("NSPlayer/9.0_(x)", values.get(AccessField.CS_USER_AGENT.ordinal()));
        assertEquals("1234", values.get(AccessField.SC_BYTES.ordinal()));
        assertEquals("-", values.get(AccessField.AVGBANDWIDTH.ordinal()));
        assertEquals("-", values.get(AccessField.C_DNS.ordinal()));
        assertEquals("-", values.get(AccessField.S_PROXIED.ordinal()));
        // The JSON side gets the raw values by W3C name.
        assertEquals("/my file.asf", r.values().get("cs-uri-stem"));
        assertEquals("-", r.values().get("c-os"));
    }

    @Test
    void statusesAreHttpStyleAsWmsLogsThem() {
        assertEquals(200, Statuses.of(0));
        assertEquals(200, Statuses.of(200));
        assertEquals(404, Statuses.of(0x80070002));
        assertEquals(401, Statuses.of(0x80070005));
        assertEquals(503, Statuses.of(0xC00D0006));
        assertEquals(500, Statuses.of(0x80004005));
        assertEquals(408, Statuses.of(408));
    }
}
