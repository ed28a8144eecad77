package io.mmsedge.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** ::ffff:a.b.c.d as an Inet6Address (what a dual-stack socket can report), not folded to IPv4 by the JDK. */
    private static InetAddress mapped(String v4) throws Exception {
        byte[] b = new byte[16];
        b[10] = (byte) 0xFF;
        b[11] = (byte) 0xFF;
        System.arraycopy(ip(v4).getAddress(), 0, b, 12, 4);
        return Inet6Address.getByAddress(null, b, -1);
    }

    @Test
    void ipv4Blocks() throws Exception {
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertTrue(c.contains(ip("10.1.255.3")));
        assertFalse(c.contains(ip("10.2.0.1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("192.0.2.1")));
        assertTrue(Cidr.parse("127.0.0.2").contains(ip("127.0.0.2")));
        assertFalse(Cidr.parse("127.0.0.2").contains(ip("127.0.0.3")));
        // Host bits in the rule are ignored, as in a routing table.
        assertTrue(Cidr.parse("10.1.2.3/8").contains(ip("10.200.0.1")));
    }

    @Test
    void ipv6Blocks() throws Exception {
        Cidr c = Cidr.parse("2001:db8::/32");
        assertTrue(c.contains(ip("2001:db8:ffff::1")));
        assertFalse(c.contains(ip("2001:db9::1")));
        assertTrue(Cidr.parse("::1").contains(ip("::1")));
        assertFalse(c.contains(ip("10.0.0.1")), "an IPv6 block never holds an IPv4 address");
        assertFalse(Cidr.parse("10.0.0.0/8").contains(ip("2001:db8::1")));
    }

    @Test
    void ipv4MappedAddressesAreTheirIpv4Address() throws Exception {
        assertTrue(Cidr.parse("10.0.0.0/8").contains(mapped("10.9.8.7")));
        assertFalse(Cidr.parse("10.0.0.0/8").contains(mapped("11.0.0.1")));
        // A mapped rule is the IPv4 rule it spells.
        Cidr rule = Cidr.parse("::ffff:192.168.0.0/112");
        assertTrue(rule.ipv4());
        assertTrue(rule.contains(ip("192.168.4.5")));
        assertFalse(rule.contains(ip("192.169.0.1")));
        assertEquals(Cidr.parse("192.168.0.0/16"), rule);
    }

    @Test
    void badBlocksAreRefusedWithTheirText() {
        for (String bad : List.of("", "10.0.0.0/33", "2001:db8::/129", "example.com", "10.0.0.0/x", "10.0.0/8x",
                "::ffff:10.0.0.0/90")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertTrue(bad.isEmpty() || e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void denyWinsOverAllowAndAnEmptyAllowListAllowsAll() throws Exception {
        AccessRules r = new AccessRules(List.of(Cidr.parse("10.0.0.0/8")), List.of(Cidr.parse("10.1.0.0/16")),
                0, 0, 0, 0, null);
        assertTrue(r.admits(ip("10.2.0.1")));
        assertFalse(r.admits(ip("10.1.0.1")));
        assertEquals("deny 10.1.0.0/16", r.refusingRule(ip("10.1.0.1")));
        assertFalse(r.admits(ip("192.0.2.1")));
        assertTrue(AccessRules.NONE.admits(ip("192.0.2.1")));
    }

    @Test
    void theLongestScopePrefixCoversAPath() {
        AccessPolicy p = new AccessPolicy(AccessRules.NONE, List.of(
                new AccessPolicy.Scope("", "", AccessRules.NONE),
                new AccessPolicy.Scope("live", "live", AccessRules.NONE),
                new AccessPolicy.Scope("live/hd", "/live/hd", AccessRules.NONE)));
        assertEquals("live/hd", p.scopeFor("live/hd/a.asf").name());
        assertEquals("live", p.scopeFor("/live/sd.asf").name());
        assertEquals("live", p.scopeFor("live").name());
        assertEquals("live/hd", p.scopeFor("\\live\\hd\\a.asf?x=1").name(), "spelled as the catalogs read it");
        assertEquals("", p.scopeFor("livestream/a.asf").name(), "a prefix matches whole path segments");
        assertEquals(null, new AccessPolicy(AccessRules.NONE, List.of()).scopeFor("a"));
    }
}
