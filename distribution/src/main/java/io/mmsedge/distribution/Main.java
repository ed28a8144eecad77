package io.mmsedge.distribution;

import io.mmsedge.distribution.config.ConfigException;
import io.mmsedge.distribution.config.ConfigLoader;
import io.mmsedge.distribution.config.EdgeConfig;
import io.mmsedge.protocol.asf.AsfFormatException;
import io.mmsedge.protocol.asf.AsfSummary;
import io.mmsedge.protocol.mms.MmsConstants;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Command line:
 * <pre>
 *   mms-edge                                   embedded default (bundled samples on 127.0.0.1:1755)
 *   mms-edge --config FILE                     a full configuration
 *   mms-edge origin --port P --media DIR [--bind ADDR] [--status-port P] [--pacing-speed X]
 *                   [--live NAME=FILE.asf]...   (--media optional when --live is given)
 *   mms-edge inspect FILE.asf                  JSON summary of an ASF file
 * </pre>
 */
public final class Main {

    static final String USAGE = """
            usage:
              mms-edge                                  run the embedded default configuration
              mms-edge --config FILE                    run a configuration file (YAML)
              mms-edge origin --port PORT --media DIR [--bind ADDR] [--status-port PORT] [--pacing-speed X]
                              [--write-merge-ms MS]
                                                        serve DIR's ASF files on demand at mmst://host:PORT/<file>
                  [--live NAME=FILE.asf]...             also broadcast FILE.asf, looped, at mmst://host:PORT/NAME
                                                        (repeatable; --media is optional with --live)
              mms-edge edge --port PORT --origin mms://HOST[:PORT][/path] [--origin ...] [--bind ADDR]
                            [--forward --allow HOSTPATTERN|CIDR ...] [--status-port PORT] [--instance-id ID]
                                                        an edge (reverse proxy) in front of origins; --forward also
                                                        relays to servers players name, if an --allow rule permits
                            [--write-merge-ms MS]       flush broadcast and relayed packets to each player at most
                                                        once per MS (server.writeMergeMillis, default 100)
                            [--cache-dir DIR] [--cache-size 2g] [--cache-memory 256m]
                                                        cache on-demand content (any --cache-* option turns it on;
                                                        without --cache-dir, a temporary directory)
              mms-edge prestuff [--status HOST:PORT] PATH|URL
                                                        fill a running edge's cache ahead of demand (PATH as players
                                                        ask the edge for it) and report progress until done
              mms-edge inspect FILE.asf                 print a JSON summary of an ASF file
              mms-edge passwd USER                      read a password on stdin, print a users-file line
              mms-edge --version
            """;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit status (servers block until the JVM is stopped). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0) {
                return serve(embeddedDefault(), Path.of("."));
            }
            switch (args[0]) {
                case "inspect":
                    return inspect(args, out, err);
                case "passwd":
                    return passwd(args, out, err);
                case "origin":
                    return serve(originConfig(args), Path.of("."));
                case "edge":
                    return serve(edgeConfig(args), Path.of("."));
                case "prestuff":
                    return Prestuff.run(args, out, err);
                case "--config":
                    if (args.length != 2) {
                        throw new UsageException("--config takes one file");
                    }
                    Path file = Path.of(args[1]);
                    return serve(ConfigLoader.load(file), file.toAbsolutePath().getParent());
                case "--version":
                    out.println("mms-edge " + EdgeApplication.VERSION);
                    return 0;
                case "--help":
                case "-h":
                    out.print(USAGE);
                    return 0;
                default:
                    throw new UsageException("unknown command '" + args[0] + "'");
            }
        } catch (UsageException e) {
            err.println("mms-edge: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (ConfigException e) {
            err.println("mms-edge: configuration error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("mms-edge: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int inspect(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2) {
            err.println("mms-edge: inspect takes one file");
            return 2;
        }
        try {
            out.println(AsfSummary.inspectJson(Path.of(args[1])));
            return 0;
        } catch (AsfFormatException e) {
            err.println("mms-edge: " + args[1] + " is not a valid ASF file: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("mms-edge: cannot read " + args[1] + ": " + e.getMessage());
            return 1;
        }
    }

    private static int passwd(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (args.length != 2 || !args[1].matches("[^:\\s]+")) {
            err.println("mms-edge: passwd takes one user name (no ':' or spaces)");
            return 2;
        }
        char[] password;
        if (System.console() != null) {
            password = System.console().readPassword("password for %s: ", args[1]);
        } else {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
                    .readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            err.println("mms-edge: empty password");
            return 2;
        }
        out.println(args[1] + ":" + io.mmsedge.distribution.auth.PasswordHash.hash(password));
        java.util.Arrays.fill(password, '\0');
        return 0;
    }

    private static int serve(EdgeConfig cfg, Path baseDir) throws ConfigException, InterruptedException {
        EdgeApplication app = EdgeApplication.start(cfg, baseDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            org.apache.logging.log4j.LogManager.shutdown();
            stopped.countDown();
        }, "mms-edge-shutdown"));
        stopped.await();
        return 0;
    }

    /** The configuration used when mms-edge runs with no arguments. */
    static EdgeConfig embeddedDefault() throws IOException, ConfigException {
        Path samples = Samples.extract();
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("conf/mms-edge.yaml")) {
            if (in == null) {
                throw new IOException("embedded conf/mms-edge.yaml missing from this build");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("${samples}", samples.toString().replace('\\', '/'));
            return ConfigLoader.load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                    "embedded conf/mms-edge.yaml", samples);
        }
    }

    static EdgeConfig originConfig(String[] args) throws UsageException, ConfigException {
        // --live NAME=FILE is repeatable; the other options are not.
        List<String> rest = new ArrayList<>(List.of(args));
        List<String[]> lives = new ArrayList<>();
        for (int i = 1; i < rest.size(); i++) {
            if (rest.get(i).equals("--live")) {
                if (i + 1 >= rest.size()) {
                    throw new UsageException("--live needs a value NAME=FILE.asf");
                }
                String v = rest.remove(i + 1);
                rest.remove(i--);
                int eq = v.indexOf('=');
                if (eq <= 0 || eq == v.length() - 1 || !v.substring(0, eq).matches("[A-Za-z0-9._~-]+")) {
                    throw new UsageException("--live: expected NAME=FILE.asf (NAME of letters, digits, . _ ~ -), got '" + v + "'");
                }
                if (!Files.isRegularFile(Path.of(v.substring(eq + 1)))) {
                    throw new UsageException("--live: no such file: " + v.substring(eq + 1));
                }
                lives.add(new String[] {v.substring(0, eq), v.substring(eq + 1)});
            }
        }
        args = rest.toArray(new String[0]);
        Options o = Options.parse(args, 1, List.of("--port", "--media", "--bind", "--status-port", "--pacing-speed",
                "--write-merge-ms"));
        String media = lives.isEmpty() ? o.require("--media") : o.get("--media", null);
        if (media != null && !Files.isDirectory(Path.of(media))) {
            throw new UsageException("--media: not a directory: " + media);
        }
        StringBuilder yaml = new StringBuilder();
        yaml.append("server:\n  bind: \"").append(o.get("--bind", "127.0.0.1")).append("\"\n");
        yaml.append("  port: ").append(o.intValue("--port", MmsConstants.DEFAULT_PORT)).append('\n');
        if (o.has("--pacing-speed")) {
            yaml.append("  pacingSpeed: ").append(o.doubleValue("--pacing-speed")).append('\n');
        }
        if (o.has("--write-merge-ms")) {
            yaml.append("  writeMergeMillis: ").append(o.intValue("--write-merge-ms", 0)).append('\n');
        }
        if (o.has("--status-port")) {
            yaml.append("status:\n  bind: \"").append(o.get("--bind", "127.0.0.1")).append("\"\n  port: ")
                    .append(o.intValue("--status-port", 0)).append('\n');
        }
        yaml.append("publishingPoints:\n");
        if (media != null) {
            yaml.append("  - name: \"\"\n    type: directory\n    path: \"").append(yamlPath(media)).append("\"\n");
        }
        for (String[] live : lives) {
            yaml.append("  - name: \"").append(live[0]).append("\"\n    type: broadcast\n    path: \"")
                    .append(yamlPath(live[1])).append("\"\n");
        }
        return ConfigLoader.load(new ByteArrayInputStream(yaml.toString().getBytes(StandardCharsets.UTF_8)),
                "command line", Path.of("."));
    }

    static EdgeConfig edgeConfig(String[] args) throws UsageException, ConfigException {
        List<String> origins = new ArrayList<>();
        List<String> allow = new ArrayList<>();
        boolean forward = false;
        java.util.Map<String, String> single = new java.util.LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String k = args[i];
            switch (k) {
                case "--forward" -> forward = true;
                case "--origin", "--allow", "--port", "--bind", "--status-port", "--instance-id", "--pacing-speed",
                     "--write-merge-ms", "--cache-dir", "--cache-size", "--cache-memory" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException(k + " needs a value");
                    }
                    String v = args[++i];
                    if (k.equals("--origin")) {
                        origins.add(v);
                    } else if (k.equals("--allow")) {
                        allow.add(v);
                    } else {
                        single.put(k, v);
                    }
                }
                default -> throw new UsageException("unknown option '" + k + "'");
            }
        }
        if (origins.isEmpty() && !forward) {
            throw new UsageException("edge needs --origin (reverse proxy) or --forward with --allow rules");
        }
        if (forward && allow.isEmpty()) {
            throw new UsageException("--forward needs at least one --allow rule: a forward proxy must not be an open relay");
        }
        Options o = new Options();
        o.values.putAll(single);
        String bind = o.get("--bind", "127.0.0.1");
        StringBuilder yaml = new StringBuilder();
        if (o.has("--pacing-speed") || o.has("--write-merge-ms")) {
            yaml.append("server:\n");
            if (o.has("--pacing-speed")) {
                yaml.append("  pacingSpeed: ").append(o.doubleValue("--pacing-speed")).append('\n');
            }
            if (o.has("--write-merge-ms")) {
                yaml.append("  writeMergeMillis: ").append(o.intValue("--write-merge-ms", 0)).append('\n');
            }
        }
        if (o.has("--status-port")) {
            yaml.append("status:\n  bind: \"").append(bind).append("\"\n  port: ")
                    .append(o.intValue("--status-port", 0)).append('\n');
        }
        yaml.append("edge:\n  bind: \"").append(bind).append("\"\n  port: ").append(o.intValue("--port", MmsConstants.DEFAULT_PORT)).append('\n');
        if (o.has("--instance-id")) {
            yaml.append("  instanceId: \"").append(o.get("--instance-id", "")).append("\"\n");
        }
        if (!origins.isEmpty()) {
            yaml.append("  reverse:\n    - prefix: \"\"\n      origins:\n");
            for (String u : origins) {
                yaml.append("        - \"").append(u.replace("\"", "")).append("\"\n");
            }
        }
        if (o.has("--cache-dir") || o.has("--cache-size") || o.has("--cache-memory")) {
            yaml.append("  cache:\n    enabled: true\n");
            if (o.has("--cache-dir")) {
                yaml.append("    dir: \"").append(yamlPath(o.get("--cache-dir", ""))).append("\"\n");
            }
            for (String[] kv : new String[][] {{"--cache-size", "size"}, {"--cache-memory", "memory"}}) {
                if (o.has(kv[0])) {
                    yaml.append("    ").append(kv[1]).append(": \"").append(o.get(kv[0], "").replace("\"", ""))
                            .append("\"\n");
                }
            }
        }
        if (forward) {
            yaml.append("  forward:\n    enabled: true\n    allow:\n");
            for (String a : allow) {
                yaml.append("      - \"").append(a.replace("\"", "")).append("\"\n");
            }
        }
        return ConfigLoader.load(new ByteArrayInputStream(yaml.toString().getBytes(StandardCharsets.UTF_8)),
                "command line", Path.of("."));
    }

    private static String yamlPath(String p) {
        return Path.of(p).toAbsolutePath().toString().replace("\\", "/").replace("\"", "\\\"");
    }

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** --key value options of a subcommand. */
    static final class Options {
        private final java.util.Map<String, String> values = new java.util.LinkedHashMap<>();

        static Options parse(String[] args, int from, List<String> allowed) throws UsageException {
            Options o = new Options();
            List<String> rest = new ArrayList<>(List.of(args).subList(from, args.length));
            for (int i = 0; i < rest.size(); i++) {
                String k = rest.get(i);
                if (!allowed.contains(k)) {
                    throw new UsageException("unknown option '" + k + "'");
                }
                if (i + 1 >= rest.size()) {
                    throw new UsageException(k + " needs a value");
                }
                o.values.put(k, rest.get(++i));
            }
            return o;
        }

        boolean has(String k) {
            return values.containsKey(k);
        }

        String get(String k, String def) {
            return values.getOrDefault(k, def);
        }

        String require(String k) throws UsageException {
            String v = values.get(k);
            if (v == null) {
                throw new UsageException(k + " is required");
            }
            return v;
        }

        int intValue(String k, int def) throws UsageException {
            String v = values.get(k);
            if (v == null) {
                return def;
            }
            try {
                int n = Integer.parseInt(v);
                if (n < 0 || n > 65535) {
                    throw new UsageException(k + ": must be a port 0..65535, got " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException(k + ": not a number: " + v);
            }
        }

        double doubleValue(String k) throws UsageException {
            try {
                double d = Double.parseDouble(values.get(k));
                if (d < 0 || Double.isNaN(d)) {
                    throw new UsageException(k + ": must be >= 0");
                }
                return d;
            } catch (NumberFormatException e) {
                throw new UsageException(k + ": not a number: " + values.get(k));
            }
        }
    }
}
