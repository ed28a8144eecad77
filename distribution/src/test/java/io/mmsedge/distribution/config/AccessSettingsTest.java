package io.mmsedge.distribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.server.access.AccessPolicy;
import io.mmsedge.server.access.AccessRules;
import io.mmsedge.server.access.Cidr;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AccessSettingsTest {

    private static final String EDGE = "edge:\n  port: 0\n  reverse: [{prefix: \"\", origins: [\"mms://127.0.0.1:1\"]}]\n";

    private static EdgeConfig load(String yaml) throws ConfigException {
        return ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "t.yaml", Path.of("."));
    }

    @Test
    void theSectionsBecomeTheListenersPolicies() throws Exception {
        EdgeConfig cfg = load("""
                server:
                  access: {allow: ["10.0.0.0/8", "2001:db8::/32"], deny: ["10.1.0.0/16"], maxPlayers: 100,
                           maxBandwidthKbps: 20000, maxPlayerBandwidthKbps: 800, connectionsPerSecond: 5,
                           redirect: "mms://edge-b.example:1755"}
                  drainRedirect: "mms://edge-b.example:1755"
                publishingPoints:
                  - {name: "", type: directory, path: "."}
                  - {name: live, type: broadcast, path: "a.asf", access: {deny: ["192.0.2.0/24"]}}
                edge:
                  port: 0
                  idleTimeoutSeconds: 60
                  access: {maxPlayers: 3}
                  reverse:
                    - {prefix: "vip", origins: ["mms://127.0.0.1:1"], access: {maxPlayers: 1}}
                    - {prefix: "", origins: ["mms://127.0.0.1:1"]}
                """);
        AccessPolicy origin = AccessSettings.origin(cfg);
        assertEquals(new AccessRules(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")),
                List.of(Cidr.parse("10.1.0.0/16")), 100, 20_000_000, 800_000, 5, "mms://edge-b.example:1755"),
                origin.listener());
        assertEquals("live", origin.scopeFor("live").name());
        assertEquals(List.of(Cidr.parse("192.0.2.0/24")), origin.scopeFor("live").rules().deny());
        assertEquals("", origin.scopeFor("other/a.asf").name(), "the default point covers the rest");
        assertEquals(AccessRules.NONE, origin.scopeFor("other/a.asf").rules());
        assertEquals("mms://edge-b.example:1755", cfg.server().drainRedirect());

        AccessPolicy edge = AccessSettings.edge(cfg.edge());
        assertEquals(3, edge.listener().maxPlayers());
        assertEquals(1, edge.scopeFor("vip/a.asf").rules().maxPlayers());
        assertEquals(0, edge.scopeFor("vipx/a.asf").rules().maxPlayers());
        assertEquals(60, cfg.edge().idleTimeoutSeconds());
        assertNull(load(EDGE).server().access());
        assertEquals(AccessPolicy.OPEN.listener(), AccessSettings.edge(load(EDGE).edge()).listener());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "server: {access: {deny: [\"10.0.0.0/33\"]}}| server.access.deny[0] | 10.0.0.0/33",
        "server: {access: {allow: [\"intranet.example\"]}}| server.access.allow[0] | intranet.example",
        "server: {access: {maxPlayers: -1}}| server.access.maxPlayers | must be",
        "server: {access: {redirect: \"ftp://x\"}}| server.access.redirect | ",
        "server: {drainRedirect: \"nowhere\"}| server.drainRedirect | ",
        "server: {access: {rate: 1}}| server.access.rate | ",
        "edge: {port: 0, idleTimeoutSeconds: 1, reverse: [{prefix: '', origins: ['mms://h']}]}| edge.idleTimeoutSeconds "
                + "| must be >= 10",
        "edge: {port: 0, reverse: [{prefix: '', origins: ['mms://h'], access: {deny: ['::ffff:1.2.3.4/90']}}]}"
                + "| edge.reverse[0].access.deny[0] | prefix length",
    })
    void aBrokenAccessKeyIsNamed(String yaml, String key, String message) {
        String text = yaml.startsWith("edge") ? yaml : yaml + "\n" + EDGE;
        ConfigException e = assertThrows(ConfigException.class, () -> load(text), text);
        assertTrue(e.getMessage().contains("'" + key.trim() + "'"), e.getMessage());
        assertTrue(message == null || e.getMessage().contains(message.trim()), e.getMessage());
    }
}
