package io.mmsedge.distribution;

import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.fixtures.Fixtures;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Starts real mms-edge servers on loopback for tests. */
public final class TestServers {

    /** Pacing for tests: much faster than real time, still paced (exercises the timers). */
    static final double TEST_PACING = 20.0;

    private TestServers() {
    }

    /** An origin serving the fixtures, a two-entry playlist "plist" and a status endpoint. */
    static EdgeApplication origin(double pacingSpeed) throws Exception {
        Path media = Fixtures.mediaDir();
        String yaml = """
                server:
                  bind: 127.0.0.1
                  port: 0
                  pacingSpeed: %s
                status:
                  bind: 127.0.0.1
                  port: 0
                publishingPoints:
                  - name: ""
                    type: directory
                    path: "%s"
                  - name: plist
                    type: playlist
                    entries: ["%s", "%s"]
                """.formatted(pacingSpeed, media, media.resolve("audio.asf"), media.resolve("av.asf"));
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "test", media);
        return EdgeApplication.start(cfg, media);
    }

    /**
     * An origin broadcasting av.asf, looped, at /live, on {@code port} (0: a free one; a fixed one
     * to restart an origin where it was), at {@code pacingSpeed} times real time.
     */
    public static EdgeApplication liveOrigin(int port, double pacingSpeed) throws Exception {
        String yaml = """
                server: {bind: 127.0.0.1, port: %d, pacingSpeed: %s}
                publishingPoints:
                  - {name: live, type: broadcast, path: "%s"}
                """.formatted(port, pacingSpeed, Fixtures.media("av.asf"));
        EdgeConfig cfg = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "origin",
                Path.of("."));
        return EdgeApplication.start(cfg, Path.of("."));
    }

    static String url(EdgeApplication app, String path) {
        InetSocketAddress a = app.mmsAddress();
        return "mmst://127.0.0.1:" + a.getPort() + "/" + path;
    }
}
