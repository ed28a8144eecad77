package io.mmsedge.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.distribution.config.ServerSection;
import io.mmsedge.fixtures.ExternalTool;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files agree with the server they deploy: the Kubernetes manifests
 * (packaging/kubernetes) with the configuration in their ConfigMap, the systemd unit
 * (packaging/systemd) with systemd and the drain deadline.
 */
class PackagingTest {

    private static final Path ROOT = Path.of(System.getProperty("mmsedge.rootDir", ".."));

    @TempDir
    Path tmp;

    /** The documents of the manifest file, by kind. */
    private static Map<String, JsonNode> manifests() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, JsonNode> byKind = new HashMap<>();
        try (var docs = yaml.readerFor(JsonNode.class).readValues(
                Files.readString(ROOT.resolve("packaging/kubernetes/mms-edge.yaml")))) {
            while (docs.hasNextValue()) {
                JsonNode d = (JsonNode) docs.nextValue();
                byKind.put(d.path("kind").asText(), d);
            }
        }
        return byKind;
    }

    @Test
    void theKubernetesManifestsMatchTheirConfiguration() throws Exception {
        Map<String, JsonNode> m = manifests();
        assertEquals(Set.of("ConfigMap", "StatefulSet", "Service"), m.keySet());
        // The ConfigMap's configuration is one the server accepts.
        String text = m.get("ConfigMap").path("data").path("mms-edge.yaml").asText();
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "ConfigMap mms-edge", Path.of("."));
        int mms = cfg.edge().port();
        int http = cfg.edge().http();
        int status = cfg.status().port();
        assertEquals("0.0.0.0", cfg.status().bind(), "the kubelet's probes must reach the status listener");
        assertEquals("0.0.0.0", cfg.edge().bind());

        JsonNode pod = m.get("StatefulSet").path("spec").path("template").path("spec");
        JsonNode c = pod.path("containers").get(0);
        Set<String> ports = new HashSet<>();
        c.path("ports").forEach(p -> ports.add(p.path("containerPort").asInt() + "/" + p.path("protocol").asText()));
        assertEquals(Set.of(mms + "/TCP", mms + "/UDP", http + "/TCP", status + "/TCP"), ports);
        assertEquals("/health/live", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals(status, c.path("livenessProbe").path("httpGet").path("port").asInt());
        assertEquals(status, c.path("readinessProbe").path("httpGet").path("port").asInt());

        long drain = cfg.server().drainDeadline().toSeconds();
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        assertTrue(grace > drain && grace <= drain + 30, "terminationGracePeriodSeconds " + grace
                + " must leave the drain (" + drain + " s) time to end the sessions, and not much more");

        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), "runs as non-root");
        Map<String, String> mounts = new HashMap<>();
        c.path("volumeMounts").forEach(v -> mounts.put(v.path("name").asText(), v.path("mountPath").asText()));
        assertEquals(cfg.edge().cache().dir(), mounts.get("cache"), "the cache directory is the cache volume");
        assertEquals("cache", m.get("StatefulSet").path("spec").path("volumeClaimTemplates").get(0)
                .path("metadata").path("name").asText());
        assertEquals("/etc/mms-edge/mms-edge.yaml", c.path("args").get(1).asText());
        assertTrue(mounts.get("config").equals("/etc/mms-edge"));
        assertEquals("MMS_EDGE_ADMIN_TOKEN", c.path("env").get(0).path("name").asText());

        List<String> service = new ArrayList<>();
        m.get("Service").path("spec").path("ports").forEach(p -> service.add(p.path("port").asInt() + "->"
                + p.path("targetPort").asInt() + "/" + p.path("protocol").asText()));
        assertEquals(List.of("1755->" + mms + "/TCP", "1755->" + mms + "/UDP", "80->" + http + "/TCP"), service);
    }

    private static String unit() throws Exception {
        return Files.readString(ROOT.resolve("packaging/systemd/mms-edge.service"));
    }

    @Test
    void theSystemdUnitIsSandboxedAndWaitsForTheDrain() throws Exception {
        String unit = unit();
        for (String line : List.of("DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=mms-edge",
                "AmbientCapabilities=CAP_NET_BIND_SERVICE", "NoNewPrivileges=yes", "KillSignal=SIGTERM")) {
            assertTrue(unit.lines().anyMatch(line::equals), "unit lacks " + line);
        }
        Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)$").matcher(unit);
        assertTrue(stop.find(), "TimeoutStopSec");
        assertTrue(Integer.parseInt(stop.group(1)) > ServerSection.DEFAULT_DRAIN_SECONDS,
                "systemd must wait for the default drain before SIGKILL");
    }

    @Test
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        assumeTrue(ExternalTool.available("systemd-analyze"), "systemd-analyze is not installed: unit not verified");
        // verify checks that ExecStart exists: point it at the launcher in this tree.
        Path launcher = ROOT.resolve("packaging/bin/mms-edge").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(launcher), launcher.toString());
        Path copy = tmp.resolve("mms-edge.service");
        Files.writeString(copy, unit().replace("/opt/mms-edge/bin/mms-edge", launcher.toString()));
        ExternalTool.Result r = ExternalTool.run(List.of("systemd-analyze", "verify", "--man=no", copy.toString()),
                Duration.ofSeconds(60));
        assertNotNull(r);
        // verify exits 0 even for unknown keys or bad values: any complaint about the unit fails.
        String complaints = (r.stdoutText() + r.stderr()).lines().filter(l -> l.contains("mms-edge.service"))
                .reduce("", (a, b) -> a + b + "\n");
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals("", complaints, "systemd-analyze verify complains");
    }
}
