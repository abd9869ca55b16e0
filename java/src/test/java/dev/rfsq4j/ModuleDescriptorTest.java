package dev.rfsq4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.bindings.RfsqLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module descriptors, as a service on the module path meets them: what dev.rfsq4j exports and hides, and that
 * the library loads and runs from the module path (the tests themselves run on the class path).
 */
class ModuleDescriptorTest {
    private record Run(int status, String out) {}

    private static Path classes(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Run java(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--module-path");
        command.add(classes(Tensor.class) + java.io.File.pathSeparator + classes(RfsqLibrary.class)
                + java.io.File.pathSeparator + classes(org.jfree.chart.JFreeChart.class)); // the report's charts
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void theApiIsExportedAndTheInternalsAreNot() throws Exception {
        Run api = java("--describe-module", "dev.rfsq4j");
        assertEquals(0, api.status(), api.out());
        for (String pkg : List.of("dev.rfsq4j", "dev.rfsq4j.cli", "dev.rfsq4j.data", "dev.rfsq4j.eval", "dev.rfsq4j.io",
                "dev.rfsq4j.nn", "dev.rfsq4j.quant", "dev.rfsq4j.report", "dev.rfsq4j.tokens", "dev.rfsq4j.train")) {
            assertTrue(api.out().lines().anyMatch(l -> l.equals("exports " + pkg)), pkg + " exported:\n" + api.out());
        }
        assertTrue(api.out().lines().anyMatch(l -> l.equals("contains dev.rfsq4j.internal")), api.out());
        assertFalse(api.out().contains("exports dev.rfsq4j.internal"), api.out());
        Run bindings = java("--describe-module", "dev.rfsq4j.bindings");
        assertTrue(bindings.out().lines().anyMatch(l -> l.equals("qualified exports dev.rfsq4j.bindings to dev.rfsq4j")),
                bindings.out());
        assertFalse(bindings.out().lines().anyMatch(l -> l.equals("exports dev.rfsq4j.bindings")), bindings.out());
    }

    @Test
    void itRunsFromTheModulePathWithNativeAccessAndWarnsWithout() throws Exception {
        Run granted = java("--enable-native-access=dev.rfsq4j,dev.rfsq4j.bindings", "-m", "dev.rfsq4j/dev.rfsq4j.cli.Main",
                "demo", "--quantizer-only");
        assertEquals(0, granted.status(), granted.out());
        assertTrue(granted.out().startsWith("rfsq4j demo: RFSQ 4x[4,4,4,4,4]"), granted.out());
        assertFalse(granted.out().contains("WARNING"), granted.out());
        Run plain = java("-m", "dev.rfsq4j/dev.rfsq4j.cli.Main", "demo", "--quantizer-only");
        assertEquals(0, plain.status(), plain.out());
        assertTrue(plain.out().contains("WARNING: Use --enable-native-access=dev.rfsq4j.bindings to avoid a warning"),
                plain.out());
    }
}
