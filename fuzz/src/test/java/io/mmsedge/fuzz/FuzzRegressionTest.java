package io.mmsedge.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every seed (fuzz/corpus) and every input that once made a target fail (fuzz/regressions) runs
 * through its target on each build, with paranoid leak detection (the testkit extension fails
 * the class on any report). A finding of bench/fuzz.sh becomes a regression by copying its
 * crash file into fuzz/regressions/&lt;target&gt;/ with a name that says what it found.
 */
class FuzzRegressionTest {

    private static final Path FUZZ = Path.of(System.getProperty("mmsedge.fuzz.corpus", "corpus")).getParent();

    @TestFactory
    List<DynamicTest> everySeedAndRegressionPasses() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Targets.Target t : Targets.ALL) {
            List<Path> inputs = inputs(FUZZ.resolve("corpus").resolve(t.corpus()));
            assertFalse(inputs.isEmpty(), "no seeds for " + t.corpus() + ": run bench/fuzz.sh --seeds");
            inputs.addAll(inputs(FUZZ.resolve("regressions").resolve(t.corpus())));
            for (Path input : inputs) {
                tests.add(DynamicTest.dynamicTest(t.corpus() + "/" + input.getFileName(),
                        () -> t.driver().getMethod("fuzzerTestOneInput", byte[].class)
                                .invoke(null, (Object) Files.readAllBytes(input))));
            }
        }
        return tests;
    }

    private static List<Path> inputs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new ArrayList<>();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
        }
    }
}
