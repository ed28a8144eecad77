package io.mmsedge.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs targets under the Jazzer driver, one process each (libFuzzer fuzzes one target per
 * process), from the committed seeds plus a working corpus that grows across runs, and reports
 * executions, coverage and findings. Used by {@code bench/fuzz.sh} (long runs) and by
 * {@code BriefFuzzTest} (a few seconds per target on every build).
 *
 * <pre>java -cp CLASSPATH io.mmsedge.fuzz.FuzzRun FUZZ_DIR SECONDS [target ...]</pre>
 * FUZZ_DIR is the module directory (corpus/ holds the seeds; target/fuzz/ gets the working
 * corpus, the findings and the logs).
 */
public final class FuzzRun {

    private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");
    private static final Pattern COV = Pattern.compile("cov: (\\d+) ft: (\\d+)");

    /** What one target's run gave. {@code exitCode} 0 = no finding. */
    public record Result(String target, long runs, long seconds, long coverage, long features, int exitCode,
                         Path log) {
        public boolean clean() {
            return exitCode == 0;
        }
    }

    private static final List<String> SANITIZERS = List.of("ClojureLangHooks", "Deserialization",
            "ExpressionLanguageInjection", "LdapInjection", "NamingContextLookup", "OsCommandInjection",
            "ReflectiveCall", "RegexInjection", "RegexRoadblocks", "ScriptEngineInjection",
            "ServerSideRequestForgery", "SqlInjection", "XPathInjection").stream()
            .map(n -> "com.code_intelligence.jazzer.sanitizers." + n).toList();

    private FuzzRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FuzzRun FUZZ_DIR SECONDS [target ...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        long seconds = Long.parseLong(args[1]);
        List<String> names = List.of(args).subList(2, args.length);
        List<Result> results = new ArrayList<>();
        for (Targets.Target t : Targets.ALL) {
            if (names.isEmpty() || names.contains(t.corpus())) {
                Result r = run(t, dir, seconds, 0, System.getProperty("java.class.path"));
                System.out.println(line(r));
                results.add(r);
            }
        }
        long total = results.stream().mapToLong(Result::runs).sum();
        System.out.printf(Locale.ROOT, "total: %,d executions, %d finding(s)%n", total,
                results.stream().filter(r -> !r.clean()).count());
        System.exit(results.stream().allMatch(Result::clean) ? 0 : 1);
    }

    /** One line of the report. */
    public static String line(Result r) {
        return String.format(Locale.ROOT, "%-16s %,12d runs %6d s %,9d exec/s  cov %5d  ft %6d  %s", r.target(),
                r.runs(), r.seconds(), r.seconds() == 0 ? r.runs() : r.runs() / r.seconds(), r.coverage(),
                r.features(), r.clean() ? "ok" : "FINDING (exit " + r.exitCode() + ", see " + r.log() + ")");
    }

    /**
     * Fuzzes {@code t} in a child JVM with {@code classPath} for {@code seconds}, or until
     * {@code maxRuns} inputs ran when that is positive (what a build wants: the same work on a
     * fast machine and a loaded one, with {@code seconds} as the ceiling).
     */
    public static Result run(Targets.Target t, Path fuzzDir, long seconds, long maxRuns, String classPath)
            throws IOException, InterruptedException {
        Path work = fuzzDir.resolve("target/fuzz");
        Path corpus = Files.createDirectories(work.resolve("corpus").resolve(t.corpus()));
        Path findings = Files.createDirectories(work.resolve("findings").resolve(t.corpus()));
        Path log = work.resolve(t.corpus() + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "-Xmx2g", "-XX:-OmitStackTraceInFastThrow", "-XX:+UseParallelGC",
                "-Dio.netty.leakDetection.level=paranoid", "-Dlog4j2.configurationFile=log4j2-fuzz.xml",
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + t.driver().getName(),
                "--instrumentation_includes=io.mmsedge.**:io.netty.handler.codec.http.**",
                // Jazzer's bug-class sanitizers (injection, SSRF, deserialization, regex
                // roadblocks) find nothing in parsers that never run commands, queries or
                // reflection, and their hooks allocate megabytes per input through the regexes
                // of the log parsers, which the allocation bound (Harness) would take for ours.
                // The comparison hooks that guide the fuzzer stay.
                "--disabled_hooks=" + String.join(":", SANITIZERS),
                "-max_total_time=" + seconds, "-max_len=8192", "-timeout=30", "-rss_limit_mb=3072",
                "-artifact_prefix=" + findings + "/",
                corpus.toString(), fuzzDir.resolve("corpus").resolve(t.corpus()).toString()));
        if (maxRuns > 0) {
            // A build's brief run is the same every time (a fixed seed): a red build is a finding
            // that reproduces, never the luck of the day. Long runs draw a new seed each time.
            cmd.add(cmd.size() - 2, "-runs=" + maxRuns);
            cmd.add(cmd.size() - 2, "-seed=1");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(t.corpus(), 0, seconds, 0, 0, -1, log);
        }
        String out = Files.readString(log, StandardCharsets.ISO_8859_1);
        long runs = 0;
        long secs = seconds;
        Matcher d = DONE.matcher(out);
        if (d.find()) {
            runs = Long.parseLong(d.group(1));
            secs = Long.parseLong(d.group(2));
        }
        long cov = 0;
        long ft = 0;
        Matcher c = COV.matcher(out);
        while (c.find()) {
            cov = Long.parseLong(c.group(1));
            ft = Long.parseLong(c.group(2));
        }
        return new Result(t.corpus(), runs, secs, cov, ft, p.exitValue(), log);
    }
}
