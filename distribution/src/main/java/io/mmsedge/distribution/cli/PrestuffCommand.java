package io.mmsedge.distribution.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.mmsedge.distribution.status.AdminAccess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mms-edge prestuff [--status HOST:PORT] TARGET}: asks a running edge (its status port,
 * {@code POST /cache/prestuff}) to fill its cache with TARGET ahead of demand, then follows the
 * job, printing progress, until the item is complete (exit 0) or the fill fails (exit 1).
 */
@Command(name = "prestuff", description = {"Fill a running edge's cache ahead of demand and report progress "
        + "until done (exit 0) or failed (exit 1)."})
public final class PrestuffCommand extends Subcommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--status", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8755",
            description = "The edge's status port (default: ${DEFAULT-VALUE}).")
    String status;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "A file holding the edge's admin token (default: the token in $"
                    + AdminAccess.TOKEN_ENV + ").")
    java.nio.file.Path tokenFile;

    @Parameters(paramLabel = "PATH|URL", description = "The content, as players ask the edge for it (a path), "
            + "or an mms:// URL.")
    String target;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = out();
        PrintWriter err = err();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://" + status + "/cache/prestuff";
        try {
            String bearer = "Bearer " + token();
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(base + "?target="
                    + URLEncoder.encode(target, StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", bearer).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (started.statusCode() != 202) {
                err.println("mms-edge: prestuff refused (HTTP " + started.statusCode() + "): " + started.body().trim());
                return 1;
            }
            long id = JSON.readTree(started.body()).path("id").asLong();
            String last = "";
            while (true) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "?id=" + id))
                        .header("Authorization", bearer).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
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
            err.println("mms-edge: cannot reach the edge's status port " + status + ": " + reason(e)
                    + " (is an edge with a 'status' listener running there? --status HOST:PORT names another)");
            return 1;
        }
    }

    /** The admin token: from --admin-token-file, else the environment; empty when neither has one. */
    private String token() throws IOException {
        if (tokenFile != null) {
            return java.nio.file.Files.readString(tokenFile).strip();
        }
        String env = System.getenv(AdminAccess.TOKEN_ENV);
        return env == null ? "" : env.strip();
    }

    /** What went wrong: HttpClient's ConnectException has no message of its own (it printed "null"). */
    static String reason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }
}
