package dev.rfsq4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs Python for cross-checks against PyTorch, PIL and scikit-image (tests skip when it or a module is missing):
 * {@code $RFSQ_PYTHON} when set (a Python with those modules, e.g. a virtual environment), else the system one.
 */
public final class Python {
    public static final Path EXECUTABLE = Path.of(System.getenv().getOrDefault("RFSQ_PYTHON", "/usr/bin/python3"));

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
