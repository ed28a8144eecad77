package io.mmsedge.distribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The declared validation: Jackson's required keys and publishing point types, the {@link Check}
 * constraints and the cross-key rules each name the key, as the hand-written checks did.
 */
class ConfigLoaderTest {

    private static EdgeConfig load(String yaml) throws ConfigException {
        return ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "t.yaml", Path.of("."));
    }

    private static final String EDGE = "edge:\n  port: 0\n  reverse: [{prefix: \"\", origins: [\"mms://127.0.0.1:1\"]}]\n";

    @Test
    void theShippedConfigurationLoadsWithTypedPublishingPoints() throws Exception {
        EdgeConfig cfg = ConfigLoader.load(Path.of(System.getProperty("mmsedge.rootDir", "..")).resolve("conf/mms-edge.yaml"));
        List<EdgeConfig.PublishingPointConfig> points = cfg.publishingPoints();
        assertInstanceOf(EdgeConfig.DirectoryPoint.class, points.get(0));
        assertEquals("", points.get(0).name());
        assertEquals(List.of("${samples}/audio.asf", "${samples}/av.asf"),
                assertInstanceOf(EdgeConfig.PlaylistPoint.class, points.get(1)).entries());
        assertEquals(List.of("${samples}/av.asf"), assertInstanceOf(EdgeConfig.BroadcastPoint.class, points.get(2)).files());
        assertEquals(1755, cfg.edge().port());
        assertEquals("1g", cfg.edge().cache().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "status: {bind: 127.0.0.1}\\n" + "EDGE" + "| status.port | required",
        "edge: {reverse: [{prefix: '', origins: ['mms://h']}]}| edge.port | required",
        "publishingPoints: [{name: a, path: x}]| publishingPoints[0].type | required (directory, playlist or broadcast)",
        "publishingPoints: [{name: a, type: movie, path: x}]| publishingPoints[0].type | unknown type 'movie'",
        "publishingPoints: [{name: a, type: directory, path: x, entries: [y]}]| publishingPoints[0].entries | unknown key",
        "publishingPoints: [{name: p, type: playlist}]| publishingPoints[0].entries | required",
        "publishingPoints: [{name: p, type: playlist, entries: []}]| publishingPoints[0].entries | at least one file",
        "publishingPoints: [{name: '', type: playlist, entries: [a.asf]}]| publishingPoints[0].name | needs a name",
        "publishingPoints: [{name: 'a b', type: directory, path: x}]| publishingPoints[0].name | letters, digits",
        "publishingPoints: [{name: l, type: broadcast, path: a.asf, entries: [b.asf]}]| publishingPoints[0].entries | either path",
        "publishingPoints: [{name: l, type: broadcast, path: a.asf, queueBytes: 10}]| publishingPoints[0].queueBytes | must be >= 16384",
        "publishingPoints: [{name: a, type: directory, path: x, auth: {realm: r}}]| publishingPoints[0].auth.usersFile | required",
        "publishingPoints: [{name: a, type: directory, path: x, auth: {usersFile: ''}}]| publishingPoints[0].auth.usersFile | required",
        "publishingPoints:\\n  -\\n| publishingPoints[0] | empty entry",
        "server: {port: 1755}\\npublishingPoints: [{name: a, type: directory, path: x}]\\nedge: {port: 1755, forward: {enabled: true, allow: ['*.example.com']}}| edge.port | different ports",
        "edge: {port: 0}| edge | needs 'reverse' rules",
        "edge: {port: 0, reverse: [{prefix: ''}]}| edge.reverse[0].origins | at least one origin",
        "edge: {port: 0, reverse: [{prefix: '', origins: ['ftp://x']}]}| edge.reverse[0].origins[0] | ",
        "edge: {port: 0, forward: {enabled: true}}| edge.forward.allow | open relay",
        "edge: {port: 0, bind: no.such.host.invalid, forward: {enabled: true, allow: [x]}}| edge.bind | unknown address",
        "EDGE" + "  cache: {size: 10k}| edge.cache.size | at least 1m",
        "EDGE" + "  cache: {memory: lots}| edge.cache.memory | not a size",
        "EDGE" + "  cache: {dir: ' '}| edge.cache.dir | empty",
        "EDGE" + "  instanceId: 'a b'| edge.instanceId | 1-32 letters",
        "EDGE" + "  maxRedirectHops: 21| edge.maxRedirectHops | must be between 0 and 20",
        "EDGE" + "  split: {lingerSeconds: -0.5}| edge.split.lingerSeconds | must be >= 0",
        "EDGE" + "  stallTimeoutSeconds: 0| edge.stallTimeoutSeconds | must be between 0.1 and 3600",
        "EDGE" + "  firstDataTimeoutSeconds: -1| edge.firstDataTimeoutSeconds | must be between 0.1 and 3600",
        "EDGE" + "  split: {queueBytes: 1000}| edge.split.queueBytes | must be >= 16384",
        "EDGE" + "  split: {maxLagSeconds: 0}| edge.split.maxLagSeconds | must be >= 1",
        "EDGE" + "  redirects: [{type: 7, location: x}]| edge.redirects[0] | ",
        "server: {serverVersionInfo: abc}\\n" + "EDGE" + "| server.serverVersionInfo | must look like 9.1",
        "server: {port: 1756, http: 1756}\\n" + "EDGE" + "| server.http | must differ from 'port'",
        "server: {http: 70000}\\n" + "EDGE" + "| server.http | must be between 0 and 65535",
        "edge: {port: 1755, http: 1755, reverse: [{prefix: '', origins: ['mms://h']}]}| edge.http | must differ",
    })
    void eachBrokenRuleNamesItsKey(String yaml, String key, String message) {
        String text = yaml.replace("\\n", "\n").replace("EDGE", EDGE);
        ConfigException e = assertThrows(ConfigException.class, () -> load(text), text);
        assertTrue(e.getMessage().startsWith("t.yaml: key '" + key + "': "), e.getMessage());
        assertTrue(message == null || e.getMessage().contains(message.trim()), e.getMessage());
    }

    @Test
    void forwardAllowRulesAreOnlyReadWhenForwardingIsOn() throws Exception {
        assertEquals(List.of("not a rule ::"), load(EDGE + "  forward: {enabled: false, allow: ['not a rule ::']}\n")
                .edge().forward().allow());
    }

    @Test
    void theSplitsPerPlayerLimitsDefaultAsABroadcastPointsDo() throws Exception {
        var d = io.mmsedge.server.broadcast.BroadcastSettings.defaults();
        assertEquals(d, ConfigLoader.splitBroadcastSettings(load(EDGE).edge()));
        assertEquals(d, ConfigLoader.splitBroadcastSettings(load(EDGE + "  split: {lingerSeconds: 1}\n").edge()));
        var set = ConfigLoader.splitBroadcastSettings(load(EDGE + "  split: {queueBytes: 65536, maxLagSeconds: 3}\n")
                .edge());
        assertEquals(65536, set.maxQueueBytes());
        assertEquals(java.time.Duration.ofSeconds(3), set.maxLag());
        assertEquals(d.maxHistoryBytes(), set.maxHistoryBytes());
    }

    @Test
    void connectionLimitsComeFromServerLimitsAndKeepTheirDefaultsOtherwise() throws Exception {
        var d = io.mmsedge.server.net.ConnectionLimits.defaults();
        assertEquals(d, ConfigLoader.connectionLimits(load(EDGE)));
        var l = ConfigLoader.connectionLimits(load(EDGE + "server:\n  limits: {maxConnectionsPerAddress: 20, "
                + "handshakeSeconds: 5}\n"));
        assertEquals(20, l.maxPerAddress());
        assertEquals(java.time.Duration.ofSeconds(5), l.handshakeTimeout());
        assertEquals(d.maxConnections(), l.maxConnections());
        ConfigException e = assertThrows(ConfigException.class,
                () -> load(EDGE + "server:\n  limits: {maxConnections: 0}\n"));
        assertTrue(e.getMessage().contains("server.limits.maxConnections"), e.getMessage());
    }

    @Test
    void theUpstreamTimeoutsAreSetInSecondsAndDefaultToAFewSeconds() throws Exception {
        var d = ConfigLoader.proxySettings(load(EDGE).edge(), "t");
        assertEquals(java.time.Duration.ofSeconds(5), d.connectTimeout());
        assertEquals(io.mmsedge.proxy.ProxySettings.DEFAULT_STALL_TIMEOUT, d.firstDataTimeout());
        assertEquals(io.mmsedge.proxy.ProxySettings.DEFAULT_STALL_TIMEOUT, d.stallTimeout());
        var set = ConfigLoader.proxySettings(load(EDGE + "  connectTimeoutSeconds: 2\n  firstDataTimeoutSeconds: 8\n"
                + "  stallTimeoutSeconds: 1.5\n").edge(), "t");
        assertEquals(java.time.Duration.ofSeconds(2), set.connectTimeout());
        assertEquals(java.time.Duration.ofSeconds(8), set.firstDataTimeout());
        assertEquals(java.time.Duration.ofMillis(1500), set.stallTimeout());
    }
}
