package io.mmsedge.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every build fuzzes each target briefly with the real Jazzer driver: {@code mmsedge.fuzz.runs}
 * inputs each (3,000 by default, a few seconds per target on a quiet machine), at most
 * {@code mmsedge.fuzz.seconds} (120), so that a change that breaks a parser's properties
 * is caught before the long run (bench/fuzz.sh). Each target must run many inputs and report no
 * finding; the log of a failing one is named in the failure. {@code -Dmmsedge.fuzz.targets=a,b}
 * runs only those.
 */
class BriefFuzzTest {

    @TestFactory
    List<DynamicTest> eachTargetFuzzesWithoutFinding() throws Exception {
        long runs = Long.getLong("mmsedge.fuzz.runs", 3000);
        long seconds = Long.getLong("mmsedge.fuzz.seconds", 120);
        Path corpus = Path.of(System.getProperty("mmsedge.fuzz.corpus", "corpus"));
        Path fuzzDir = corpus.toAbsolutePath().getParent();
        String classPath = System.getProperty("mmsedge.fuzz.classes") + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("mmsedge.fuzz.classpath"))).strip();
        List<DynamicTest> tests = new ArrayList<>();
        List<String> only = List.of(System.getProperty("mmsedge.fuzz.targets", "").split(","));
        for (Targets.Target t : Targets.ALL) {
            if (!only.get(0).isEmpty() && !only.contains(t.corpus())) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(t.corpus(), () -> {
                FuzzRun.Result r = FuzzRun.run(t, fuzzDir, seconds, runs, classPath);
                System.out.println(FuzzRun.line(r));
                assertTrue(r.clean(), () -> FuzzRun.line(r) + "\n" + tail(r.log()));
                assertTrue(r.runs() >= Math.min(runs, 500), () -> t.corpus() + " ran only " + r.runs()
                        + " inputs in " + r.seconds() + " s: " + tail(r.log()));
            }));
        }
        return tests;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
