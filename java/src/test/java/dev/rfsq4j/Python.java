package dev.rfsq4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs Python for cross-checks against PyTorch, PIL and scikit-image (tests skip, saying why, when it or a module is missing):
 * {@code $RFSQ_PYTHON} when set (the GPU round points it at the machine's Python with CUDA PyTorch), else the
 * system's {@code /usr/bin/python3}.
 */
public final class Python {
    public static final Path EXECUTABLE = Path.of(executable(System.getenv("RFSQ_PYTHON")));
    /** The PyTorch oracles (bench/pytorch/), which the tests and the benchmarks share. */
    public static final Path ORACLES = Path.of("..", "bench", "pytorch");

    static String executable(String fromEnvironment) {
        return fromEnvironment == null || fromEnvironment.isBlank() ? "/usr/bin/python3" : fromEnvironment.strip();
    }

    private Python() {}

    /** Exit status and stdout with stderr merged, stripped. */
    public record Result(int exit, String output) {}

    /** Whether the system Python exists and imports these modules. */
    public static boolean has(String... modules) throws IOException, InterruptedException {
        return Files.isExecutable(EXECUTABLE) && run("import " + String.join(", ", modules)).exit() == 0;
    }

    /** Runs {@code python3 -c script args...} and waits for it. */
    public static Result run(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(EXECUTABLE.toString(), "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(p.waitFor(), output);
    }
}
