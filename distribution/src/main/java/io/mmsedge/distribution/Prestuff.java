package io.mmsedge.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code mms-edge prestuff [--status HOST:PORT] TARGET}: asks a running edge (its status port,
 * {@code POST /cache/prestuff}) to fill its cache with TARGET ahead of demand, then follows the
 * job, printing progress, until the item is complete (exit 0) or the fill fails (exit 1).
 */
final class Prestuff {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Prestuff() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Main.UsageException, InterruptedException {
        String status = "127.0.0.1:8755";
        String target = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--status")) {
                if (i + 1 >= args.length) {
                    throw new Main.UsageException("--status needs HOST:PORT");
                }
                status = args[++i];
            } else if (args[i].startsWith("--")) {
                throw new Main.UsageException("unknown option '" + args[i] + "'");
            } else if (target == null) {
                target = args[i];
            } else {
                throw new Main.UsageException("prestuff takes one PATH or URL");
            }
        }
        if (target == null) {
            throw new Main.UsageException("prestuff needs the PATH (or mms:// URL) to fill");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://" + status + "/cache/prestuff";
        try {
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(base + "?target="
                    + URLEncoder.encode(target, StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (started.statusCode() != 202) {
                err.println("mms-edge: prestuff refused (HTTP " + started.statusCode() + "): " + started.body().trim());
                return 1;
            }
            long id = JSON.readTree(started.body()).path("id").asLong();
            String last = "";
            while (true) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "?id=" + id))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode job = JSON.readTree(r.body());
                String state = job.path("state").asText();
                String line = state + (job.has("packetCount") ? " " + job.path("packetsStored").asLong() + "/"
                        + job.path("packetCount").asLong() + " packets (" + job.path("percent").asDouble() + "%)" : "");
                if (!line.equals(last)) {
                    out.println("prestuff " + target + (job.has("url") ? " (" + job.path("url").asText() + ")" : "")
                            + ": " + line);
                    last = line;
                }
                switch (state) {
                    case "complete" -> {
                        return 0;
                    }
                    case "failed", "stopped" -> {
                        err.println("mms-edge: prestuff of " + target + " failed: " + job.path("error").asText());
                        return 1;
                    }
                    default -> Thread.sleep(1000);
                }
            }
        } catch (IOException e) {
            err.println("mms-edge: cannot reach the edge's status port " + status + ": " + e.getMessage());
            return 1;
        }
    }
}
